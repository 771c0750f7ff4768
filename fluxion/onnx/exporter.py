"""``export``: a Keras Sequential or functional model written as an ONNX file.

The model's graph of layer calls (its ``Node`` s, in topological order) is walked once;
each layer call becomes ONNX nodes through its converter (``registry``), nested models
are inlined, and the result is checked with ``onnx.checker`` before it is written.  The
batch dimension stays dynamic (``dim_param: "batch"``).
"""

from __future__ import annotations

import os
import tempfile

import numpy as np

from fluxion.core import nest
from fluxion.onnx.builder import GraphBuilder
from fluxion.onnx.errors import UnsupportedLayerError
from fluxion.onnx.registry import converter_for

DEFAULT_OPSET = 17
_MIN_OPSET = 13  # Softmax's per-axis semantics, Split/Squeeze/ReduceSum axes as inputs


def _import_onnx():
    try:
        import onnx
    except ImportError as error:
        raise ImportError("Exporting to ONNX needs the 'onnx' package: pip install "
                          "'fluxion[onnx]' (or pip install onnx).") from error
    # importing the converter modules fills the layer table
    from fluxion.onnx import (  # noqa: F401
        convert_activations,
        convert_conv,
        convert_core,
        convert_merge,
        convert_normalization,
        convert_operations,
        convert_preprocessing,
        convert_recurrent,
        convert_reshaping,
    )
    return onnx


def export(model, path=None, opset: int = DEFAULT_OPSET, check: bool = True):
    """Exports a Keras ``Sequential`` or functional ``model`` to ONNX.

    Args:
      model: a built ``keras.Sequential`` or ``keras.Model(inputs, outputs)``.
      path: where to write the ``.onnx`` file (written atomically); None writes nothing.
      opset: the ONNX opset of the default domain, 13 or later (default 17).
      check: run ``onnx.checker.check_model(full_check=True)`` on the result.

    Returns:
      The ``onnx.ModelProto``.

    Raises:
      UnsupportedLayerError: a layer has no ONNX mapping (the error names it and its class).

    >>> import fluxion.onnx  # doctest: +SKIP
    >>> fluxion.onnx.export(model, "model.onnx")  # doctest: +SKIP
    """
    onnx = _import_onnx()
    helper = onnx.helper
    if int(opset) < _MIN_OPSET:
        raise ValueError(f"ONNX export supports opset {_MIN_OPSET} or later; got opset={opset}.")
    graph = GraphBuilder(int(opset))
    inputs, outputs = _model_tensors(model)
    names: dict[int, str] = {}
    input_infos = []
    for tensor in inputs:
        name = graph.reserve(tensor._keras_history[0].name)
        names[id(tensor)] = name
        graph.dtypes[name] = tensor.dtype
        input_infos.append(_value_info(helper, name, tensor))
    # the outputs are named after their layers: claimed before the layers' own tensors
    output_names = [graph.fresh(tensor._keras_history[0].name) for tensor in outputs]
    _convert_model_graph(graph, model, names)
    output_infos = []
    for tensor, name in zip(outputs, output_names):
        graph.node("Identity", [names[id(tensor)]], name, outputs=[name])
        output_infos.append(_value_info(helper, name, tensor))
    nodes, initializers = graph.pruned(output_names)
    onnx_graph = helper.make_graph(nodes, model.name, input_infos, output_infos, initializers)
    opset_ids = [helper.make_opsetid("", int(opset))]
    proto = helper.make_model(onnx_graph, opset_imports=opset_ids, producer_name="fluxion",
                              ir_version=helper.find_min_ir_version_for(opset_ids))
    if check:
        onnx.checker.check_model(proto, full_check=True)
    if path is not None:
        _save_atomically(onnx, proto, os.fspath(path))
    return proto


def _model_tensors(model) -> tuple[list, list]:
    from fluxion.keras.models.functional import Functional
    from fluxion.keras.models.sequential import Sequential

    if not isinstance(model, (Functional, Sequential)):
        raise TypeError(f"ONNX export takes a Keras Sequential or functional model; got "
                        f"{type(model).__name__} {getattr(model, 'name', '')!r}. A subclassed "
                        f"model has no layer graph to export: rebuild it with keras.Input "
                        f"and layer calls.")
    if not model.inputs or not model.outputs:
        raise ValueError(f"ONNX export: model {model.name!r} has no input shape yet; start it "
                         f"with keras.Input(shape) or call model.build(input_shape) first.")
    return list(model.inputs), list(model.outputs)


def _convert_model_graph(graph: GraphBuilder, model, names: dict) -> None:
    """Converts each layer call of ``model``; ``names`` maps KerasTensor ids to ONNX names
    (given for the model's inputs, filled in for every tensor computed)."""
    from fluxion.keras.layers.input_layer import InputLayer
    from fluxion.keras.models.functional import Functional, _topological_nodes
    from fluxion.keras.models.sequential import Sequential

    for node in _topological_nodes(list(model.inputs), list(model.outputs)):
        layer = node.layer
        if isinstance(layer, InputLayer):
            continue
        in_names = [names[id(t)] for t in node.input_tensors]
        if isinstance(layer, (Functional, Sequential)):  # a nested model: inlined
            inner_inputs, _ = _model_tensors(layer)
            inner = {id(t): name for t, name in zip(inner_inputs, in_names)}
            _convert_model_graph(graph, layer, inner)
            out_names = [inner[id(t)] for t in layer.outputs]
        else:
            out_names = _convert_layer(graph, layer, node, in_names)
        for tensor, name in zip(nest.flatten(node.outputs), out_names):
            names[id(tensor)] = name
            graph.dtypes.setdefault(name, tensor.dtype)


def _convert_layer(graph: GraphBuilder, layer, node, in_names: list[str]) -> list[str]:
    converter = converter_for(layer)
    if converter is None:
        raise UnsupportedLayerError(layer)
    dtype = getattr(layer, "compute_dtype", "float32")
    if dtype != "float32":
        raise UnsupportedLayerError(layer, f"its compute dtype is {dtype}; the ONNX exporter "
                                           f"writes float32 models")
    graph.current_node = node  # for converters that read the call's constant arguments
    result = converter(graph, layer, in_names, [tuple(t.shape) for t in node.input_tensors])
    return list(result) if isinstance(result, (list, tuple)) else [result]


def _value_info(helper, name: str, tensor):
    dims = [d if d is not None else ("batch" if i == 0 else None)
            for i, d in enumerate(tensor.shape)]
    elem_type = helper.np_dtype_to_tensor_dtype(np.dtype(tensor.dtype))
    return helper.make_tensor_value_info(name, elem_type, dims)


def _save_atomically(onnx, proto, path: str) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".onnx-", dir=directory)
    os.close(handle)
    try:
        onnx.save(proto, temporary)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
