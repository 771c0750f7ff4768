"""The model status and model metadata answers, as TensorFlow Serving renders them.

Status is a ``GetModelStatusResponse`` in protobuf's JSON form (int64 versions as
strings, enums by name, every field printed); metadata is ``{"model_spec": ...,
"metadata": {"signature_def": SignatureDefMap}}`` with proto field names.
"""

from __future__ import annotations

import json

_TF_DTYPES = {
    "float32": "DT_FLOAT", "float64": "DT_DOUBLE", "float16": "DT_HALF",
    "bfloat16": "DT_BFLOAT16", "int8": "DT_INT8", "int16": "DT_INT16", "int32": "DT_INT32",
    "int64": "DT_INT64", "uint8": "DT_UINT8", "uint16": "DT_UINT16", "uint32": "DT_UINT32",
    "uint64": "DT_UINT64", "bool": "DT_BOOL", "string": "DT_STRING",
    "complex64": "DT_COMPLEX64", "complex128": "DT_COMPLEX128",
}


def status_json(states: list) -> str:
    """``GetModelStatusResponse`` JSON for ``[VersionState]``."""
    return json.dumps({"model_version_status": [
        {"version": str(s.version), "state": s.state,
         "status": {"error_code": s.error_code, "error_message": s.error_message}}
        for s in states]}, indent=1)


def _tensor_info(info, tensor_name: str) -> dict:
    if info.shape is None:
        shape = {"dim": [], "unknown_rank": True}
    else:
        shape = {"dim": [{"size": str(-1 if d is None else d), "name": ""} for d in info.shape],
                 "unknown_rank": False}
    return {"dtype": _TF_DTYPES.get(info.dtype, "DT_INVALID"), "tensor_shape": shape,
            "name": tensor_name}


def signature_def_json(signature) -> dict:
    """One ``SignatureDef``: inputs, outputs (named as a TF 2 export names its tensors)."""
    inputs = {name: _tensor_info(info, f"{signature.name}_{name}:0")
              for name, info in sorted(signature.inputs.items())}
    outputs = {name: _tensor_info(info, f"StatefulPartitionedCall:{index}")
               for index, (name, info) in enumerate(sorted(signature.outputs.items()))}
    return {"inputs": inputs, "outputs": outputs, "method_name": signature.method_name,
            "defaults": {}}


def metadata_json(servable) -> str:
    """``GetModelMetadataResponse`` JSON with the ``signature_def`` metadata."""
    signature_defs = {name: signature_def_json(sig)
                      for name, sig in sorted(servable.signatures.items())}
    return json.dumps({
        "model_spec": {"name": servable.name, "signature_name": "",
                       "version": str(servable.version)},
        "metadata": {"signature_def": {"signature_def": signature_defs}},
    }, indent=1)
