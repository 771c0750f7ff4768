"""``fluxion.saved_model.load``: a saved-model directory back as callable functions.

Loading reads ``saved_model.json`` (plain JSON: nothing in it is run), the variables
and the graphs' constants (TensorFlow V2 checkpoints, read with their checksums), then
decodes and checks every graph (``graph_codec.GraphReader``).  No Python code of the
model is needed: custom layers, Lambda layers and subclassed ``call`` methods were
traced into primitives when the model was saved.

The result, a ``LoadedObject``, has ``signatures`` (name -> ``SignatureFunction``),
``variables`` / ``trainable_variables`` / ``non_trainable_variables``, and the saved
object's functions and variables as attributes at their original paths
(``loaded.f(x)``, ``loaded.sub.v``).  It can be saved again.

Every fault of the directory is a ``SavedModelError`` naming the file.
"""

from __future__ import annotations

import json
import os

from fluxion.core.errors import OpError
from fluxion.core.variable import Variable
from fluxion.saved_model import function_record
from fluxion.saved_model.errors import SavedModelError, SavedModelNotFoundError
from fluxion.saved_model.graph_codec import GraphReader
from fluxion.saved_model.layout import (
    CONSTANTS_PREFIX,
    DOCUMENT,
    FORMAT_NAME,
    FORMAT_VERSION,
    METHOD_NAMES,
    VARIABLES_PREFIX,
)
from fluxion.saved_model.loaded_function import (
    GraphRunner,
    LoadedFunction,
    SignatureFunction,
)

MAX_DOCUMENT_BYTES = 1 << 30


class LoadedObject:
    """What ``load`` returns: signatures, variables, and the saved attributes."""

    def __init__(self, signatures: dict, variables: list):
        self.signatures = signatures
        self._variables = tuple(variables)
        self._saved_functions: dict[str, LoadedFunction] = {}
        self._saved_variable_paths: dict[str, Variable] = {}
        self._saved_variable_lists: dict[str, list] = {}

    @property
    def variables(self) -> tuple:
        return self._variables

    @property
    def trainable_variables(self) -> tuple:
        return tuple(v for v in self._variables if v.trainable)

    @property
    def non_trainable_variables(self) -> tuple:
        return tuple(v for v in self._variables if not v.trainable)

    def __call__(self, *args, **kwargs):
        function = self._saved_functions.get("__call__")
        if function is None:
            raise TypeError("this loaded object was saved without a __call__ function")
        return function(*args, **kwargs)

    def __repr__(self) -> str:
        names = sorted(p for p in self._saved_functions if "." not in p)
        return f"<LoadedObject functions={names} signatures={sorted(self.signatures)}>"


class _Attributes:
    """A plain holder for a saved submodule's attributes (``loaded.sub``)."""

    def __repr__(self) -> str:
        return f"<loaded object with {sorted(vars(self))}>"


def contains_saved_model(export_dir) -> bool:
    """Whether ``export_dir`` holds a saved model (``tf.saved_model.contains_saved_model``)."""
    try:
        return os.path.isfile(os.path.join(os.fspath(export_dir), DOCUMENT))
    except TypeError:
        return False


def load(export_dir, tags=None, options=None) -> LoadedObject:
    """Loads the saved model in ``export_dir`` (``tf.saved_model.load``).

    Args:
      export_dir: the directory ``save`` (or ``Model.export``) wrote.
      tags, options: accepted for TensorFlow compatibility (a saved model has one graph
        set, ``serve``).

    Returns:
      A ``LoadedObject``: ``loaded.signatures["serving_default"](**inputs)`` returns a
      dict of tensors; saved functions are attributes (``loaded.serve(x)``).

    Raises:
      SavedModelNotFoundError: no saved model at ``export_dir``.
      SavedModelError: the directory is malformed (the message names file and fault).
    """
    del tags, options
    return load_with_variables(export_dir, _plain_variable)


def _plain_variable(array, trainable: bool, name: str, dtype):
    return Variable(array, trainable=trainable, name=name, dtype=dtype)


def load_with_variables(export_dir, make_variable) -> LoadedObject:
    """``load``, with the variables made by ``make_variable(array, trainable, name, dtype)``
    (``TFSMLayer`` makes Keras weights)."""
    directory = os.fspath(export_dir)
    document_path = os.path.join(directory, DOCUMENT)
    if not os.path.isdir(directory):
        raise SavedModelNotFoundError(directory, "no such directory: there is no saved model "
                                                 "here")
    if not os.path.isfile(document_path):
        if os.path.isfile(os.path.join(directory, "saved_model.pb")):
            raise SavedModelError(directory, "this is a TensorFlow SavedModel "
                                             "(saved_model.pb); Fluxion loads the directories "
                                             "it writes itself (saved_model.json)")
        raise SavedModelNotFoundError(directory, f"no {DOCUMENT} in this directory: it "
                                                 f"holds no saved model")
    document = _read_document(document_path)
    return _build(directory, document_path, document, make_variable)


def _read_document(path: str) -> dict:
    def refuse_constant(name):
        raise ValueError(f"non-standard JSON constant {name}")

    try:
        size = os.path.getsize(path)
        if size > MAX_DOCUMENT_BYTES:
            raise SavedModelError(path, f"the file is {size} bytes, more than the "
                                        f"{MAX_DOCUMENT_BYTES} a saved model may have")
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8")
        document = json.loads(text, parse_constant=refuse_constant)
    except SavedModelError:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise SavedModelError(path, f"not valid JSON: {error}") from None
    except OSError as error:
        raise SavedModelError(path, f"cannot be read: {error}") from None
    if not isinstance(document, dict):
        raise SavedModelError(path, "the document must be a JSON object")
    if document.get("format") != FORMAT_NAME:
        raise SavedModelError(path, f"not a Fluxion saved model (its 'format' is "
                                    f"{document.get('format')!r}, expected {FORMAT_NAME!r})")
    version = document.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version > FORMAT_VERSION:
        raise SavedModelError(path, f"format_version {version!r} is not one this Fluxion "
                                    f"reads (up to {FORMAT_VERSION}); upgrade Fluxion")
    expected = {"format": str, "format_version": int, "producer": str, "variables": list,
                "functions": dict, "signatures": dict, "objects": dict}
    for key, kind in expected.items():
        if not isinstance(document.get(key), kind):
            raise SavedModelError(path, f"the field {key!r} must be a "
                                        f"{'JSON object' if kind is dict else kind.__name__}")
    unknown = sorted(set(document) - set(expected))
    if unknown:
        raise SavedModelError(path, f"unknown top-level fields {unknown}")
    return document


def _read_bundle(directory: str, prefix: str) -> dict:
    from fluxion.train import tensor_bundle

    path = os.path.join(directory, prefix)
    try:
        return tensor_bundle.read(path)
    except (OpError, OSError, ValueError, EOFError) as error:
        raise SavedModelError(path, f"cannot read the checkpoint: {error}") from None
    except ImportError as error:
        raise ImportError(f"Loading a saved model needs the `protobuf` package (its "
                          f"variables are a TensorFlow checkpoint): {error}") from None


def _build(directory: str, path: str, document: dict, make_variable) -> LoadedObject:
    variables = _load_variables(directory, path, document["variables"], make_variable)
    constants = _read_bundle(directory, CONSTANTS_PREFIX)
    reader = GraphReader(path, constants, variables)
    records, runners = {}, {}
    for name, entry in document["functions"].items():
        records[name] = _read_function(reader, path, name, entry)
        runners[name] = GraphRunner(records[name].graph)
    signatures = {name: _read_signature(path, name, entry, records, runners)
                  for name, entry in document["signatures"].items()}
    loaded = LoadedObject(signatures, variables)
    objects = document["objects"]
    kinds = ("functions", "variables", "variable_lists")
    if set(objects) - set(kinds) or not all(isinstance(objects.get(kind, {}), dict)
                                            for kind in kinds):
        raise SavedModelError(path, f"'objects' may hold only the JSON objects {kinds}")
    for attr_path, name in objects.get("functions", {}).items():
        if name not in records:
            raise SavedModelError(path, f"object {attr_path!r} refers to function {name!r}, "
                                        f"which is not saved")
        function = LoadedFunction(records[name], runners[name])
        loaded._saved_functions[attr_path] = function
        if attr_path != "__call__":
            _set_path(loaded, attr_path, function, path)
    for attr_path, index in objects.get("variables", {}).items():
        if isinstance(index, bool) or not isinstance(index, int) or \
                not 0 <= index < len(variables):
            raise SavedModelError(path, f"object {attr_path!r} refers to variable {index!r}, "
                                        f"which does not exist")
        loaded._saved_variable_paths[attr_path] = variables[index]
        _set_path(loaded, attr_path, variables[index], path)
    for attr_path, indices in objects.get("variable_lists", {}).items():
        if not isinstance(indices, list) or not all(
                isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(variables)
                for i in indices):
            raise SavedModelError(path, f"variable list {attr_path!r} must hold indices of "
                                        f"saved variables, got {indices!r}")
        listed = [variables[i] for i in indices]
        loaded._saved_variable_lists[attr_path] = listed
        _set_path(loaded, attr_path, listed, path)
    return loaded


def _load_variables(directory: str, path: str, entries: list, make_variable) -> list:
    arrays = _read_bundle(directory, VARIABLES_PREFIX)
    from fluxion.core import dtypes

    variables = []
    for index, entry in enumerate(entries):
        what = f"variable {index}"
        if not isinstance(entry, dict) or set(entry) != {"name", "key", "dtype", "shape",
                                                         "trainable"}:
            raise SavedModelError(path, f"{what} must have exactly the fields name, key, "
                                        f"dtype, shape, trainable")
        spec = function_record.read_spec(
            {"name": entry["name"], "shape": entry["shape"], "dtype": entry["dtype"]},
            lambda message, what=what: _fail(path, f"{what}: {message}"))
        if not isinstance(entry["key"], str) or not isinstance(entry["trainable"], bool):
            raise SavedModelError(path, f"{what}: 'key' must be a string and 'trainable' a "
                                        f"boolean")
        array = arrays.get(entry["key"])
        if array is None:
            raise SavedModelError(os.path.join(directory, VARIABLES_PREFIX),
                                  f"{what} ({entry['name']!r}) is missing: no tensor "
                                  f"{entry['key']!r} in the checkpoint")
        if list(array.shape) != spec.shape.as_list() or \
                dtypes.from_numpy(array.dtype) is not spec.dtype:
            raise SavedModelError(os.path.join(directory, VARIABLES_PREFIX),
                                  f"{what} ({entry['name']!r}) is declared "
                                  f"{spec.dtype.name}{spec.shape.as_list()} but the "
                                  f"checkpoint holds {array.dtype}{list(array.shape)}")
        name = entry["name"] or f"variable_{index}"
        variables.append(make_variable(array, entry["trainable"], name, spec.dtype))
    return variables


def _fail(path: str, message: str):
    raise SavedModelError(path, message)


def _read_function(reader: GraphReader, path: str, name: str, entry):
    if not isinstance(entry, dict) or set(entry) != {"graph", "parameter_names", "inputs",
                                                     "outputs"}:
        raise SavedModelError(path, f"function {name!r} must have exactly the fields graph, "
                                    f"parameter_names, inputs, outputs")
    graph = reader.decode_graph(entry["graph"], f"function {name!r}")
    names = entry["parameter_names"]
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise SavedModelError(path, f"function {name!r}: parameter_names must be a list of "
                                    f"strings")

    def fail(message):
        raise SavedModelError(path, f"function {name!r}: {message}")

    inputs = function_record.read_structure(entry["inputs"], fail, "input", len(graph.inputs))
    outputs = function_record.read_structure(entry["outputs"], fail, "output",
                                             len(graph.outputs))
    if not (isinstance(inputs, tuple) and len(inputs) == 2 and isinstance(inputs[0], tuple)
            and isinstance(inputs[1], dict)):
        fail("its input structure must be a tuple (args, kwargs)")
    record = function_record.FunctionRecord(name, graph, inputs, outputs, names)
    indices = sorted(leaf.index for leaf in record.input_leaves())
    if indices != list(range(len(graph.inputs))):
        fail(f"its arguments feed graph inputs {indices}; the graph has "
             f"{len(graph.inputs)} inputs, each to be fed once")
    for leaf in record.input_leaves():
        aval = graph.inputs[leaf.index].aval
        if leaf.spec.dtype is not aval.dtype or leaf.spec.shape.as_list() != list(aval.shape):
            fail(f"argument spec {leaf.spec!r} does not match graph input {leaf.index} "
                 f"({aval.dtype.name}{list(aval.shape)})")
    return record


def _read_signature(path: str, name: str, entry, records: dict, runners: dict):
    def fail(message):
        raise SavedModelError(path, f"signature {name!r}: {message}")

    if not isinstance(entry, dict) or set(entry) != {"function", "method_name", "inputs",
                                                     "outputs"}:
        fail("must have exactly the fields function, method_name, inputs, outputs")
    record = records.get(entry["function"]) if isinstance(entry["function"], str) else None
    if record is None:
        fail(f"refers to function {entry['function']!r}, which is not saved")
    if entry["method_name"] not in METHOD_NAMES:
        fail(f"unknown method_name {entry['method_name']!r} (known: {list(METHOD_NAMES)})")
    graph = record.graph
    inputs, outputs = [], []
    for kind, items, target, count in (("input", entry["inputs"], inputs, len(graph.inputs)),
                                       ("output", entry["outputs"], outputs,
                                        len(graph.outputs))):
        if not isinstance(items, list):
            fail(f"its {kind}s must be a list")
        seen = set()
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str) or \
                    item["name"] in seen:
                fail(f"has a {kind} without a unique name: {item!r}")
            seen.add(item["name"])
            index = item.get("index")
            if isinstance(index, bool) or not isinstance(index, int) or \
                    not 0 <= index < count:
                fail(f"{kind} {item['name']!r} refers to graph {kind} {index!r}; the graph "
                     f"has {count}")
            if kind == "input":
                spec = function_record.read_spec(item, fail)
                target.append((item["name"], function_record.InputLeaf(index, spec)))
            else:
                target.append((item["name"], function_record.OutputLeaf(index)))
    if sorted(leaf.index for _, leaf in inputs) != list(range(len(graph.inputs))):
        fail("its inputs must feed every graph input exactly once")
    return SignatureFunction(name, record, inputs, outputs, entry["method_name"],
                             runners[entry["function"]])


_RESERVED = frozenset({"signatures", "variables", "trainable_variables",
                       "non_trainable_variables"})


def _set_path(root, attr_path: str, value, path: str) -> None:
    parts = attr_path.split(".")
    if not all((part.isidentifier() and not part.startswith("_")) or part.isdigit()
               for part in parts) or parts[0] in _RESERVED:
        raise SavedModelError(path, f"object path {attr_path!r} is not a dotted path of "
                                    f"public attribute names (or it shadows "
                                    f"{sorted(_RESERVED)})")
    target = root
    for part in parts[:-1]:
        child = getattr(target, part, None)
        if child is None:
            child = _Attributes()
            setattr(target, part, child)
        elif not isinstance(child, _Attributes):
            raise SavedModelError(path, f"object path {attr_path!r} goes through {part!r}, "
                                        f"which is not an object")
        target = child
    setattr(target, parts[-1], value)
