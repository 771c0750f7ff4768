"""Graphs of the IR to JSON and back, checked node by node when read.

A graph is written as

    {"name": "serve",
     "inputs":    [{"id": 0, "shape": [null, 4], "dtype": "float32"}, ...],
     "constants": [{"id": 1, "key": "c0", "shape": [4, 2], "dtype": "float32"}, ...],
     "nodes":     [{"primitive": "matmul", "inputs": [0, 1], "attrs": {...},
                    "outputs": [{"id": 2, "shape": [null, 2], "dtype": "float32"}]}, ...],
     "outputs":   [2]}

Values are numbered within their graph; a constant's array is stored outside the JSON
under its key (``GraphWriter.constants``); attributes go through ``attr_codec``, nested
graphs (``cond``'s branches, ``while``'s body) inline.

Reading (``GraphReader``) trusts nothing: every field has its expected JSON type, ids
are unique and defined before use, each primitive is looked up by name in the registry
(``primitive_lookup``), attribute names must be ones the primitive's kernel takes, and
the primitive's shape rule is run on the node's inputs and attributes: a rule that
rejects them, or outputs whose dtypes or shapes differ from the recorded ones, make the
file malformed.  Every fault is a ``SavedModelError`` naming the file and the node.
"""

from __future__ import annotations

import inspect

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval
from fluxion.core.tensor import TensorRef
from fluxion.graph.ir import Graph, Node, Value
from fluxion.saved_model import attr_codec
from fluxion.saved_model.errors import SavedModelError
from fluxion.saved_model.primitive_lookup import REFUSED, lookup

MAX_RANK = 64
MAX_GRAPH_NESTING = 32  # cond in while in cond...: deeper is refused, not a crash


# --- writing ---------------------------------------------------------------------------------
class UnsavableGraph(TypeError):
    """A graph holds something the format cannot (the message names the node)."""


class GraphWriter:
    """Encodes graphs; collects their constants and the variables they use."""

    def __init__(self):
        self.constants: dict[str, np.ndarray] = {}
        self._constant_keys: dict[int, tuple] = {}  # id(array) -> (array, key)
        self.variables: list = []
        self._variable_indices: dict[int, int] = {}

    def add_variable(self, variable) -> int:
        index = self._variable_indices.get(id(variable))
        if index is None:
            index = len(self.variables)
            self.variables.append(variable)
            self._variable_indices[id(variable)] = index
        return index

    # the context attr_codec.encode expects
    def variable_index(self, variable) -> int:
        return self.add_variable(variable)

    def add_constant(self, array: np.ndarray) -> str:
        entry = self._constant_keys.get(id(array))
        if entry is None:
            entry = (array, f"c{len(self.constants)}")
            self._constant_keys[id(array)] = entry
            self.constants[entry[1]] = array
        return entry[1]

    def encode_graph(self, graph: Graph) -> dict:
        numbers: dict[int, int] = {}

        def number(value: Value) -> int:
            if value.id not in numbers:
                numbers[value.id] = len(numbers)
            return numbers[value.id]

        inputs = [dict(id=number(v), **_aval_json(v.aval)) for v in graph.inputs]
        constants, nodes = [], []
        seen_constants: set[int] = set()
        for index, node in enumerate(graph.nodes):
            for value in node.inputs:
                if value.is_constant and value.id not in seen_constants:
                    seen_constants.add(value.id)
                    constants.append(self._constant_json(value, number(value)))
            attrs = {}
            for name, attr in node.attrs.items():
                try:
                    attrs[name] = attr_codec.encode(attr, self)
                except attr_codec.UnsavableAttribute as error:
                    where = f" (created at {node.origin[1]})" \
                        if node.origin and node.origin[1] else ""
                    raise UnsavableGraph(
                        f"graph {graph.name!r}, node {index} ({node.prim.name}){where}: "
                        f"attribute {name!r} holds {error}. A saved model holds only "
                        f"Fluxion's primitives with plain-data attributes; ops that call "
                        f"Python (py_function, numpy_function) cannot be saved.") from None
            nodes.append({"primitive": node.prim.name,
                          "inputs": [number(v) for v in node.inputs], "attrs": attrs,
                          "outputs": [dict(id=number(v), **_aval_json(v.aval))
                                      for v in node.outputs]})
        for value in graph.outputs:
            if value.is_constant and value.id not in seen_constants:
                seen_constants.add(value.id)
                constants.append(self._constant_json(value, number(value)))
        return {"name": graph.name, "inputs": inputs, "constants": constants, "nodes": nodes,
                "outputs": [number(v) for v in graph.outputs]}

    def _constant_json(self, value: Value, number: int) -> dict:
        array = np.asarray(value.constant)
        return dict(id=number, key=self.add_constant(array), **_aval_json(value.aval))


def _aval_json(aval: Aval) -> dict:
    return {"shape": [None if d is None else int(d) for d in aval.shape],
            "dtype": aval.dtype.name}


# --- reading ---------------------------------------------------------------------------------
class GraphReader:
    """Decodes and checks graphs of one file.

    ``constant_arrays``: key -> array (the file's constants); ``variables``: the loaded
    variables, by index; ``path``: the JSON file, named in errors.
    """

    def __init__(self, path: str, constant_arrays: dict, variables: list):
        self.path = path
        self._arrays = constant_arrays
        self._variables = variables
        self._where = "graph"
        self._nesting = 0

    def fail(self, message: str):
        raise SavedModelError(self.path, f"{self._where}: {message}")

    # the context attr_codec.decode expects
    def constant(self, key: str) -> np.ndarray:
        if key not in self._arrays:
            raise attr_codec.BadAttribute(f"no constant {key!r} in the saved constants")
        return self._arrays[key]

    def variable_ref(self, index: int) -> TensorRef:
        if not 0 <= index < len(self._variables):
            raise attr_codec.BadAttribute(f"variable {index} does not exist (the model has "
                                          f"{len(self._variables)} variables)")
        return TensorRef(self._variables[index])

    def decode_graph(self, data, where: str | None = None) -> Graph:
        saved_where = self._where
        if where is not None:
            self._where = where
        self._nesting += 1
        try:
            if self._nesting > MAX_GRAPH_NESTING:
                self.fail(f"graphs are nested more than {MAX_GRAPH_NESTING} deep")
            return self._decode(data)
        finally:
            self._nesting -= 1
            self._where = saved_where

    def _decode(self, data) -> Graph:
        fields = self._fields(data, "graph", {"inputs": list, "constants": list,
                                              "nodes": list, "outputs": list},
                              optional={"name": str})
        graph = Graph(name=fields.get("name", "graph"))
        values: dict[int, Value] = {}

        def define(entry, what: str, constant=None) -> Value:
            entry_id = entry.get("id")
            if not isinstance(entry_id, int) or isinstance(entry_id, bool) or entry_id < 0:
                self.fail(f"{what} has no valid 'id' (a non-negative integer): {entry!r}")
            if entry_id in values:
                self.fail(f"value id {entry_id} is defined twice")
            value = Value(self._aval(entry, what), constant=constant)
            values[entry_id] = value
            return value

        for position, entry in enumerate(fields["inputs"]):
            self._fields(entry, f"input {position}", {"id": int, "shape": list, "dtype": str})
            graph.inputs.append(define(entry, f"input {position}"))
        for position, entry in enumerate(fields["constants"]):
            what = f"constant {position}"
            self._fields(entry, what, {"id": int, "key": str, "shape": list, "dtype": str})
            array = self._arrays.get(entry["key"])
            if array is None:
                self.fail(f"{what} refers to {entry['key']!r}, which is not among the saved "
                          f"constants")
            aval = self._aval(entry, what)
            if tuple(array.shape) != aval.shape or \
                    dtypes.from_numpy(array.dtype) is not aval.dtype:
                self.fail(f"{what} ({entry['key']!r}) is declared {_aval_text(aval)} but its "
                          f"stored array is {array.dtype}{list(array.shape)}")
            define(entry, what, constant=array)
        outer_where = self._where
        for index, entry in enumerate(fields["nodes"]):
            self._where = f"{outer_where}, node {index}"
            graph.nodes.append(self._node(entry, values, graph.name))
        self._where = outer_where
        for position, ref in enumerate(fields["outputs"]):
            graph.outputs.append(self._ref(ref, values, f"output {position}"))
        return graph

    def _node(self, entry, values: dict, graph_name: str) -> Node:
        fields = self._fields(entry, "node", {"primitive": str, "inputs": list, "attrs": dict,
                                              "outputs": list})
        name = fields["primitive"]
        self._where += f" ({name})"
        prim = lookup(name)
        if prim is None:
            why = REFUSED.get(name)
            self.fail(f"primitive {name!r} may not be loaded from a file: {why}" if why
                      else f"unknown primitive {name!r}: no Fluxion primitive has this name")
        inputs = [self._ref(ref, values, f"input {i}") for i, ref in enumerate(fields["inputs"])]
        attrs = {}
        for attr_name, data in fields["attrs"].items():
            try:
                attrs[attr_name] = attr_codec.decode(data, _Nested(self, attr_name))
            except attr_codec.BadAttribute as error:
                self.fail(f"attribute {attr_name!r}: {error}")
        self._check_attr_names(prim, attrs)
        outputs = []
        for position, out in enumerate(fields["outputs"]):
            self._fields(out, f"output {position}", {"id": int, "shape": list, "dtype": str})
        declared = [self._aval(out, f"output {i}") for i, out in enumerate(fields["outputs"])]
        self._check_shape_rule(prim, inputs, attrs, declared)
        node = Node(prim, inputs, attrs, [], None)
        for position, out in enumerate(fields["outputs"]):
            entry_id = out["id"]
            if isinstance(entry_id, bool) or entry_id < 0 or entry_id in values:
                self.fail(f"output {position} has an invalid or repeated id {entry_id!r}")
            value = Value(declared[position], producer=node)
            values[entry_id] = value
            outputs.append(value)
        node.outputs = outputs
        return node

    def _check_attr_names(self, prim, attrs: dict) -> None:
        accepted, required = _kernel_keywords(prim)
        public = {name for name in attrs if not name.startswith("_")}
        if accepted is not None:
            unknown = sorted(public - accepted)
            if unknown:
                self.fail(f"attribute(s) {unknown} are not taken by primitive "
                          f"{prim.name!r} (it takes: {sorted(accepted) or 'none'})")
        missing = sorted(required - public)
        if missing:
            self.fail(f"primitive {prim.name!r} needs attribute(s) {missing}")

    def _check_shape_rule(self, prim, inputs: list, attrs: dict, declared: list) -> None:
        try:
            result = prim.shape_rule(*[v.aval for v in inputs], **attrs)
        except Exception as error:  # noqa: BLE001 - any rejection makes the node malformed
            self.fail(f"the primitive rejects this node's inputs "
                      f"({', '.join(_aval_text(v.aval) for v in inputs) or 'none'}) or "
                      f"attributes: {type(error).__name__}: {error}")
        rule = list(result) if prim.multiple_results else [result]
        if len(rule) != len(declared):
            self.fail(f"declares {len(declared)} outputs; the primitive makes {len(rule)}")
        for position, (got, want) in enumerate(zip(rule, declared)):
            if got.dtype is not want.dtype or len(got.shape) != len(want.shape) or any(
                    g is not None and w is not None and g != w
                    for g, w in zip(got.shape, want.shape)):
                self.fail(f"output {position} is declared {_aval_text(want)} but the "
                          f"primitive makes {_aval_text(got)} from these inputs")

    def _ref(self, ref, values: dict, what: str) -> Value:
        if isinstance(ref, bool) or not isinstance(ref, int) or ref not in values:
            self.fail(f"{what} refers to value {ref!r}, which is not defined before it")
        return values[ref]

    def _aval(self, entry: dict, what: str) -> Aval:
        shape = entry["shape"]
        if len(shape) > MAX_RANK or any(
                d is not None and (isinstance(d, bool) or not isinstance(d, int) or d < 0)
                for d in shape):
            self.fail(f"{what} has an invalid shape {shape!r} (a list of non-negative "
                      f"integers or null, at most {MAX_RANK} long)")
        try:
            dtype = dtypes.as_dtype(entry["dtype"])
        except (TypeError, ValueError):
            self.fail(f"{what} has an unknown dtype {entry['dtype']!r}")
        return Aval(tuple(shape), dtype)

    def _fields(self, data, what: str, required: dict, optional: dict | None = None) -> dict:
        if not isinstance(data, dict):
            self.fail(f"{what} must be a JSON object, got {type(data).__name__}")
        optional = optional or {}
        for key in required:
            if key not in data:
                self.fail(f"{what} has no {key!r} field")
        for key, value in data.items():
            kind = required.get(key, optional.get(key))
            if kind is None:
                self.fail(f"{what} has an unknown field {key!r}")
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                self.fail(f"{what}'s field {key!r} must be a {kind.__name__}, got "
                          f"{type(value).__name__}")
        return data


class _Nested:
    """The decoding context of one attribute: nested graphs are named after it."""

    def __init__(self, reader: GraphReader, attr_name: str):
        self._reader = reader
        self._attr = attr_name

    def constant(self, key):
        return self._reader.constant(key)

    def variable_ref(self, index):
        return self._reader.variable_ref(index)

    def decode_graph(self, data):
        return self._reader.decode_graph(data, f"{self._reader._where} > {self._attr}")


_KEYWORDS: dict[str, tuple] = {}


def _kernel_keywords(prim) -> tuple:
    """(accepted attribute names or None for any, required names) of ``prim``'s kernel."""
    cached = _KEYWORDS.get(prim.name)
    if cached is not None:
        return cached
    kernel = prim.kernel
    if isinstance(kernel, np.ufunc):
        result = (set(), set())
    else:
        try:
            parameters = inspect.signature(kernel).parameters.values()
        except (TypeError, ValueError):
            parameters = None
        if parameters is None or any(p.kind is p.VAR_KEYWORD for p in parameters):
            result = (None, set())
        else:
            accepted = {p.name for p in parameters
                        if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)}
            required = {p.name for p in parameters
                        if p.kind is p.KEYWORD_ONLY and p.default is p.empty}
            result = (accepted, required)
    _KEYWORDS[prim.name] = result
    return result


def _aval_text(aval: Aval) -> str:
    return f"{aval.dtype.name}[{', '.join('?' if d is None else str(d) for d in aval.shape)}]"
