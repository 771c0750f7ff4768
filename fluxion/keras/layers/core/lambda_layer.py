"""``Lambda``: wraps an arbitrary function of tensors as a layer.

Serialization follows Keras 3.  A named function is stored by name (it must be
registered, or given in ``custom_objects``, to load again).  A Python ``lambda`` is
stored as its marshalled bytecode, base64-encoded (``{"class_name": "__lambda__",
"config": {"code", "defaults", "closure"}}``).  Loading bytecode runs arbitrary code, so
``from_config`` refuses it unless ``safe_mode=False``, with Keras's explanation.
"""

from __future__ import annotations

import base64
import binascii
import builtins
import inspect
import marshal
import os
import types

from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving import serialization
from fluxion.keras.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)

_UNSAFE_LAMBDA = (
    "Requested the deserialization of a `Lambda` layer whose `function` is a Python lambda. "
    "This carries a potential risk of arbitrary code execution and thus it is disallowed by "
    "default. If you trust the source of the artifact, you can override this error by "
    "passing `safe_mode=False` to the loading function, or calling "
    "`keras.config.enable_unsafe_deserialization()."
)


@keras_class("keras.layers")
class Lambda(Layer):
    """Calls ``function(inputs, **arguments)`` (``keras.layers.Lambda``).

    Args:
      function: the function; it may take ``mask`` and ``training`` keyword arguments.
      output_shape: the output shape without the batch dimension, or a function of the
        input shape; inferred by tracing ``function`` when None.
      mask: an output mask, or a function ``mask(inputs, previous_mask)``.
      arguments: extra keyword arguments for ``function``.

    >>> import numpy as np
    >>> Lambda(lambda x: x * 2.0)(np.array([1.0, 2.0], "float32")).numpy()
    array([2., 4.], dtype=float32)
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.arguments = arguments or {}
        self.function = function
        self.supports_masking = mask is not None
        self.mask = mask
        self._output_shape = output_shape
        parameters = _argument_names(function)
        self._fn_expects_training_arg = "training" in parameters
        self._fn_expects_mask_arg = "mask" in parameters
        self.built = True

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_expects_mask_arg:
            kwargs["mask"] = mask
        if self._fn_expects_training_arg:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            try:
                return super().compute_output_shape(input_shape)
            except Exception as error:
                raise NotImplementedError(
                    "We could not automatically infer the shape of the Lambda's output. "
                    "Please specify the `output_shape` argument for this Lambda layer."
                ) from error
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        first = input_shape
        while isinstance(first, (tuple, list)) and first and isinstance(first[0],
                                                                         (tuple, list)):
            first = first[0]
        batch = first[0] if first else None
        return _map_shapes(lambda shape: (batch,) + tuple(shape), self._output_shape)

    def get_config(self) -> dict:
        config = {"function": _serialize_function(self.function)}
        if self._output_shape is not None:
            config["output_shape"] = (_serialize_function(self._output_shape)
                                      if callable(self._output_shape)
                                      else self._output_shape)
        if self.mask is not None:
            config["mask"] = (_serialize_function(self.mask) if callable(self.mask)
                              else serialize_keras_object(self.mask))
        config["arguments"] = serialize_keras_object(self.arguments)
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None, safe_mode=None):
        config = dict(config)
        if safe_mode is None:  # fall back to the ambient setting; unset means safe
            in_safe_mode = getattr(serialization, "in_safe_mode", None)
            safe_mode = in_safe_mode() if in_safe_mode is not None else True
        safe_mode = safe_mode is not False
        config["function"] = _load_function(config["function"], custom_objects, safe_mode)
        if "output_shape" in config:
            shape = config["output_shape"]
            if _is_lambda_config(shape) or isinstance(shape, dict):
                config["output_shape"] = _load_function(shape, custom_objects, safe_mode)
            elif isinstance(shape, list) and all(isinstance(d, (int, type(None)))
                                                 for d in shape):
                config["output_shape"] = tuple(shape)
        if "mask" in config:
            mask = config["mask"]
            config["mask"] = _load_function(mask, custom_objects, safe_mode) \
                if isinstance(mask, dict) else mask
        if "arguments" in config:
            config["arguments"] = deserialize_keras_object(config["arguments"],
                                                           custom_objects=custom_objects)
        return super().from_config(config)


def _argument_names(function) -> list:
    try:
        return inspect.getfullargspec(function).args
    except TypeError:
        return []


def _map_shapes(fn, shapes):
    """Applies ``fn`` to each shape (a tuple/list of ints or None) in a nested structure."""
    if isinstance(shapes, (tuple, list)) and all(d is None or isinstance(d, int)
                                                 for d in shapes):
        return fn(shapes)
    if isinstance(shapes, dict):
        return {key: _map_shapes(fn, value) for key, value in shapes.items()}
    return type(shapes)(_map_shapes(fn, value) for value in shapes)


def _is_lambda_config(value) -> bool:
    return isinstance(value, dict) and value.get("class_name") == "__lambda__"


def _serialize_function(function) -> dict:
    if isinstance(function, types.LambdaType) and function.__name__ == "<lambda>":
        code, defaults, closure = dump_function(function)
        return {"class_name": "__lambda__",
                "config": {"code": code, "defaults": defaults, "closure": closure}}
    if callable(function):
        return serialize_keras_object(function)
    raise ValueError(f"Invalid input type for serialization. Received: {function} of type "
                     f"{type(function)}.")


def _load_function(config, custom_objects, safe_mode: bool):
    if _is_lambda_config(config):
        if safe_mode:
            raise ValueError(_UNSAFE_LAMBDA)
        inner = config["config"]
        return load_function(inner["code"], inner.get("defaults"), inner.get("closure"))
    return deserialize_keras_object(config, custom_objects=custom_objects)


def dump_function(function) -> tuple:
    """``(code, defaults, closure)``: base64 of the marshalled code object, as Keras 3."""
    raw = marshal.dumps(function.__code__)
    if os.name == "nt":
        raw = raw.replace(b"\\", b"/")
    code = base64.encodebytes(raw).decode("ascii")
    closure = tuple(cell.cell_contents for cell in function.__closure__) \
        if function.__closure__ else None
    return code, function.__defaults__, closure


def load_function(code: str, defaults=None, closure=None, globs: dict | None = None):
    """Rebuilds a function from ``dump_function``'s output (runs untrusted bytecode!)."""
    if isinstance(code, (tuple, list)):
        code, defaults, closure = code
    if isinstance(defaults, list):
        defaults = tuple(defaults)
    if closure is not None:
        closure = tuple(value if isinstance(value, types.CellType) else types.CellType(value)
                        for value in closure)
    try:
        raw = base64.decodebytes(code.encode("ascii"))
    except (UnicodeEncodeError, binascii.Error):
        raw = code.encode("raw_unicode_escape")
    code_object = marshal.loads(raw)
    if globs is None:
        globs = {"__builtins__": builtins}
    return types.FunctionType(code_object, globs, name=code_object.co_name, argdefs=defaults,
                              closure=closure)
