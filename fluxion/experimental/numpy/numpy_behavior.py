"""``experimental_enable_numpy_behavior``: NumPy's methods and promotion on every tensor.

Once enabled (for the rest of the process, as in TensorFlow), tensors gain
``.reshape``, ``.T``, ``.astype``, ``.ravel``, ``.clip``, ``.tolist``, ``.mean`` and the
other NumPy methods, and the Python operators (``+``, ``*``, ``<``...) promote mixed
dtypes with NumPy's rules instead of raising: ``int32_tensor + 1.5`` is float64.
``disable_numpy_behavior`` puts the Fluxion operators back (tests use it).
"""

from __future__ import annotations

import numpy as np

from fluxion.core import tensor_operators
from fluxion.core.tensor import Tensor
from fluxion.core.variable import Variable
from fluxion.experimental.numpy import (
    dtype_rules,
    linear_algebra,
    logic,
    manipulation,
    math_binary,
    reductions,
)
from fluxion.experimental.numpy.conversion import asarray


def _reshape(self, *shape, order="C"):
    if len(shape) == 1 and not isinstance(shape[0], int):
        shape = shape[0]
    return manipulation.reshape(self, list(shape), order=order)


def _transpose(self, *axes):
    if len(axes) == 1 and not isinstance(axes[0], int):
        axes = axes[0]
    return manipulation.transpose(self, list(axes) if axes else None)


def _astype(self, dtype):
    return asarray(self, dtype)


def _tolist(self):
    return self.numpy().tolist()


def _size(self):
    count = self.shape.num_elements()
    return np.int64(count) if count is not None else None


_METHODS = {
    "reshape": _reshape,
    "transpose": _transpose,
    "T": property(lambda self: manipulation.transpose(self)),
    "astype": _astype,
    "ravel": manipulation.ravel,
    "flatten": manipulation.ravel,
    "clip": lambda self, a_min=None, a_max=None: math_binary.clip(self, a_min, a_max),
    "tolist": _tolist,
    "size": property(_size),
    "data": property(lambda self: self),
    "max": lambda self, axis=None, keepdims=False: reductions.amax(self, axis, keepdims),
    "min": lambda self, axis=None, keepdims=False: reductions.amin(self, axis, keepdims),
    "mean": lambda self, axis=None, dtype=None, keepdims=False: reductions.mean(
        self, axis, dtype, keepdims),
    "sum": lambda self, axis=None, dtype=None, keepdims=False: reductions.sum(
        self, axis, dtype, keepdims),
}


def _reflected(function):
    def reflected(self, other):
        return function(other, self)

    return reflected


def _binary_operators() -> dict:
    pairs = {"add": math_binary.add, "sub": math_binary.subtract,
             "mul": math_binary.multiply, "truediv": math_binary.true_divide,
             "floordiv": math_binary.floor_divide, "mod": math_binary.mod,
             "pow": math_binary.power, "matmul": linear_algebra.matmul,
             "and": math_binary.bitwise_and, "or": math_binary.bitwise_or,
             "xor": math_binary.bitwise_xor}
    operators = {}
    for name, function in pairs.items():
        operators[f"__{name}__"] = function
        operators[f"__r{name}__"] = _reflected(function)
    operators.update({"__lt__": logic.less, "__le__": logic.less_equal,
                      "__gt__": logic.greater, "__ge__": logic.greater_equal})
    return operators


_saved: dict = {}


def experimental_enable_numpy_behavior(prefer_float32=False,
                                       dtype_conversion_mode="legacy") -> None:
    """Gives tensors NumPy's methods and the operators NumPy's dtype promotion.

    Args:
      prefer_float32: make the default float type float32 instead of float64.
      dtype_conversion_mode: TensorFlow's promotion mode; 'legacy' (NumPy's rules, the
        default) is the one supported.

    Example::

        tnp.experimental_enable_numpy_behavior()
        tf.constant([[1, 2]]).T.astype("float32").reshape(-1)
    """
    if dtype_conversion_mode not in ("legacy", "all", "safe"):
        raise ValueError(f"dtype_conversion_mode must be 'legacy', 'all' or 'safe', got "
                         f"{dtype_conversion_mode!r}")
    dtype_rules.set_prefer_float32(prefer_float32)
    replacements = {**_METHODS, **_binary_operators()}
    for cls in (Tensor, Variable):
        for name, value in replacements.items():
            if (cls, name) not in _saved:
                _saved[(cls, name)] = cls.__dict__.get(name, _MISSING)
            setattr(cls, name, value)


_MISSING = object()


def disable_numpy_behavior() -> None:
    """Undoes ``experimental_enable_numpy_behavior``: Fluxion's methods and operators."""
    for (cls, name), previous in _saved.items():
        if previous is _MISSING:
            delattr(cls, name)
        else:
            setattr(cls, name, previous)
    _saved.clear()
    dtype_rules.set_prefer_float32(False)
    tensor_operators.install()

