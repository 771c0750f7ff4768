"""``keras.export``: ``ExportArchive``, a saved model with chosen endpoints (Keras 3)."""


def __getattr__(name):
    if name == "ExportArchive":  # lives with the saved-model writer; loaded on first use
        from fluxion.saved_model.export_archive import ExportArchive

        return ExportArchive
    raise AttributeError(f"module 'fluxion.keras.export' has no attribute {name!r}")
