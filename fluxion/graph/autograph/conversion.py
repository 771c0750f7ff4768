"""Converting functions: source to AST, transformed, compiled, instantiated, cached.

``convert(fn)`` returns a function with the same name, globals, defaults and closure
cells as ``fn`` whose body is AutoGraph's form of ``fn``'s (``transformer``).  The
transformed AST keeps the user's line numbers and is compiled under the user's file
name, so tracebacks and ``errors.user_location`` point at the user's own lines.

The converted body is built inside a factory function whose parameters are ``fn``'s
free variables and ``ag__`` (the operators); the function it returns is then rebuilt
with ``fn``'s own closure cells, so closures see later changes as the original would.
One transformation is cached per code object; one converted function per function.

``converted_call`` is what converted code calls instead of calling directly: it
converts user functions (not library code: Fluxion, the standard library, installed
packages) on their way, and swaps the builtins that have a tensor meaning.
"""

from __future__ import annotations

import ast
import copy
import functools
import inspect
import logging
import os
import sysconfig
import textwrap
import threading
import types
import weakref

from fluxion.graph import nested_conversion
from fluxion.graph.autograph import operators
from fluxion.graph.autograph.builtins import REPLACEMENTS
from fluxion.graph.autograph.transformer import convert_function_tree

logger = logging.getLogger("fluxion.autograph")

_BY_CODE: dict = {}  # original code object -> (factory code, converted source) or error
_CONVERTED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # fn -> converted fn
_GENERATED_CODES: set = set()  # every code object AutoGraph compiled: never converted again
_DO_NOT_CONVERT = "__fluxion_do_not_convert__"


class _Status(threading.local):
    # True inside a trace with autograph=True, False with autograph=False or under
    # do_not_convert, None elsewhere (Keras layers traced outside fluxion.function).
    enabled = None


status = _Status()
_verbosity = {"level": 0, "stdout": False}


class ConversionFailure(Exception):
    """Why a function could not be converted (then it runs unconverted)."""


# --- what is user code -------------------------------------------------------------------------
# fluxion/graph/autograph/conversion.py -> fluxion/
_FLUXION_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _library_roots() -> tuple[str, ...]:
    roots = {_FLUXION_DIR}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            roots.add(os.path.abspath(path))
    return tuple(sorted(roots))


_ROOTS: list = []


def is_user_code(function) -> bool:
    """Whether ``function`` is the user's (converted) rather than a library's (called as is)."""
    code = getattr(function, "__code__", None)
    if code is None or code in _GENERATED_CODES:
        return False
    if not _ROOTS:
        _ROOTS.extend(_library_roots())
    filename = os.path.abspath(code.co_filename)
    return not any(filename == root or filename.startswith(root + os.sep) for root in _ROOTS)


# --- converting --------------------------------------------------------------------------------
def _transform(function: types.FunctionType):
    """(factory code, converted source) for ``function``; ``ConversionFailure`` if impossible."""
    code = function.__code__
    if code.co_flags & (inspect.CO_GENERATOR | inspect.CO_COROUTINE |
                        inspect.CO_ASYNC_GENERATOR):
        raise ConversionFailure("generators and coroutines are not converted")
    if code.co_name == "<lambda>":
        node = _lambda_definition(function)
    else:
        try:
            lines, first_line = inspect.getsourcelines(function)
        except (OSError, TypeError) as error:
            raise ConversionFailure(f"its source code is not available ({error})") from None
        try:
            tree = ast.parse(textwrap.dedent("".join(lines)))
        except SyntaxError as error:
            raise ConversionFailure(f"its source could not be parsed ({error.msg})") from None
        node = tree.body[0] if tree.body else None
        if not isinstance(node, ast.FunctionDef) or node.name != code.co_name:
            raise ConversionFailure("its source is not a plain `def`")
        ast.increment_lineno(tree, first_line - 1)
    convert_function_tree(node)
    source = ast.unparse(ast.fix_missing_locations(node))
    # Defaults come from the original function object; written out here, they would be
    # evaluated again in the factory, where the names they use may not exist.
    node.args.defaults = [ast.Constant(None) for _ in node.args.defaults]
    node.args.kw_defaults = [None if d is None else ast.Constant(None)
                             for d in node.args.kw_defaults]
    params = list(code.co_freevars) + ["ag__"]
    factory = ast.FunctionDef(
        name="autograph_factory",
        args=ast.arguments(posonlyargs=[], args=[ast.arg(arg=p) for p in params],
                           vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None,
                           defaults=[]),
        body=[node, ast.Return(value=ast.Name(id=node.name, ctx=ast.Load()))],
        decorator_list=[], returns=None, type_comment=None)
    ast.copy_location(factory, node)
    module = ast.fix_missing_locations(ast.Module(body=[factory], type_ignores=[]))
    compiled = compile(module, code.co_filename, "exec")
    factory_code = next(c for c in compiled.co_consts if isinstance(c, types.CodeType))
    _register(factory_code)
    return factory_code, source


_FILE_TREES: dict = {}  # filename -> (source text, parsed module), for finding lambdas


def _lambda_definition(function: types.FunctionType) -> ast.FunctionDef:
    """A lambda as ``def autograph_lambda(args): return body``, found in its file's AST.

    The lambda is the one starting on its code's first line with the same parameters;
    where several match, the one whose body holds the code's first instruction.
    """
    import linecache

    code = function.__code__
    text = "".join(linecache.getlines(code.co_filename, function.__globals__))
    if not text:
        raise ConversionFailure("its source code is not available")
    cached = _FILE_TREES.get(code.co_filename)
    if cached is None or cached[0] != text:
        try:
            cached = (text, ast.parse(text))
        except SyntaxError as error:
            raise ConversionFailure(f"its file could not be parsed ({error.msg})") from None
        _FILE_TREES[code.co_filename] = cached
    params = list(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount])
    candidates = [node for node in ast.walk(cached[1])
                  if isinstance(node, ast.Lambda) and node.lineno == code.co_firstlineno
                  and [a.arg for a in node.args.posonlyargs + node.args.args +
                       node.args.kwonlyargs] == params]
    if len(candidates) > 1:
        line, _, column, _ = next(code.co_positions(), (None, None, None, None))
        candidates = [node for node in candidates if column is not None and
                      (node.body.lineno, node.body.col_offset) <= (line, column) <=
                      (node.body.end_lineno, node.body.end_col_offset)]
    if len(candidates) != 1:
        raise ConversionFailure("its lambda could not be told apart in the source")
    node = copy.deepcopy(candidates[0])  # conversion rewrites it; the cached tree stays
    definition = ast.FunctionDef(name="autograph_lambda", args=node.args,
                                 body=[ast.Return(value=node.body)], decorator_list=[],
                                 returns=None, type_comment=None)
    ast.copy_location(definition, node)
    ast.copy_location(definition.body[0], node.body)
    return definition


def _register(code: types.CodeType) -> None:
    _GENERATED_CODES.add(code)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            _register(const)


def _instantiate(function: types.FunctionType, factory_code: types.CodeType):
    factory = types.FunctionType(factory_code, function.__globals__)
    names = factory_code.co_varnames[:factory_code.co_argcount]
    inner = factory(*[_AG_NAMESPACE if n == "ag__" else None for n in names])
    original_cells = dict(zip(function.__code__.co_freevars, function.__closure__ or ()))
    closure = []
    for name, cell in zip(inner.__code__.co_freevars, inner.__closure__ or ()):
        closure.append(original_cells.get(name, cell))
    converted = types.FunctionType(inner.__code__, function.__globals__, function.__name__,
                                   function.__defaults__, tuple(closure) or None)
    converted.__kwdefaults__ = function.__kwdefaults__
    converted.__qualname__ = function.__qualname__
    converted.__module__ = function.__module__
    converted.__doc__ = function.__doc__
    converted.__dict__.update(function.__dict__)
    converted.__wrapped__ = function
    return converted


def convert(function: types.FunctionType):
    """The converted form of a plain function (cached); the function itself if it cannot be."""
    converted = _CONVERTED.get(function)
    if converted is not None:
        return converted
    entry = _BY_CODE.get(function.__code__)
    if entry is None:
        try:
            entry = _transform(function)
        except ConversionFailure as failure:
            entry = failure
            log = logger.info if function.__name__ == "<lambda>" else logger.warning
            log("AutoGraph could not convert %s (%s): it will run as is, so "
                           "Python control flow on tensors in it is not converted.",
                           getattr(function, "__qualname__", function), failure)
        _BY_CODE[function.__code__] = entry
        if not isinstance(entry, ConversionFailure):
            _log(2, "Converted %s:\n%s", function.__qualname__, entry[1])
    if isinstance(entry, ConversionFailure):
        converted = function
    else:
        converted = _instantiate(function, entry[0])
    _CONVERTED[function] = converted
    return converted


def _log(level: int, message: str, *args) -> None:
    if _verbosity["level"] >= level:
        logger.info(message, *args)
        if _verbosity["stdout"]:
            print(message % args)


def maybe_convert(function):
    """``function`` converted when called from converted code (cond / while_loop bodies)."""
    if status.enabled:
        return convert_callable(function) or function
    return function


def convert_callable(target, user_requested: bool = False):
    """``target`` with its Python code converted, or None when it is to be called as is.

    ``user_requested``: convert even library code (a function given to fluxion.function
    or to_graph directly), as TF does for the function it was asked to convert.
    """
    if getattr(target, _DO_NOT_CONVERT, False):
        return None
    if isinstance(target, types.FunctionType):
        if target.__code__ in _GENERATED_CODES:
            return None
        if not user_requested and not is_user_code(target):
            return None
        converted = convert(target)
        return None if converted is target else converted
    if isinstance(target, types.MethodType):
        function = convert_callable(target.__func__, user_requested)
        return None if function is None else types.MethodType(function, target.__self__)
    if isinstance(target, functools.partial):
        function = convert_callable(target.func, user_requested)
        return None if function is None else functools.partial(function, *target.args,
                                                               **target.keywords)
    if isinstance(target, type) or isinstance(target, types.BuiltinFunctionType):
        return None
    if getattr(target, "converts_its_own_function", False):
        return None  # a tf.function: it converts under its own autograph setting
    call = type(target).__dict__.get("__call__") or next(
        (c.__dict__["__call__"] for c in type(target).__mro__ if "__call__" in c.__dict__),
        None)
    if isinstance(call, types.FunctionType) and not _is_keras_layer(target):
        function = convert_callable(call, user_requested)
        return None if function is None else types.MethodType(function, target)
    return None


def _is_keras_layer(target) -> bool:
    return any(c.__module__.startswith("fluxion.keras") and c.__name__ == "Layer"
               for c in type(target).__mro__)


def converted_call(function, args, kwargs):
    """Calls ``function(*args, **kwargs)`` from converted code, converting user functions."""
    kwargs = kwargs or {}
    if isinstance(function, types.BuiltinFunctionType) or \
            any(function is t for t in _REPLACED_TYPES):
        replacement = REPLACEMENTS.get(function)
        if replacement is not None:
            return replacement(*args, **kwargs)
        return function(*args, **kwargs)
    if status.enabled is False:
        return function(*args, **kwargs)
    converted = convert_callable(function)
    if converted is None:
        return function(*args, **kwargs)
    return converted(*args, **kwargs)


_REPLACED_TYPES = (range, int, float, enumerate, zip)  # builtin classes: compared by identity


# --- the public API ----------------------------------------------------------------------------
def to_graph(entity, recursive: bool = True, experimental_optional_features=None):
    """The converted form of ``entity`` (``tf.autograph.to_graph``).

    Calling it builds graph control flow when called inside ``fluxion.function``, and
    runs like the original eagerly.
    """
    converted = convert_callable(entity, user_requested=True)
    if converted is None:
        raise ValueError(_not_convertible(entity))

    @functools.wraps(entity)
    def enabled(*args, **kwargs):
        with enabled_scope(True):
            return converted(*args, **kwargs)

    return enabled


def _not_convertible(entity) -> str:
    function = getattr(entity, "__func__", entity)
    if isinstance(function, types.FunctionType):
        entry = _BY_CODE.get(function.__code__)
        if isinstance(entry, ConversionFailure):
            return f"AutoGraph cannot convert {function.__qualname__}: {entry}"
    return f"AutoGraph cannot convert {entity!r}: it is not a Python function or method"


def to_code(entity, recursive: bool = True, experimental_optional_features=None) -> str:
    """The Python source AutoGraph generates for ``entity`` (``tf.autograph.to_code``)."""
    function = getattr(entity, "python_function", entity)
    function = getattr(function, "__func__", function)
    if isinstance(function, functools.partial):
        function = function.func
    if not isinstance(function, types.FunctionType):
        raise ValueError(_not_convertible(entity))
    convert(function)
    entry = _BY_CODE.get(function.__code__)
    if isinstance(entry, ConversionFailure):
        raise ValueError(_not_convertible(function))
    return entry[1] + "\n"


def do_not_convert(func=None):
    """Marks ``func`` to be called as is, never converted (``autograph.experimental``)."""
    if func is None:
        return do_not_convert

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with enabled_scope(False):
            return func(*args, **kwargs)

    setattr(wrapper, _DO_NOT_CONVERT, True)
    return wrapper


def set_verbosity(level: int, alsologtostdout: bool = False) -> None:
    """How much AutoGraph logs (``tf.autograph.set_verbosity``): at 2+, each converted source."""
    _verbosity["level"] = int(level)
    _verbosity["stdout"] = bool(alsologtostdout)
    if level > 0:
        logger.setLevel(logging.INFO)


def trace(*args) -> None:
    """Prints its arguments when the code is traced (``tf.autograph.trace``), not when run."""
    print(*args)


class enabled_scope:
    """Turns the conversion of called functions on or off for a block."""

    def __init__(self, enabled: bool):
        self.enabled = bool(enabled)

    def __enter__(self):
        self.saved = status.enabled
        status.enabled = self.enabled
        return self

    def __exit__(self, *exc):
        status.enabled = self.saved
        return False


# The ``ag__`` namespace converted code calls: the runtime operators and converted_call.
_AG_NAMESPACE = types.SimpleNamespace(
    converted_call=converted_call,
    **{name: getattr(operators, name) for name in operators.__all__})
nested_conversion.install(maybe_convert)
