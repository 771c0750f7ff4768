"""``OperationLayer``: a ``keras.ops`` function applied to KerasTensors (``x + y``,
``x[:, 1:]``, ``ops.exp(x)`` in a functional model).

It serializes as Keras 3 serializes its operations: class ``Add``/``GetItem``/``Reshape``
of module ``keras.src.ops.numpy`` (or ``nn``, ``core``...), the op's options (``axis``,
``newshape``) in its config, and the tensors and call arguments (a slicing key, a
constant operand) in the node's ``args``.  A config Keras wrote loads the same way: the
class name gives the ``keras.ops`` function, the config's options are its keywords.
"""

from __future__ import annotations

import inspect
import re

from fluxion.keras.layers.layer import Layer

# Parameters Keras passes to an operation's call (the rest go to its constructor).
_CALL_PARAMETERS = {"x", "x1", "x2", "y", "key", "inputs", "xs", "condition", "a", "b"}
# keras.ops functions defined in a Fluxion module other than the Keras one Keras uses.
_KERAS_MODULE_OF = {"get_item": "numpy"}


def _class_name(op_name: str) -> str:
    return "".join(part.capitalize() for part in op_name.split("_"))


def _find_function(class_name: str, module: str | None, ops):
    """The function of the ``keras.ops`` namespace ``ops`` that a Keras operation class
    names (``GetItem`` -> ``get_item``)."""
    family = (module or "").rsplit(".", 1)[-1]
    namespaces = [getattr(ops, family)] if family in ("image", "nn", "linalg") and \
        hasattr(ops, family) else []
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", class_name).lower()
    squashed = class_name.lower()
    for namespace in namespaces + [ops]:
        if callable(getattr(namespace, snake, None)):
            return getattr(namespace, snake)
        for name in dir(namespace):
            if name.replace("_", "") == squashed and callable(getattr(namespace, name)):
                return getattr(namespace, name)
    raise TypeError(f"Could not locate the keras.ops function of operation '{class_name}' "
                    f"(module {module!r})")


def _keras_module(op_name: str, function) -> str:
    if op_name in _KERAS_MODULE_OF:
        return f"keras.src.ops.{_KERAS_MODULE_OF[op_name]}"
    module = getattr(function, "__module__", "") or ""
    family = module.rsplit(".", 1)[-1]
    for prefix in ("numpy", "nn", "linalg", "math", "image", "core"):
        if family.startswith(prefix):
            return f"keras.src.ops.{prefix}"
    return "keras.src.ops.numpy"


class OperationLayer(Layer):
    """Calls a ``keras.ops`` function, ``function(*args, **options, **kwargs)``."""

    def __init__(self, function, name: str | None = None, **options):
        from fluxion.keras.engine import naming

        op_name = function.__name__
        super().__init__(name=name or naming.unique_name(op_name), autocast=False)
        self.op_name = op_name
        self.options = options
        self.function = function
        self.serialized_class_name = _class_name(op_name)
        self.keras_module = _keras_module(op_name, function)
        self._keras_registered_name = self.serialized_class_name

    def call(self, *args, **kwargs):
        if self.op_name == "get_item" and len(args) == 2 and isinstance(args[1], list):
            args = (args[0], tuple(args[1]))  # a key read back from JSON
        return self.function(*args, **self.options, **kwargs)

    def get_config(self) -> dict:
        return {"name": self.name, **self.options}

    def get_build_config(self):
        return None  # Keras's operations have no build step (and read no build_config)

    @classmethod
    def for_keras_class(cls, class_name: str, module: str | None, ops):
        """A factory that ``deserialize_keras_object`` calls ``from_config`` on; ``ops``
        is the ``keras.ops`` namespace (which registers this with serialization)."""
        function = _find_function(class_name, module, ops)

        class _Factory:
            @staticmethod
            def from_config(config: dict):
                return cls(function, **config)

        return _Factory


def apply_operation(function, args: tuple, kwargs: dict):
    """``function(*args, **kwargs)`` (a keras.ops function) on KerasTensors: a model node.

    The arguments split as Keras splits them: tensors and call arguments are passed at
    call time (recorded in the node); the op's options become the layer's config.
    """
    from fluxion.core import nest
    from fluxion.keras.engine.keras_tensor import KerasTensor

    try:
        bound = inspect.signature(function).bind(*args, **kwargs)
    except (TypeError, ValueError):  # no usable signature: everything at call time
        return OperationLayer(function)(*args, **kwargs)
    names = list(bound.arguments)
    holds_tensor = [any(isinstance(leaf, KerasTensor)
                        for leaf in nest.flatten(bound.arguments[n])) for n in names]
    call_count = 0
    for index, name in enumerate(names):
        if holds_tensor[index] or name in _CALL_PARAMETERS:
            call_count = index + 1
    kinds = inspect.signature(function).parameters
    if any(kinds[n].kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
           for n in names):
        return OperationLayer(function)(*args, **kwargs)
    call_args = [bound.arguments[n] for n in names[:call_count]]
    options = {n: bound.arguments[n] for n in names[call_count:]}
    return OperationLayer(function, **options)(*call_args)
