"""Keras 3 object serialization: ``{module, class_name, config, registered_name}``.

Every serializable Fluxion Keras class states the Keras module it lives in
(``keras_module = "keras.layers"``) so the configs it writes are the ones Keras 3
writes, and Keras 3 configs deserialize into Fluxion classes.  User classes are
registered with ``register_keras_serializable`` (``"package>Name"``) or passed through
``custom_objects`` / ``custom_object_scope``.
"""

from __future__ import annotations

import threading

import numpy as np

# Built-in classes by (module, class_name) and by bare class_name.
_BUILTINS: dict[tuple, type] = {}
_BUILTINS_BY_NAME: dict[str, list] = {}
# User classes by registered name ("package>Name").
_REGISTERED: dict[str, object] = {}
_scope = threading.local()


def keras_class(module: str):
    """Class decorator: a built-in Keras class of ``module`` (``"keras.layers"``...)."""

    def decorate(cls):
        cls.keras_module = module
        _BUILTINS[(module, cls.__name__)] = cls
        _BUILTINS_BY_NAME.setdefault(cls.__name__, []).append(cls)
        return cls

    return decorate


def register_keras_serializable(package: str = "Custom", name: str | None = None):
    """Registers a user class or function so saved configs can name it (Keras's decorator)."""

    def decorate(obj):
        registered = f"{package}>{name or obj.__name__}"
        if registered in _REGISTERED and _REGISTERED[registered] is not obj:
            raise ValueError(f"{registered} has already been registered to "
                             f"{_REGISTERED[registered]}")
        _REGISTERED[registered] = obj
        obj._keras_registered_name = registered
        return obj

    return decorate


def get_custom_objects() -> dict:
    """The global registry of custom objects (``register_keras_serializable`` fills it;
    assigning to it registers too, as in Keras)."""
    return _REGISTERED


def get_registered_name(obj) -> str:
    return _own_registered_name(obj) or getattr(obj, "__name__", type(obj).__name__)


def _own_registered_name(obj) -> str | None:
    """The name ``obj`` (a class, function or instance) was registered under, if any.

    Looked up on the object itself or its own class, never inherited: an unregistered
    subclass of a registered layer is not the registered layer.
    """
    own = vars(obj).get("_keras_registered_name") if hasattr(obj, "__dict__") else None
    if own is None and not isinstance(obj, type):
        own = vars(type(obj)).get("_keras_registered_name")
    return own


def get_registered_object(name: str, custom_objects=None, module_objects=None):
    for table in (_scope_objects(), custom_objects or {}, _REGISTERED, module_objects or {}):
        if name in table:
            return table[name]
    return None


class custom_object_scope:  # noqa: N801 - Keras's name
    """Within the block, ``custom_objects`` resolve by name during deserialization."""

    def __init__(self, custom_objects: dict | None = None):
        self.custom_objects = dict(custom_objects or {})

    def __enter__(self):
        stack = getattr(_scope, "stack", None)
        if stack is None:
            stack = _scope.stack = []
        stack.append(self.custom_objects)
        return self

    def __exit__(self, *exc):
        _scope.stack.pop()


CustomObjectScope = custom_object_scope


def _scope_objects() -> dict:
    merged: dict = {}
    for objects in getattr(_scope, "stack", []):
        merged.update(objects)
    return merged


def serialize_keras_object(obj):
    """The Keras 3 dict for ``obj`` (or plain data for None, numbers, strings, lists)."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(item) for item in obj]
    if isinstance(obj, dict):
        return {key: serialize_keras_object(value) for key, value in obj.items()}
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, slice):  # a slicing key in a functional model's node
        return {"class_name": "__slice__", "config": {
            "start": serialize_keras_object(obj.start), "stop": serialize_keras_object(obj.stop),
            "step": serialize_keras_object(obj.step)}}
    if obj is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(obj, np.ndarray):
        return {"class_name": "__numpy__", "config": {"value": obj.tolist(),
                                                      "dtype": str(obj.dtype)}}
    if hasattr(obj, "get_config"):
        cls = type(obj)
        registered = _own_registered_name(obj)
        # An instance may name its Keras class itself (an operation: Add, GetItem...).
        return {"module": getattr(obj, "keras_module", cls.__module__),
                "class_name": getattr(obj, "serialized_class_name", cls.__name__),
                "config": _serialize_nested_objects(obj.get_config()),
                "registered_name": registered}
    if callable(obj):  # a function: Keras 3 stores its registered or plain name
        registered = _own_registered_name(obj)
        return {"module": "builtins", "class_name": "function",
                "config": registered or obj.__name__,
                "registered_name": registered or "function"}
    raise TypeError(f"Cannot serialize {obj!r} of type {type(obj).__name__}: it has no "
                    f"get_config() and is not a plain value.")


def _serialize_nested_objects(value):
    """A ``get_config()`` dict with the Keras objects it holds (a layer passed to another
    layer...) serialized, as Keras does; plain values stay as they are."""
    if isinstance(value, dict):
        return {key: _serialize_nested_objects(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_serialize_nested_objects(item) for item in value)
    if hasattr(value, "get_config") and not isinstance(value, type):
        return serialize_keras_object(value)
    return value


def deserialize_keras_object(config, custom_objects=None, module_objects=None,
                             printable_module_name: str = "object", safe_mode=None):
    """Rebuilds an object from its Keras 3 dict (or returns plain data unchanged).

    ``safe_mode`` (default: inherited, i.e. True unless an enclosing load said otherwise)
    refuses to load Python bytecode such as Lambda layers' lambdas.
    """
    if config is None or isinstance(config, (bool, int, float)):
        return config
    if isinstance(config, str):
        found = get_registered_object(config, custom_objects, module_objects)
        if found is None and module_objects is None:
            return config  # plain data, as Keras returns a name it does not know
        if found is None:
            raise ValueError(f"Unknown {printable_module_name}: '{config}'. Please ensure you "
                             f"are using a `keras.utils.custom_object_scope` and that this "
                             f"object is included in the scope.")
        return found
    if isinstance(config, list):
        return [deserialize_keras_object(c, custom_objects, module_objects) for c in config]
    if not isinstance(config, dict) or "class_name" not in config:
        return config
    _check_object_config(config)
    _depth.level = getattr(_depth, "level", 0) + 1
    try:
        if _depth.level > MAX_NESTING:
            raise ValueError(f"The config nests objects more than {MAX_NESTING} levels deep; "
                             f"it is damaged or crafted.")
        return _deserialize_object(config, custom_objects, module_objects,
                                   printable_module_name, safe_mode)
    except Exception as error:
        error._raised_by_deserialize = True  # an outer from_config passes it on unwrapped
        raise
    finally:
        _depth.level -= 1


MAX_NESTING = 200  # objects inside objects; real models stay far below (Python's stack first)
_depth = threading.local()


def _check_object_config(config: dict) -> None:
    """The keys every serialized object has must have the types Keras writes."""
    class_name = config["class_name"]
    if not isinstance(class_name, str):
        raise ValueError(f"A serialized object's 'class_name' must be a string, got "
                         f"{type(class_name).__name__} {_short(class_name)}; the config is "
                         f"damaged.")
    inner = config.get("config", {})
    if class_name not in ("function", "__numpy__", "__lambda__") and inner is not None and \
            not isinstance(inner, dict):
        raise ValueError(f"The config of '{class_name}' must be a dict, got "
                         f"{type(inner).__name__} {_short(inner)}; the config is damaged.")
    for key in ("module", "registered_name"):
        if config.get(key) is not None and not isinstance(config[key], str):
            raise ValueError(f"A serialized '{class_name}' has a non-string '{key}': "
                             f"{_short(config[key])}; the config is damaged.")


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _deserialize_object(config: dict, custom_objects, module_objects, printable_module_name,
                        safe_mode):
    class_name, inner = config["class_name"], config.get("config", {})
    if inner is None:
        inner = {}
    if class_name == "__numpy__":
        return np.asarray(inner["value"], dtype=inner["dtype"])
    if class_name == "__slice__":
        return slice(inner.get("start"), inner.get("stop"), inner.get("step"))
    if class_name == "__ellipsis__":
        return Ellipsis
    if class_name == "__tuple__":
        return tuple(deserialize_keras_object(c, custom_objects, module_objects)
                     for c in inner.get("value", []))
    if class_name == "function":
        registered = config.get("registered_name")
        name = inner if registered in (None, "function") else registered
        found = get_registered_object(name, custom_objects, module_objects)
        if found is None:
            found = _builtin_function(config.get("module"), inner)
        if found is None:
            raise ValueError(f"Unknown {printable_module_name} function '{name}'")
        return found
    cls = _resolve_class(config, custom_objects, module_objects)
    if cls is None:
        raise TypeError(
            f"Could not locate class '{class_name}' (module {config.get('module')!r}, "
            f"registered name {config.get('registered_name')!r}). Make sure custom classes "
            f"are decorated with `keras.saving.register_keras_serializable()` or passed in "
            f"custom_objects.")
    with SafeModeScope(in_safe_mode() if safe_mode is None else safe_mode):
        try:
            instance = cls.from_config(inner) if hasattr(cls, "from_config") else cls(**inner)
        except (TypeError, KeyError, AttributeError, IndexError) as error:
            if getattr(error, "_raised_by_deserialize", False):
                raise
            raise ValueError(f"Could not rebuild '{class_name}' from its config "
                             f"({type(error).__name__}: {error}). The config does not fit "
                             f"this class: it is damaged, or from another version.") from error
    build_config = config.get("build_config")
    if build_config and not getattr(instance, "built", True) and \
            hasattr(instance, "build_from_config"):
        # As Keras: a layer saved with its build config is rebuilt through its (possibly
        # overridden) build_from_config before a model lays it out.
        instance.build_from_config(build_config)
    return instance


_namespaces_loaded = False


def _load_builtin_namespaces() -> None:
    """Imports the Keras packages whose classes register themselves (lazy by design)."""
    import importlib

    global _namespaces_loaded
    _namespaces_loaded = True

    for name in ("layers", "models", "losses", "metrics", "optimizers", "initializers",
                 "regularizers", "constraints", "callbacks", "applications", "ops"):
        importlib.import_module(f"fluxion.keras.{name}")


_unsafe_deserialization = {"enabled": False}


def enable_unsafe_deserialization() -> None:
    """Lets every load run Python bytecode (``Lambda`` layers), as ``safe_mode=False``
    does for one load (``keras.config.enable_unsafe_deserialization``)."""
    _unsafe_deserialization["enabled"] = True


def unsafe_deserialization_enabled() -> bool:
    """Whether ``enable_unsafe_deserialization`` was called."""
    return _unsafe_deserialization["enabled"]


def in_safe_mode() -> bool:
    """True unless deserialization runs with safe_mode=False or unsafe mode is enabled."""
    if unsafe_deserialization_enabled():
        return False
    stack = getattr(_scope, "safe_mode", None)
    return stack[-1] if stack else True


def is_deserializing() -> bool:
    """True while a ``deserialize_keras_object`` call (or a model load) is running.

    Layers use it to tell a config being loaded from one written by hand, e.g. to refuse
    reading files named in a loaded config in safe mode.
    """
    return bool(getattr(_scope, "safe_mode", None))


class SafeModeScope:
    """Within the block, deserialization runs with the given ``safe_mode``."""

    def __init__(self, safe_mode: bool = True):
        self.safe_mode = safe_mode

    def __enter__(self):
        stack = getattr(_scope, "safe_mode", None)
        if stack is None:
            stack = _scope.safe_mode = []
        stack.append(bool(self.safe_mode))
        return self

    def __exit__(self, *exc):
        _scope.safe_mode.pop()


# Classes found by their Keras module rather than registered one by one: a prefix of the
# ``module`` field -> ``resolve(class_name, module)``.  ``keras.src.ops.`` (operations in a
# functional model) is filled by ``layers/op_layer.py``, which is built on this module.
_MODULE_RESOLVERS: dict = {}


def register_module_resolver(prefix: str, resolve) -> None:
    """Makes objects whose ``module`` starts with ``prefix`` rebuild through
    ``resolve(class_name, module)``."""
    _MODULE_RESOLVERS[prefix] = resolve


def _module_resolver(module: str):
    for prefix, resolve in _MODULE_RESOLVERS.items():
        if module.startswith(prefix):
            return resolve
    return None


def _resolve_class(config, custom_objects, module_objects):
    if not _BUILTINS:
        _load_builtin_namespaces()
    module = config.get("module") or ""
    resolve = _module_resolver(module)
    if resolve is None and not _namespaces_loaded:  # its resolver may not be loaded yet
        _load_builtin_namespaces()
        resolve = _module_resolver(module)
    if resolve is not None:  # e.g. an operation in a functional model
        return resolve(config["class_name"], module)
    registered = config.get("registered_name")
    for name in (registered, config["class_name"]):
        if name:
            found = get_registered_object(name, custom_objects, module_objects)
            if found is not None:
                return found
    module = config.get("module")
    if (module, config["class_name"]) not in _BUILTINS \
            and config["class_name"] not in _BUILTINS_BY_NAME:
        _load_builtin_namespaces()
    found = _BUILTINS.get((module, config["class_name"]))
    if found is None:
        candidates = _BUILTINS_BY_NAME.get(config["class_name"], [])
        found = candidates[0] if candidates else None
    return found


def _builtin_function(module, name):
    """Built-in functions (activations, losses, metrics) by name, looked up lazily.

    The namespaces are loaded by name, as ``_load_builtin_namespaces`` loads the classes:
    they are built on this module (their classes register here), not below it.
    """
    import importlib

    for short in ("activations", "losses", "metrics"):
        if module and module != "builtins" and short not in module:
            continue  # Keras 3 writes module "builtins" for built-in activations
        namespace = importlib.import_module(f"fluxion.keras.{short}")
        found = getattr(namespace, name, None)
        if callable(found):
            return found
    return None
