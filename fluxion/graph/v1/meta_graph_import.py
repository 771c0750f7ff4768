"""``import_meta_graph``: rebuilds a ``.meta`` file written by ``export_meta_graph``
(``fluxion.graph.v1.meta_graph``, which describes the format) into the default graph,
and returns a ``Saver`` of its variables."""

from __future__ import annotations

import json
import os

import numpy as np

from fluxion.core import dtypes
from fluxion.core.tensor import Tensor
from fluxion.graph.v1.graph import GraphKeys, Operation, get_default_graph
from fluxion.graph.v1.meta_graph import _array_of, _decode, _shape_of, read_meta_graph_file
from fluxion.train.tensor_bundle import DTYPE_NAMES


def import_meta_graph(meta_graph_or_file, clear_devices=False, import_scope=None, **kwargs):
    """Rebuilds a ``.meta`` file's graph into the default graph; returns a ``Saver`` of
    its variables (None if it has none)."""
    from fluxion.core.primitive import REGISTRY, bind
    from fluxion.core.variable import Variable
    from fluxion.graph.v1.placeholder import placeholder, placeholder_with_default
    from fluxion.graph.v1.saver import Saver

    meta = meta_graph_or_file
    if not hasattr(meta, "graph_def"):
        meta = read_meta_graph_file(os.fspath(meta_graph_or_file))
    graph = get_default_graph()
    prefix = f"{import_scope}/" if import_scope else ""
    outputs: dict = {}  # "name" / "name:i" -> tensor
    ops: dict = {}  # name -> IR node or Operation, for control inputs
    variables: dict = {}  # exported variable name (with :0) -> new variable
    with graph.building():
        for node in meta.graph_def.node:
            attrs = node.attr
            name = prefix + node.name
            if node.op == "Const":
                outputs[node.name] = Tensor(_array_of(attrs["value"].tensor))
            elif node.op in ("Placeholder", "PlaceholderWithDefault"):
                dtype = dtypes.as_dtype(DTYPE_NAMES[attrs["dtype"].type])
                shape = _shape_of(attrs["shape"].shape)
                if node.op == "Placeholder":
                    outputs[node.name] = placeholder(dtype, shape, name=name)
                else:
                    default = _array_of(attrs["_fluxion_default"].tensor)
                    outputs[node.name] = placeholder_with_default(default, shape, name=name)
            elif node.op == "VarHandleOp" and "_fluxion_trainable" in attrs:
                dtype = dtypes.as_dtype(DTYPE_NAMES[attrs["dtype"].type])
                shape = _shape_of(attrs["shape"].shape)
                initial = _array_of(attrs["_fluxion_initial_value"].tensor) \
                    if "_fluxion_initial_value" in attrs else \
                    np.zeros(shape, dtype.np_dtype)
                with graph.exact_variable_names():
                    variable = Variable(Tensor(initial.astype(dtype.np_dtype)),
                                        trainable=attrs["_fluxion_trainable"].b, name=name,
                                        dtype=dtype)
                if attrs["_fluxion_local"].b:
                    for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.TRAINABLE_VARIABLES):
                        ref = graph.get_collection_ref(key)
                        ref[:] = [v for v in ref if v is not variable]
                    graph.add_to_collection(GraphKeys.LOCAL_VARIABLES, variable)
                variables[node.name + ":0"] = variable
                outputs[node.name] = variable
                if "_fluxion_initializer" in attrs:
                    ops[attrs["_fluxion_initializer"].s.decode()] = graph.initializer_of(variable)
            elif node.op == "NoOp" and "_fluxion_primitive" not in attrs:
                nodes = []
                for dep in node.input:
                    target = ops.get(dep.lstrip("^"))
                    if target is None:
                        continue
                    nodes.extend(target._nodes if isinstance(target, Operation) else [target])
                ops[node.name] = Operation(graph, nodes, graph.unique_name(name))
            else:
                ops[node.name] = _rebuild(graph, node, name, outputs, ops, variables,
                                          REGISTRY, bind)
    _import_collections(graph, meta, prefix, outputs, ops, variables)
    chosen = [v for v in variables.values() if graph.is_v1_variable(v)]
    return Saver(chosen) if chosen else None


def _rebuild(graph, node, name, outputs, ops, variables, registry, bind):
    attrs = node.attr
    if "_fluxion_unrebuildable" in attrs:
        raise ValueError(f"import_meta_graph: node {node.name!r} ({node.op}) calls a Python "
                         f"function, which a .meta file cannot hold; rebuild that part of "
                         f"the graph in code")
    if "_fluxion_primitive" not in attrs:
        raise ValueError(f"import_meta_graph: node {node.name!r} has op {node.op!r} without "
                         f"Fluxion's primitive record; Fluxion imports the .meta files it "
                         f"writes (TensorFlow's own ops are not mapped back)")
    prim_name = attrs["_fluxion_primitive"].s.decode()
    prim = registry.get(prim_name)
    if prim is None:
        raise ValueError(f"import_meta_graph: unknown primitive {prim_name!r} (node "
                         f"{node.name!r}); import the module defining it first")
    params = _decode(json.loads(attrs["_fluxion_attrs"].s.decode()), variables)
    args, deps = [], []
    for source in node.input:
        if source.startswith("^"):
            dep = ops.get(source[1:])
            if dep is not None:
                deps.extend(dep._nodes if isinstance(dep, Operation) else [dep])
            continue
        args.append(outputs[source])
    before = len(graph.ir_graph.nodes)
    result = bind(prim, *args, **params)
    results = list(result) if prim.multiple_results else [result]
    new_nodes = graph.ir_graph.nodes[before:]
    if not new_nodes:  # every input was concrete: computed now, as a constant
        for index, value in enumerate(results):
            outputs[node.name if index == 0 else f"{node.name}:{index}"] = value
        return None
    built = new_nodes[-1]
    graph.rename_node(built, graph.unique_name(name))
    if deps:
        graph.control_inputs[built] = tuple(deps)
    for index, value in enumerate(results):
        outputs[node.name if index == 0 else f"{node.name}:{index}"] = value
    return built


def _import_collections(graph, meta, prefix, outputs, ops, variables) -> None:
    for key, collection in meta.collection_def.items():
        if key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.TRAINABLE_VARIABLES,
                   GraphKeys.LOCAL_VARIABLES):
            continue  # the variables joined them when created
        for item in collection.node_list.value:
            if item in variables:
                graph.add_to_collection(key, variables[item])
            elif item.endswith(":0") and item[:-2] in outputs:
                graph.add_to_collection(key, outputs[item[:-2]])
            elif item in outputs:
                graph.add_to_collection(key, outputs[item])
            elif isinstance(ops.get(item), Operation):
                graph.add_to_collection(key, ops[item])
