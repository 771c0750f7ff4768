"""``Model.export(path, format="litert")``, as Keras 3 spells the TFLite export.

Keyword arguments set the converter's attributes (``optimizations``,
``representative_dataset``, ``inference_input_type``...), and ``target_spec`` may be a
dict of its attributes, as Keras passes them on to TF's converter.
"""

from __future__ import annotations

import os

from fluxion.keras.saving import export_formats


def export_litert(model, filepath, input_signature=None, verbose=None, **kwargs) -> str:
    """Converts ``model`` and writes the ``.tflite`` file atomically; returns the path."""
    from fluxion.core.atomic_file import write_bytes
    from fluxion.graph.function import function
    from fluxion.lite.converter import TFLiteConverter

    filepath = os.fspath(filepath)
    if not filepath.endswith(".tflite"):
        raise ValueError(f"The LiteRT export writes a '.tflite' file; got the path "
                         f"{filepath!r}.")
    if input_signature is None:
        converter = TFLiteConverter.from_keras_model(model)
    else:
        specs = list(input_signature) if isinstance(input_signature, (list, tuple)) \
            else [input_signature]

        def serve(*args):
            return model(args[0] if len(args) == 1 else list(args), training=False)

        converter = TFLiteConverter.from_concrete_functions(
            [function(serve).get_concrete_function(*specs)])
    for attribute, value in kwargs.items():
        if attribute == "target_spec" and isinstance(value, dict):
            for key, setting in value.items():
                if not hasattr(converter.target_spec, key):
                    raise ValueError(f"Unknown target_spec attribute {key!r}; it has "
                                     f"supported_ops and supported_types.")
                setattr(converter.target_spec, key, setting)
        elif hasattr(converter, attribute) and not attribute.startswith("_"):
            setattr(converter, attribute, value)
        else:
            raise ValueError(f"Unknown converter attribute {attribute!r} for the LiteRT "
                             f"export.")
    write_bytes(filepath, converter.convert())
    if verbose:
        print(f"Saved artifact at '{filepath}'.")
    return filepath


export_formats.register_export_format("litert", export_litert)
