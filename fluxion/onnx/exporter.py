"""``export``: a Keras model, a ``fluxion.function`` or a concrete function written as an
ONNX file, from the primitives' export slots.

The function is traced into Fluxion's graph of primitives (``fluxion.graph.
export_trace``, shared with the TFLite converter), each primitive becomes ONNX nodes
through ``primitive.export["onnx"]`` (``lowering``), the layout pass removes the
Transposes that cancel (``layout``), and the result is checked with ``onnx.checker``
before it is written.  The batch dimension stays dynamic (``dim_param: "batch"``).
"""

from __future__ import annotations

import os
import re

from fluxion.graph import export_trace
from fluxion.onnx.folding import fold_constants_into_weights
from fluxion.onnx.layout import optimize_layout
from fluxion.onnx.lowering import lower_graph

DEFAULT_OPSET = 17
_MIN_OPSET = 13  # Softmax's per-axis semantics, Split/Squeeze/ReduceSum axes as inputs


def _import_onnx():
    try:
        import onnx
    except ImportError as error:
        raise ImportError("Exporting to ONNX needs the 'onnx' package: pip install "
                          "'fluxion[onnx]' (or pip install onnx).") from error
    return onnx


def export(model, path=None, opset: int = DEFAULT_OPSET, check: bool = True,
           input_signature=None):
    """Exports a Keras model or a function to ONNX.

    Args:
      model: a built Keras model (Sequential, functional or subclassed), a
        ``fluxion.function`` (with an ``input_signature``, here or its own), a plain
        Python function of tensors (with ``input_signature``), or a concrete function
        (``f.get_concrete_function(...)``).
      path: where to write the ``.onnx`` file (written atomically); None writes nothing.
      opset: the ONNX opset of the default domain, 13 or later (default 17).
      check: run ``onnx.checker.check_model(full_check=True)`` on the result.
      input_signature: a list of ``fluxion.TensorSpec`` for a function (a Keras model
        is traced at its own input shapes, the batch left open).

    Returns:
      The ``onnx.ModelProto``.

    Raises:
      UnsupportedOperationError: an operation has no ONNX mapping; the error names the
        primitive, the Keras layer and the line of your code that traced it.

    >>> import fluxion.onnx  # doctest: +SKIP
    >>> fluxion.onnx.export(model, "model.onnx")  # doctest: +SKIP
    """
    onnx = _import_onnx()
    if int(opset) < _MIN_OPSET:
        raise ValueError(f"ONNX export supports opset {_MIN_OPSET} or later; got opset={opset}.")
    graph, input_names, output_names = _trace(model, input_signature)
    onnx_graph = lower_graph(graph, [_valid_name(n) for n in input_names],
                             _output_names(model, output_names), int(opset))
    optimize_layout(onnx_graph)
    fold_constants_into_weights(onnx_graph)
    onnx_graph.prune()
    helper = onnx.helper
    opset_ids = [helper.make_opsetid("", int(opset))]
    proto = helper.make_model(onnx_graph.to_proto(_valid_name(_name_of(model))),
                              opset_imports=opset_ids, producer_name="fluxion",
                              ir_version=helper.find_min_ir_version_for(opset_ids))
    if check:
        onnx.checker.check_model(proto, full_check=True)
    if path is not None:
        _save_atomically(onnx, proto, os.fspath(path))
    return proto


def _trace(model, input_signature):
    caller = "fluxion.onnx.export"
    if hasattr(model, "raw_graph"):  # a concrete function
        return export_trace.trace_concrete_function(model, caller)
    if _is_keras_model(model):
        if input_signature is not None:
            specs = list(input_signature)

            def serve(*args):
                return model(args[0] if len(args) == 1 else list(args), training=False)

            return export_trace.trace_function(serve, specs, caller)
        return export_trace.trace_keras_model(model, caller, open_batch=True)
    if callable(model):
        return export_trace.trace_function(model, input_signature, caller)
    raise TypeError(f"{caller} takes a Keras model, a fluxion.function or a concrete "
                    f"function; got {type(model).__name__}")


def _is_keras_model(model) -> bool:
    return any(cls.__name__ == "Model" and cls.__module__.startswith("fluxion.keras")
               for cls in type(model).__mro__)


def _output_names(model, default: list[str]) -> list[str]:
    """A functional model's outputs are named after the layers that compute them (as
    Keras's own ONNX export does); other functions' ``output_<i>``."""
    if _is_keras_model(model):
        try:
            tensors = list(getattr(model, "outputs", None) or [])
        except (AttributeError, ValueError):
            tensors = []
        names = [_valid_name(t._keras_history[0].name) for t in tensors
                 if getattr(t, "_keras_history", None)]
        if len(names) == len(default) and len(set(names)) == len(names):
            return names
    return default


def _name_of(model) -> str:
    return str(getattr(model, "name", None) or getattr(model, "__name__", None) or "model")


def _valid_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_./:-]", "_", str(name)) or "tensor"


def _save_atomically(onnx, proto, path: str) -> None:
    from fluxion.core.atomic_file import write_bytes

    write_bytes(path, proto.SerializeToString())


def supported_operations() -> list[str]:
    """The names of the primitives that have an ONNX mapping (what a traced function
    may hold and still export)."""
    from fluxion.core.primitive import REGISTRY
    from fluxion.onnx import mappings

    mappings.register_all()
    return sorted(name for name, prim in REGISTRY.items() if "onnx" in prim.export)
