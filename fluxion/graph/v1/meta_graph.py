"""``export_meta_graph``: a TF 1 graph as a ``.meta`` file (a ``MetaGraphDef``), what
``Saver`` writes next to its checkpoints (``import_meta_graph`` in
``fluxion.graph.v1.meta_graph_import`` reads it back).

Export writes one ``NodeDef`` per graph node, named as the graph names it
(``MatMul_1``), with TensorFlow's op type where the graph API names one
(``fluxion.graph.v1.op_names``), its inputs (``producer:index``, ``^op`` for control
dependencies) and ``T``/``dtype``/``shape`` attributes; placeholders become
``Placeholder`` nodes, constants ``Const`` nodes (their ``TensorProto``), variables
``VarHandleOp`` nodes with their initial value, groups (``init``, train ops) ``NoOp``
nodes.  So that Fluxion can rebuild the graph exactly, each node also carries
``_fluxion_primitive`` and ``_fluxion_attrs`` (its primitive and attributes, JSON);
TensorFlow keeps ``_``-prefixed attributes as internal.  Collections of variables,
tensors and ops become ``CollectionDef`` node lists.

Import rebuilds the nodes into the default graph (prefixed by ``import_scope``), the
variables (initialized to their initial values by ``global_variables_initializer``),
the groups and the collections, and returns a ``Saver`` for the variables, so the
TF 1 idiom works::

    saver = tf.train.import_meta_graph("model.ckpt.meta")
    saver.restore(sess, "model.ckpt")
    y = tf.get_default_graph().get_tensor_by_name("y:0")
"""

from __future__ import annotations

import json
import os

import numpy as np

from fluxion.core import dtypes
from fluxion.core.tensor import TensorRef
from fluxion.core.tensor_shape import TensorShape
from fluxion.graph.v1.graph import GraphKeys, Operation, get_default_graph
from fluxion.graph.v1.meta_graph_proto import messages
from fluxion.train.tensor_bundle import DATATYPE_ENUM, DTYPE_NAMES

_SKIPPED_COLLECTIONS = ("queue_runners", "savers", "cond_context", "while_context")


class _Unencodable(Exception):
    pass


# --- attributes as JSON ------------------------------------------------------------------
def _encode(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dtypes.DType):
        return {"__dtype__": value.name}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {"__dict__": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        if array.dtype == object:
            raise _Unencodable(value)
        return {"__array__": array.tolist(), "dtype": array.dtype.str}
    if isinstance(value, slice):
        return {"__slice__": [_encode(value.start), _encode(value.stop), _encode(value.step)]}
    if value is Ellipsis:
        return {"__ellipsis__": True}
    if isinstance(value, TensorShape):
        return {"__shape__": value.as_list() if value.rank is not None else None}
    if isinstance(value, TensorRef):
        target = value.deref()
        if hasattr(target, "_read_for_op"):
            return {"__variable__": target.name}
    raise _Unencodable(value)


def _decode(value, variables: dict):
    if isinstance(value, list):
        return [_decode(v, variables) for v in value]
    if not isinstance(value, dict):
        return value
    if "__dtype__" in value:
        return dtypes.as_dtype(value["__dtype__"])
    if "__tuple__" in value:
        return tuple(_decode(v, variables) for v in value["__tuple__"])
    if "__dict__" in value:
        return {_decode(k, variables): _decode(v, variables) for k, v in value["__dict__"]}
    if "__array__" in value:
        return np.asarray(value["__array__"], dtype=np.dtype(value["dtype"]))
    if "__slice__" in value:
        return slice(*[_decode(v, variables) for v in value["__slice__"]])
    if "__ellipsis__" in value:
        return Ellipsis
    if "__shape__" in value:
        return TensorShape(value["__shape__"])
    if "__variable__" in value:
        return TensorRef(variables[value["__variable__"]])
    raise ValueError(f"Unknown encoded attribute {value!r}")


# --- protos --------------------------------------------------------------------------------
def _shape_proto(proto, shape) -> None:
    shape = TensorShape(shape)
    if shape.rank is None:
        proto.unknown_rank = True
        return
    for dim in shape.as_list():
        proto.dim.add(size=-1 if dim is None else int(dim))


def _shape_of(proto):
    if proto.unknown_rank:
        return None
    return [None if d.size < 0 else int(d.size) for d in proto.dim]


def _dtype_enum(dtype) -> int:
    return DATATYPE_ENUM.get(dtypes.as_dtype(dtype).name, 0)


def _tensor_proto(proto, array: np.ndarray) -> None:
    array = np.asarray(array)
    kind = "string" if array.dtype == object or array.dtype.kind in "SU" else array.dtype.name
    proto.dtype = DATATYPE_ENUM.get(kind, 0)
    _shape_proto(proto.tensor_shape, array.shape)
    if kind == "string":
        proto.string_val.extend(v if isinstance(v, bytes) else str(v).encode()
                                for v in array.reshape(-1))
    else:
        proto.tensor_content = np.ascontiguousarray(array).astype(
            array.dtype.newbyteorder("<")).tobytes()


def _array_of(proto) -> np.ndarray:
    name = DTYPE_NAMES.get(proto.dtype)
    shape = _shape_of(proto.tensor_shape) or []
    if name == "string":
        return np.asarray(list(proto.string_val), dtype=object).reshape(shape)
    dtype = dtypes.as_dtype(name).np_dtype
    return np.frombuffer(proto.tensor_content, dtype=np.dtype(dtype).newbyteorder("<")) \
        .astype(dtype).reshape(shape)


# --- export ----------------------------------------------------------------------------------
def _value_name(graph, value) -> str:
    if value.producer is None:
        return value.name[:-2] if value.name and value.name.endswith(":0") else value.name
    node_name = graph.node_name(value.producer)
    index = value.producer.outputs.index(value)
    return node_name if index == 0 else f"{node_name}:{index}"


def export_meta_graph(filename=None, meta_info_def=None, graph_def=None, saver_def=None,
                      collection_list=None, as_text=False, graph=None, export_scope=None,
                      clear_devices=False, clear_extraneous_savers=False,
                      strip_default_attrs=False, save_debug_info=False, **kwargs):
    """The graph's ``MetaGraphDef`` (written to ``filename`` when given, binary or
    text); see the module doc for what it holds."""
    from fluxion.graph.v1 import op_names

    graph = graph or get_default_graph()
    classes = messages()
    meta = classes["MetaGraphDef"]()
    meta.meta_info_def.meta_graph_version = "v2.21.0"
    meta.meta_info_def.tensorflow_version = "2.21.0"
    meta.meta_info_def.tensorflow_git_version = "fluxion"
    meta.graph_def.versions.producer = 2474
    nodes = meta.graph_def.node
    constants: dict = {}

    def const_name(value) -> str:
        if id(value) not in constants:
            name = graph.unique_name("Const", mark_as_used=False)
            while name in constants.values() or name in graph._names:
                name = f"{name}_c"
            node = nodes.add(name=name, op="Const")
            node.attr["dtype"].type = _dtype_enum(value.aval.dtype)
            _tensor_proto(node.attr["value"].tensor, value.constant)
            constants[id(value)] = name
        return constants[id(value)]

    def input_name(value) -> str:
        return const_name(value) if value.is_constant else _value_name(graph, value)

    for value in graph.ir_graph.inputs:
        info = graph._placeholders.get(value.id, {})
        node = nodes.add(name=_value_name(graph, value), op="Placeholder")
        node.attr["dtype"].type = _dtype_enum(value.aval.dtype)
        _shape_proto(node.attr["shape"].shape,
                     value.aval.shape if info.get("known_rank", True) else None)
        if info.get("default") is not None:
            node.op = "PlaceholderWithDefault"
            _tensor_proto(node.attr["_fluxion_default"].tensor, info["default"])
    initializer_nodes = {}
    for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.LOCAL_VARIABLES):
        for variable in graph.get_collection(key):
            op = graph.initializer_of(variable)
            node = nodes.add(name=variable.name[:-2], op="VarHandleOp")
            node.attr["dtype"].type = _dtype_enum(variable.dtype)
            _shape_proto(node.attr["shape"].shape, variable.shape)
            node.attr["_fluxion_trainable"].b = bool(variable.trainable)
            node.attr["_fluxion_local"].b = key == GraphKeys.LOCAL_VARIABLES
            initial = graph._initial_values.get(id(variable))
            if initial is not None and not hasattr(initial, "_graph_value"):
                _tensor_proto(node.attr["_fluxion_initial_value"].tensor,
                              np.asarray(initial._value))
            if op is not None:
                for init_node in op._nodes:
                    initializer_nodes[id(init_node)] = graph.node_name(init_node)
                node.attr["_fluxion_initializer"].s = op.name.encode()
    for ir_node in graph.ir_graph.nodes:
        if id(ir_node) in initializer_nodes:
            continue
        inputs = [input_name(v) for v in ir_node.inputs]  # constants are written first
        node = nodes.add(name=graph.node_name(ir_node),
                         op=op_names.primitive_op_name(ir_node.prim))
        node.input.extend(inputs)
        node.input.extend("^" + graph.node_name(dep)
                          for dep in graph.control_inputs.get(ir_node, ()))
        if ir_node.outputs:
            node.attr["T"].type = _dtype_enum(ir_node.outputs[0].aval.dtype)
        node.attr["_fluxion_primitive"].s = ir_node.prim.name.encode()
        try:
            node.attr["_fluxion_attrs"].s = json.dumps(_encode(dict(ir_node.attrs))).encode()
        except _Unencodable:
            node.attr["_fluxion_unrebuildable"].b = True  # a Python function (py_call)
    taken = {n.name for n in nodes}
    for name, op in graph._operations.items():
        if name in taken or any(id(n) in initializer_nodes for n in op._nodes) and \
                op.type == "AssignVariableOp":
            continue
        node = nodes.add(name=name, op="NoOp")
        node.input.extend("^" + initializer_nodes.get(id(n), graph.node_name(n))
                          for n in op._nodes)
    for key, items in graph._collections.items():
        if key in _SKIPPED_COLLECTIONS or (collection_list and key not in collection_list):
            continue
        names = [_item_name(graph, item) for item in items]
        if names and all(n is not None for n in names):
            meta.collection_def[key].node_list.value.extend(names)
    if saver_def is not None:
        meta.saver_def.CopyFrom(saver_def)
    else:
        meta.saver_def.version = 2
        meta.saver_def.max_to_keep = 5
    if filename:
        _write(meta, filename, as_text)
    return meta


def _item_name(graph, item):
    if isinstance(item, Operation):
        return item.name
    if hasattr(item, "_read_for_op") or hasattr(item, "_graph_value"):
        return getattr(item, "name", None)
    return None


def _write(meta, filename, as_text: bool) -> None:
    os.makedirs(os.path.dirname(os.fspath(filename)) or ".", exist_ok=True)
    if as_text:
        from google.protobuf import text_format

        with open(filename, "w") as handle:
            handle.write(text_format.MessageToString(meta))
    else:
        with open(filename, "wb") as handle:
            handle.write(meta.SerializeToString())


def read_meta_graph_file(filename):
    """The ``MetaGraphDef`` in ``filename`` (binary or text)."""
    meta = messages()["MetaGraphDef"]()
    with open(filename, "rb") as handle:
        data = handle.read()
    try:
        meta.ParseFromString(data)
    except Exception:  # noqa: BLE001 - not binary: try the text format
        from google.protobuf import text_format

        text_format.Merge(data.decode("utf-8"), meta)
    return meta
