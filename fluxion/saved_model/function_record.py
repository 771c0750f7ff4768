"""What a saved function is: a graph plus how calls map onto its inputs and outputs.

A ``FunctionRecord`` holds the graph of one trace, the call structure ``(args,
kwargs)`` with an ``InputLeaf`` (graph input index and ``TensorSpec``) where a tensor
goes, and the output structure with an ``OutputLeaf`` (graph output index) where a
tensor comes out.  Records come from concrete functions (``from_concrete``) or from
loaded ones, and are written as JSON (``structure_json``) and read back
(``read_structure``).

Signature names follow TensorFlow's rules (``input_names``, ``output_names``): an input
takes its ``TensorSpec``'s name if it has one, else its parameter's name, with ``_1``,
``_2``... for the further tensors of a nested argument (``args_0`` when the parameter
has no name); outputs are the keys of a returned dict, else ``output_0``, ``output_1``...
"""

from __future__ import annotations

from fluxion.core import dtypes, nest
from fluxion.core.tensor_spec import TensorSpec
from fluxion.graph.ir import Graph
from fluxion.graph.passes import prune, simplify_to_fixed_point
from fluxion.saved_model import attr_codec


class InputLeaf:
    """A tensor argument: graph input ``index``, described by ``spec``."""

    __slots__ = ("index", "spec")

    def __init__(self, index: int, spec: TensorSpec):
        self.index = index
        self.spec = spec

    def __repr__(self) -> str:
        return f"InputLeaf({self.index}, {self.spec!r})"


class OutputLeaf:
    """A tensor result: graph output ``index``."""

    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index

    def __repr__(self) -> str:
        return f"OutputLeaf({self.index})"


class FunctionRecord:
    """A graph and the structures of the calls and results it serves."""

    def __init__(self, name: str, graph: Graph, inputs, outputs,
                 parameter_names: list | None = None):
        self.name = name
        self.graph = graph
        self.inputs = inputs  # (args tuple, kwargs dict) with InputLeaf leaves
        self.outputs = outputs  # with OutputLeaf leaves
        self.parameter_names = list(parameter_names or [])

    def input_leaves(self) -> list[InputLeaf]:
        return [leaf for leaf in nest.flatten(self.inputs) if isinstance(leaf, InputLeaf)]

    def output_leaves(self) -> list[OutputLeaf]:
        return [leaf for leaf in nest.flatten(self.outputs) if isinstance(leaf, OutputLeaf)]


def from_concrete(concrete, name: str) -> FunctionRecord:
    """The record of a ``ConcreteFunction`` (pruned and simplified, not yet fused)."""
    from fluxion.graph.concrete import _OUTPUT

    specs = concrete.input_specs
    if specs is None:
        raise ValueError(f"{concrete!r} was not traced by fluxion.function, so its call "
                         f"structure is unknown and it cannot be saved")
    flat = nest.flatten(specs)
    by_position = {position: k for k, position in enumerate(concrete._input_positions)}
    leaves = [InputLeaf(by_position[i], leaf) if i in by_position else leaf
              for i, leaf in enumerate(flat)]
    inputs = nest.pack_sequence_as(specs, leaves)
    counter = iter(range(len(concrete.raw_graph.outputs)))
    if concrete.structured_outputs is _OUTPUT:
        outputs = OutputLeaf(next(counter))
    else:
        out_flat = nest.flatten(concrete.structured_outputs)
        outputs = nest.pack_sequence_as(concrete.structured_outputs, [
            OutputLeaf(next(counter)) if leaf is _OUTPUT else leaf for leaf in out_flat])
    graph = simplify_to_fixed_point(prune(concrete.raw_graph))
    return FunctionRecord(name, graph, inputs, outputs, concrete.parameter_names)


# --- signature names -----------------------------------------------------------------------
def input_names(record: FunctionRecord) -> list[tuple[str, InputLeaf]]:
    """``(name, leaf)`` for every tensor input, in graph-input order, by TF's rules."""
    args, kwargs = record.inputs
    named = []
    for position, arg in enumerate(args):
        parameter = record.parameter_names[position] \
            if position < len(record.parameter_names) else f"args_{position}"
        named += _name_leaves(parameter, arg)
    for key in sorted(kwargs):
        named += _name_leaves(str(key), kwargs[key])
    taken: set[str] = set()
    result = []
    for name, leaf in named:
        unique, suffix = name, 1
        while unique in taken:
            unique, suffix = f"{name}_{suffix}", suffix + 1
        taken.add(unique)
        result.append((unique, leaf))
    return sorted(result, key=lambda item: item[1].index)


def _name_leaves(parameter: str, value) -> list[tuple[str, InputLeaf]]:
    leaves = [leaf for leaf in nest.flatten(value) if isinstance(leaf, InputLeaf)]
    return [(leaf.spec.name or (parameter if j == 0 else f"{parameter}_{j}"), leaf)
            for j, leaf in enumerate(leaves)]


def output_names(record: FunctionRecord) -> list[tuple[str, OutputLeaf]]:
    """``(name, leaf)`` for every tensor output: a dict's keys, else ``output_<i>``."""
    outputs = record.outputs
    if isinstance(outputs, dict) and all(isinstance(v, OutputLeaf) for v in outputs.values()):
        return [(str(key), outputs[key]) for key in sorted(outputs, key=str)]
    return [(f"output_{i}", leaf) for i, leaf in enumerate(record.output_leaves())]


# --- structures as JSON --------------------------------------------------------------------
def structure_json(structure):
    """A call or output structure as tagged JSON (``read_structure`` reverses it)."""
    if isinstance(structure, InputLeaf):
        return {"tensor": {"index": structure.index, **spec_json(structure.spec)}}
    if isinstance(structure, OutputLeaf):
        return {"tensor": {"index": structure.index}}
    if isinstance(structure, (list, tuple)):  # a namedtuple is kept as a plain tuple
        tag = "list" if isinstance(structure, list) else "tuple"
        return {tag: [structure_json(item) for item in structure]}
    if isinstance(structure, dict):
        for key in structure:
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise TypeError(f"a dict key of a saved function's arguments or results "
                                f"must be a string or an integer, got {key!r}")
        return {"dict": [[key, structure_json(structure[key])]
                         for key in sorted(structure, key=str)]}
    try:
        return {"value": attr_codec.encode(structure, _NoReferences())}
    except attr_codec.UnsavableAttribute as error:
        raise TypeError(f"a Python value in a function's arguments or results holds "
                        f"{error}") from None


class _NoReferences:
    def add_constant(self, array):
        raise attr_codec.UnsavableAttribute("a NumPy array (pass it as a tensor)")

    def variable_index(self, variable):
        raise attr_codec.UnsavableAttribute("a variable")

    def encode_graph(self, graph):
        raise attr_codec.UnsavableAttribute("a graph")

    constant = variable_ref = decode_graph = add_constant


def spec_json(spec: TensorSpec) -> dict:
    dims = spec.shape.as_list() if spec.shape.rank is not None else None
    return {"name": spec.name, "shape": dims, "dtype": spec.dtype.name}


def read_structure(data, fail, kind: str, graph_count: int, depth: int = 0):
    """The structure ``data`` encodes; ``fail(message)`` raises.  ``kind`` is "input" or
    "output"; tensor indices must be below ``graph_count``."""
    if depth > attr_codec.MAX_DEPTH:
        fail(f"the {kind} structure is nested too deeply")
    if not isinstance(data, dict) or len(data) != 1:
        fail(f"the {kind} structure has an entry that is not a one-key object: {data!r}")
    (tag, payload), = data.items()
    if tag in ("tuple", "list"):
        if not isinstance(payload, list):
            fail(f"the {kind} structure's {tag!r} must hold a list")
        items = [read_structure(item, fail, kind, graph_count, depth + 1) for item in payload]
        return tuple(items) if tag == "tuple" else items
    if tag == "dict":
        if not isinstance(payload, list):
            fail(f"the {kind} structure's 'dict' must hold [key, value] pairs")
        result = {}
        for pair in payload:
            if not isinstance(pair, list) or len(pair) != 2 or \
                    not isinstance(pair[0], (str, int)) or isinstance(pair[0], bool):
                fail(f"the {kind} structure has a bad dict entry {pair!r}")
            result[pair[0]] = read_structure(pair[1], fail, kind, graph_count, depth + 1)
        return result
    if tag == "value":
        try:
            return attr_codec.decode(payload, _NoReferences())
        except (attr_codec.BadAttribute, attr_codec.UnsavableAttribute) as error:
            fail(f"the {kind} structure has a bad value: {error}")
    if tag == "tensor":
        return _read_tensor_leaf(payload, fail, kind, graph_count)
    fail(f"the {kind} structure has an unknown tag {tag!r}")


def _read_tensor_leaf(payload, fail, kind: str, graph_count: int):
    expected = {"index"} | ({"name", "shape", "dtype"} if kind == "input" else set())
    if not isinstance(payload, dict) or set(payload) != expected:
        fail(f"a tensor {kind} must have exactly the fields {sorted(expected)}: {payload!r}")
    index = payload["index"]
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < graph_count:
        fail(f"a tensor {kind} refers to graph {kind} {index!r}; the graph has {graph_count}")
    if kind == "output":
        return OutputLeaf(index)
    return InputLeaf(index, read_spec(payload, fail))


def read_spec(payload: dict, fail) -> TensorSpec:
    name, shape, dtype = payload.get("name"), payload.get("shape"), payload.get("dtype")
    if name is not None and not isinstance(name, str):
        fail(f"a tensor spec's name must be a string or null, got {name!r}")
    if shape is not None and (not isinstance(shape, list) or any(
            d is not None and (isinstance(d, bool) or not isinstance(d, int) or d < 0)
            for d in shape)):
        fail(f"a tensor spec has an invalid shape {shape!r}")
    try:
        return TensorSpec(shape, dtypes.as_dtype(dtype), name)
    except (TypeError, ValueError):
        fail(f"a tensor spec has an unknown dtype {dtype!r}")
