"""``fluxion.compat``: the TF 1 API (``compat.v1``) and ``compat.v2`` (``fluxion`` itself)."""

from fluxion.compat import v1


def __getattr__(name: str):
    if name == "v2":
        import fluxion

        return fluxion
    raise AttributeError(f"module 'fluxion.compat' has no attribute {name!r}")
