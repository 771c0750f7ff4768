"""``Model.export(format="onnx")``: the ONNX exporter registered as a Keras export format."""

from __future__ import annotations

from fluxion.keras.saving import export_formats
from fluxion.onnx import DEFAULT_OPSET, export


def export_onnx(model, filepath, verbose=None, input_signature=None, **kwargs) -> None:
    """Writes ``model`` as an ONNX file; ``opset_version`` picks the opset (default 17).

    The model's own input shapes are used, the batch dimension left dynamic, unless
    ``input_signature`` (a list of ``TensorSpec`` s) gives others.
    """
    export(model, filepath, opset=kwargs.pop("opset_version", None) or DEFAULT_OPSET,
           input_signature=input_signature, **kwargs)
    if verbose:
        print(f"Saved artifact at '{filepath}'.")


export_formats.register_export_format("onnx", export_onnx)
