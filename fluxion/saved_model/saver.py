"""``fluxion.saved_model.save``: an object's functions, variables and signatures, on disk.

What is saved (``collect``):

- a Keras model: its ``serve`` endpoint (``keras_serving``) and its weights; the
  default signature ``serving_default`` is ``serve``;
- a ``fluxion.Module`` (or any object): the ``fluxion.function`` s it holds (methods
  with an ``input_signature`` or traced exactly once), its variables and submodules,
  by attribute name; the default signature is its one function, if it has exactly one;
- a ``fluxion.function`` with an ``input_signature``: saved as the object's
  ``__call__`` and as ``serving_default``;
- an object returned by ``load``: what it was loaded with.

The directory (``format.md`` in this package describes it):

    saved_model.json              functions (graphs), signatures, objects, variables
    variables/variables.index     the variables, a TensorFlow V2 checkpoint
    variables/variables.data-00000-of-00001
    constants/constants.index     the graphs' constant arrays, the same format
    constants/constants.data-00000-of-00001
    assets/

It is written into a temporary sibling directory and renamed into place, so a reader
(TensorFlow Serving polling a base path) sees no directory or a complete one.
"""

from __future__ import annotations

import inspect
import json
import os
import shutil
import warnings

import numpy as np

from fluxion.core.atomic_file import atomic_write, fsync_directory, temporary_name
from fluxion.saved_model import function_record
from fluxion.saved_model.graph_codec import GraphWriter
from fluxion.saved_model.layout import (
    CONSTANTS_PREFIX,
    DEFAULT_SIGNATURE,
    DOCUMENT,
    FORMAT_NAME,
    FORMAT_VERSION,
    METHOD_NAMES,
    VARIABLES_PREFIX,
)
from fluxion.saved_model.loaded_function import (
    CLASSIFY_METHOD_NAME,
    PREDICT_METHOD_NAME,
    REGRESS_METHOD_NAME,
    LoadedFunction,
    SignatureFunction,
)


class Signature:
    """A function with its SignatureDef method, for ``save(signatures={...})``.

    >>> signatures = {"classify": Signature(model_fn, CLASSIFY_METHOD_NAME)}  # doctest: +SKIP
    """

    def __init__(self, function, method_name: str = PREDICT_METHOD_NAME):
        if method_name not in METHOD_NAMES:
            raise ValueError(f"method_name must be one of {list(METHOD_NAMES)}, got "
                             f"{method_name!r}")
        self.function = function
        self.method_name = method_name


# --- what an object holds --------------------------------------------------------------------
class Collected:
    """The functions (by attribute path), variables and default signatures of an object."""

    def __init__(self):
        self.functions: dict[str, object] = {}
        self.variables: dict[str, object] = {}
        self.variable_lists: dict[str, list] = {}
        self.all_variables: list = []
        self.signatures: dict[str, object] = {}


def collect(obj) -> Collected:
    from fluxion.graph.function import Function
    from fluxion.saved_model import keras_serving
    from fluxion.saved_model.loader import LoadedObject

    found = Collected()
    if isinstance(obj, LoadedObject):
        found.functions.update(obj._saved_functions)
        found.variables.update(obj._saved_variable_paths)
        found.variable_lists.update(obj._saved_variable_lists)
        found.all_variables = list(obj.variables)
        found.signatures.update(obj.signatures)
        return found
    if keras_serving.is_keras_model(obj):
        serve = keras_serving.serving_function(obj)
        found.functions["serve"] = serve
        found.all_variables = list(obj.weights)
        found.signatures[DEFAULT_SIGNATURE] = serve
        return found
    if isinstance(obj, Function):
        found.functions["__call__"] = obj
        found.signatures[DEFAULT_SIGNATURE] = obj
        return found
    _walk(obj, "", found, set())
    listed = [v for variables in found.variable_lists.values() for v in variables]
    unique = {id(v): v for v in [*found.variables.values(), *listed]}
    found.all_variables = list(unique.values())
    if len(found.functions) == 1:
        found.signatures[DEFAULT_SIGNATURE] = next(iter(found.functions.values()))
    return found


def _walk(obj, prefix: str, found: Collected, seen: set) -> None:
    from fluxion.core.module import Module
    from fluxion.graph.function import Function

    if id(obj) in seen:
        return
    seen.add(id(obj))
    for name in sorted(dir(type(obj))):
        static = inspect.getattr_static(type(obj), name, None)
        if isinstance(static, Function) and _saveable(static, name):
            bound = getattr(obj, name)
            if _saveable(bound, name):
                found.functions[prefix + name] = bound
    for name, value in sorted(vars(obj).items()) if hasattr(obj, "__dict__") else ():
        if name.startswith("_"):
            continue
        path = prefix + name
        if hasattr(value, "_read_for_op") and hasattr(value, "assign"):
            found.variables[path] = value
        elif isinstance(value, (Function, LoadedFunction)) and _saveable(value, name):
            found.functions[path] = value
        elif isinstance(value, Module):
            _walk(value, path + ".", found, seen)
        elif isinstance(value, (list, tuple)) and value and all(
                hasattr(item, "_read_for_op") and hasattr(item, "assign") for item in value):
            found.variable_lists[path] = list(value)
        elif isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                if isinstance(item, Module):
                    _walk(item, f"{path}.{index}.", found, seen)


def _saveable(function, name: str) -> bool:
    from fluxion.graph.function import Function

    if not isinstance(function, Function):
        return True
    if function.input_signature is not None or len(function._traces) == 1:
        return True
    if function._traces:
        warnings.warn(f"fluxion.saved_model.save: function {name!r} was traced "
                      f"{len(function._traces)} times and has no input_signature; it is not "
                      f"saved (give it an input_signature to save it).", stacklevel=4)
    return False


# --- functions to records ---------------------------------------------------------------------
class _Records:
    """One ``FunctionRecord`` per distinct trace, named ``f0``, ``f1``..."""

    def __init__(self):
        self.by_key: dict[int, function_record.FunctionRecord] = {}
        self.keep_alive: list = []

    def record_for(self, function, what: str) -> function_record.FunctionRecord:
        if isinstance(function, (LoadedFunction, SignatureFunction)):
            key, source = id(function.record), function.record
        else:
            concrete = _concrete(function, what)
            key, source = id(concrete), concrete
        record = self.by_key.get(key)
        if record is None:
            name = f"f{len(self.by_key)}"
            if isinstance(source, function_record.FunctionRecord):
                record = function_record.FunctionRecord(
                    name, source.graph, source.inputs, source.outputs, source.parameter_names)
            else:
                record = function_record.from_concrete(source, name)
            self.by_key[key] = record
            self.keep_alive.append(source)
        return record


def _concrete(function, what: str):
    from fluxion.graph.concrete import ConcreteFunction
    from fluxion.graph.function import Function

    if isinstance(function, ConcreteFunction):
        return function
    if isinstance(function, Function):
        if function.input_signature is not None:
            return function.get_concrete_function()
        if len(function._traces) == 1:
            return function._traces[0][1]
        raise ValueError(f"{what}: {function!r} has no input_signature and was traced "
                         f"{len(function._traces)} times; give it an input_signature or "
                         f"pass one concrete function (f.get_concrete_function(spec)).")
    raise TypeError(f"{what} must be a fluxion.function with an input_signature, a concrete "
                    f"function or a loaded signature; got {type(function).__name__}")


def _signature_entries(signatures) -> dict:
    from fluxion.graph.concrete import ConcreteFunction
    from fluxion.graph.function import Function

    if signatures is None:
        return {}
    if isinstance(signatures, (Function, ConcreteFunction, LoadedFunction, SignatureFunction,
                               Signature)):
        return {DEFAULT_SIGNATURE: signatures}
    if not isinstance(signatures, dict):
        raise TypeError(f"signatures must be a function, a concrete function or a dict of "
                        f"them by name; got {type(signatures).__name__}")
    for name in signatures:
        if not isinstance(name, str) or not name:
            raise ValueError(f"signature names must be non-empty strings, got {name!r}")
    return dict(signatures)


def _signature_json(name: str, entry, records: _Records) -> dict:
    method = PREDICT_METHOD_NAME
    if isinstance(entry, Signature):
        entry, method = entry.function, entry.method_name
    elif isinstance(entry, SignatureFunction):
        method = entry.method_name
    record = records.record_for(entry, f"signature {name!r}")
    if isinstance(entry, SignatureFunction):
        inputs = list(entry._inputs)
        outputs = list(entry._outputs)
    else:
        inputs = function_record.input_names(record)
        outputs = function_record.output_names(record)
    if len(inputs) != len(record.graph.inputs):
        raise ValueError(f"signature {name!r}: every argument of a signature must be a "
                         f"tensor (Python values cannot be fed by a server)")
    if not outputs:
        raise ValueError(f"signature {name!r}: the function returns no tensor")
    _check_method(name, method, [n for n, _ in inputs], [n for n, _ in outputs])
    graph_outputs = record.graph.outputs
    return {"function": record.name, "method_name": method,
            "inputs": [{**function_record.spec_json(leaf.spec), "name": n,
                        "index": leaf.index} for n, leaf in inputs],
            "outputs": [{"name": n, "index": leaf.index, "dtype":
                         graph_outputs[leaf.index].aval.dtype.name,
                         "shape": [None if d is None else int(d)
                                   for d in graph_outputs[leaf.index].aval.shape]}
                        for n, leaf in outputs]}


def _check_method(name: str, method: str, inputs: list, outputs: list) -> None:
    """TensorFlow Serving's Classify and Regress APIs expect fixed tensor names."""
    if method == CLASSIFY_METHOD_NAME and (inputs != ["inputs"] or not outputs or
                                           not set(outputs) <= {"classes", "scores"}):
        raise ValueError(f"classification signature {name!r} must take one input named "
                         f"'inputs' and return 'classes' and/or 'scores'; it takes "
                         f"{inputs} and returns {outputs}")
    if method == REGRESS_METHOD_NAME and (inputs != ["inputs"] or outputs != ["outputs"]):
        raise ValueError(f"regression signature {name!r} must take one input named 'inputs' "
                         f"and return one output named 'outputs'; it takes {inputs} and "
                         f"returns {outputs}")


# --- saving ----------------------------------------------------------------------------------
def save(obj, export_dir, signatures=None, options=None) -> None:
    """Saves ``obj``'s functions, variables and signatures to the directory ``export_dir``.

    Args:
      obj: a Keras model, a ``fluxion.Module`` (or any object holding
        ``fluxion.function`` s and variables), a ``fluxion.function`` with an
        ``input_signature``, or an object returned by ``load``.
      export_dir: the directory to write (replaced atomically if it exists).
      signatures: a function, a concrete function, or a dict ``{name: function}`` (a
        ``Signature(function, method_name)`` declares a classify or regress
        signature); by default the object's serving function becomes
        ``serving_default``.
      options: accepted for TensorFlow compatibility.

    >>> fluxion.saved_model.save(model, "/tmp/my_model/1")  # doctest: +SKIP
    """
    del options
    save_collected(collect(obj), export_dir, signatures)


def save_collected(found: Collected, export_dir, signatures=None) -> None:
    """Saves what ``collect`` found (``signatures`` as for ``save``)."""
    entries = _signature_entries(signatures) if signatures is not None else found.signatures
    records = _Records()
    functions = {path: records.record_for(fn, f"function {path!r}").name
                 for path, fn in found.functions.items()}
    signature_json = {name: _signature_json(name, entry, records)
                      for name, entry in entries.items()}
    writer = GraphWriter()
    for variable in found.all_variables:
        writer.add_variable(variable)
    for variables in found.variable_lists.values():
        for variable in variables:
            writer.add_variable(variable)
    function_json = {}
    for record in records.by_key.values():
        function_json[record.name] = {
            "graph": writer.encode_graph(record.graph),
            "parameter_names": record.parameter_names,
            "inputs": function_record.structure_json(record.inputs),
            "outputs": function_record.structure_json(record.outputs)}
    variables_json, arrays = _variables_json(writer.variables)
    index = {id(v): i for i, v in enumerate(writer.variables)}
    document = {
        "format": FORMAT_NAME, "format_version": FORMAT_VERSION, "producer": _producer(),
        "variables": variables_json, "functions": function_json,
        "signatures": signature_json,
        "objects": {"functions": functions,
                    "variables": {path: index[id(v)] for path, v in found.variables.items()},
                    "variable_lists": {path: [index[id(v)] for v in variables]
                                       for path, variables in found.variable_lists.items()}},
    }
    write_directory(os.fspath(export_dir), document, arrays, writer.constants)


def _variables_json(variables: list) -> tuple[list, dict]:
    entries, arrays = [], {}
    for index, variable in enumerate(variables):
        value = np.asarray(variable.numpy())
        key = f"variables/{index}/.ATTRIBUTES/VARIABLE_VALUE"
        name = getattr(variable, "path", None) or variable.name
        entries.append({"name": str(name), "key": key, "dtype": variable.dtype.name,
                        "shape": list(value.shape), "trainable": bool(variable.trainable)})
        arrays[key] = value
    return entries, arrays


def _producer() -> str:
    from fluxion.version import __version__

    return f"fluxion {__version__}"


def write_directory(export_dir: str, document: dict, variables: dict, constants: dict) -> None:
    """Writes the saved model into a temporary sibling, then renames it into place."""
    from fluxion.train import tensor_bundle

    target = os.path.abspath(export_dir)
    if os.path.exists(target) and not os.path.isdir(target):
        raise FileExistsError(f"Cannot save a model to {export_dir!r}: a file of that name "
                              f"exists.")
    os.makedirs(os.path.dirname(target), exist_ok=True)
    temp = temporary_name(target)
    os.mkdir(temp)
    try:
        tensor_bundle.write(os.path.join(temp, VARIABLES_PREFIX), variables)
        tensor_bundle.write(os.path.join(temp, CONSTANTS_PREFIX), constants)
        os.mkdir(os.path.join(temp, "assets"))
        with atomic_write(os.path.join(temp, DOCUMENT), "w") as handle:
            json.dump(document, handle, separators=(",", ":"), allow_nan=False)
        fsync_directory(temp)
        _publish(temp, target)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def _publish(temp: str, target: str) -> None:
    """Moves the finished directory ``temp`` to ``target``, replacing an old one."""
    if not os.path.exists(target):
        os.rename(temp, target)
    else:
        old = temporary_name(target)
        os.rename(target, old)
        os.rename(temp, target)
        shutil.rmtree(old, ignore_errors=True)
    fsync_directory(os.path.dirname(target))
