"""TF 1's assertions (``tf.compat.v1.assert_*``) and numeric checks.

Value checks are ``assert`` ops (``fluxion.ops.framework_ops.assert_p``): eagerly they
raise ``InvalidArgumentError`` at once; in a graph they raise when the op runs (fetch
it, or put it in ``control_dependencies``).  Checks of static facts (rank, dtype) raise
``ValueError``/``TypeError`` when the check is built, as TensorFlow does.
"""

from __future__ import annotations

import collections.abc

import numpy as np

from fluxion.core import dtypes, nest
from fluxion.core.primitive import bind
from fluxion.core.primitives.runtime_check import assert_p
from fluxion.core.tensor import convert_to_tensor


def _check(condition, data: list, message, default: str, summarize):
    from fluxion.ops.reduce_ops import reduce_all

    text = f"{message} {default}" if message else default
    tensors = [convert_to_tensor(d) for d in nest.flatten(data)]
    return bind(assert_p, reduce_all(condition), *tensors, message=text,
                summarize=summarize or 3)


def _comparison(symbol: str, compare):
    def check(x, y, data=None, summarize=None, message=None, name=None):
        from fluxion.core.primitives.elementwise import binary_operands

        x, y = binary_operands(symbol, x, y)
        return _check(compare(x, y), data if data is not None else [x, y], message,
                      f"Condition x {symbol} y did not hold element-wise", summarize)
    return check


def _sign_check(what: str, compare):
    def check(x, data=None, summarize=None, message=None, name=None):
        x = convert_to_tensor(x)
        return _check(compare(x, 0), data if data is not None else [x], message,
                      f"Condition x {what} did not hold element-wise", summarize)
    return check


assert_greater_equal = _comparison(">=", lambda x, y: x >= y)
assert_less_equal = _comparison("<=", lambda x, y: x <= y)
assert_none_equal = _comparison("!=", lambda x, y: x != y)
assert_positive = _sign_check("> 0", lambda x, z: x > z)
assert_negative = _sign_check("< 0", lambda x, z: x < z)
assert_non_negative = _sign_check(">= 0", lambda x, z: x >= z)
assert_non_positive = _sign_check("<= 0", lambda x, z: x <= z)
for _check_fn, _name in ((assert_greater_equal, "assert_greater_equal"),
                         (assert_less_equal, "assert_less_equal"),
                         (assert_none_equal, "assert_none_equal"),
                         (assert_positive, "assert_positive"),
                         (assert_negative, "assert_negative"),
                         (assert_non_negative, "assert_non_negative"),
                         (assert_non_positive, "assert_non_positive")):
    _check_fn.__name__ = _check_fn.__qualname__ = _name
    _check_fn.__doc__ = (f"``tf.compat.v1.{_name}``: raises ``InvalidArgumentError`` "
                         f"(showing ``data``) unless the condition holds everywhere.")


def assert_near(x, y, rtol=None, atol=None, data=None, summarize=None, message=None,
                name=None):
    """Raises unless ``|x - y| <= atol + rtol * |y|`` everywhere (defaults: 10 eps)."""
    from fluxion.ops.math_ops import abs as absolute

    x = convert_to_tensor(x)
    y = convert_to_tensor(y, dtype=x.dtype)
    eps = float(np.finfo(x.dtype.np_dtype).eps) if x.dtype.is_floating else 0.0
    rtol = 10 * eps if rtol is None else rtol
    atol = 10 * eps if atol is None else atol
    return _check(absolute(x - y) <= atol + rtol * absolute(y),
                  data if data is not None else [x, y], message,
                  f"x and y not equal to tolerance rtol = {rtol}, atol = {atol}", summarize)


def assert_integer(x, message=None, name=None):
    """Raises ``TypeError`` unless ``x`` has an integer dtype."""
    x = convert_to_tensor(x)
    if not x.dtype.is_integer:
        raise TypeError(f"{message or ''}{' ' if message else ''}Expected integer type for "
                        f"tensor {getattr(x, 'name', 'x')}, got dtype {x.dtype.name}")


def assert_type(tensor, tf_type, message=None, name=None):
    """Raises ``TypeError`` unless ``tensor``'s dtype is ``tf_type``."""
    tensor = convert_to_tensor(tensor)
    wanted = dtypes.as_dtype(tf_type)
    if tensor.dtype != wanted:
        raise TypeError(f"{message or ''}{' ' if message else ''}tensor must be of type "
                        f"{wanted.name}, got {tensor.dtype.name}")


def assert_scalar(tensor, name=None, message=None):
    """``tensor`` if it is a scalar (statically), else ``ValueError``."""
    tensor = convert_to_tensor(tensor)
    if tensor.shape.rank is not None and tensor.shape.rank != 0:
        raise ValueError(f"{message or ''}{' ' if message else ''}Expected scalar shape, "
                         f"saw shape: {tensor.shape}.")
    return tensor


def assert_rank_at_least(x, rank, data=None, summarize=None, message=None, name=None):
    """Raises ``ValueError`` unless ``x`` has rank ``rank`` or more (known statically)."""
    x = convert_to_tensor(x)
    if x.shape.rank is not None and x.shape.rank < int(rank):
        raise ValueError(f"{message or ''}{' ' if message else ''}Tensor must have rank at "
                         f"least {int(rank)}. Received rank {x.shape.rank}, shape {x.shape}")


def assert_rank_in(x, ranks, data=None, summarize=None, message=None, name=None):
    """Raises ``ValueError`` unless ``x``'s rank is one of ``ranks``."""
    x = convert_to_tensor(x)
    allowed = [int(r) for r in ranks]
    if x.shape.rank is not None and x.shape.rank not in allowed:
        raise ValueError(f"{message or ''}{' ' if message else ''}Tensor must have rank in "
                         f"{allowed}. Received rank {x.shape.rank}, shape {x.shape}")


def assert_same_float_dtype(tensors=None, dtype=None):
    """The one floating dtype of ``tensors`` (and ``dtype``); ``ValueError`` if they
    differ or are not floating; float32 if nothing says."""
    found = dtypes.as_dtype(dtype) if dtype is not None else None
    for tensor in tensors or ():
        current = tensor.dtype
        if found is not None and current != found:
            raise ValueError(f"Expected dtype {found.name} for {tensor!r}, got "
                             f"{current.name}.")
        found = current
    if found is None:
        return dtypes.float32
    if not found.is_floating:
        raise ValueError(f"Expected floating point type, got {found.name}.")
    return found


def assert_proper_iterable(values) -> None:
    """``TypeError`` if ``values`` is a tensor, array, string or not iterable."""
    from fluxion.core.tensor import Tensor

    if isinstance(values, (Tensor, np.ndarray, str, bytes)) or hasattr(values, "_graph_value"):
        raise TypeError(f"Expected argument 'values' to be a \"proper\" iterable.  Found: "
                        f"{type(values).__name__}")
    if not isinstance(values, collections.abc.Iterable):
        raise TypeError(f"Expected argument 'values' to be iterable.  Found: "
                        f"{type(values).__name__}")


def check_numerics(tensor, message, name=None):
    """``tensor``, checked when it is computed: ``InvalidArgumentError`` naming
    ``message`` if it holds a NaN or an infinity."""
    from fluxion.graph.v1.graph_mode_ops import control_dependencies
    from fluxion.ops.creation_ops import identity
    from fluxion.ops.math_ops import is_finite

    tensor = convert_to_tensor(tensor)
    checked = _check(is_finite(tensor), [], f"{message} :", "Tensor had NaN or Inf values",
                     None)
    with control_dependencies([checked]):
        return identity(tensor)


def verify_tensor_all_finite(t=None, msg=None, name=None, x=None, message=None):
    """TF 1's ``check_numerics`` with its argument names (``t``/``x``, ``msg``/``message``)."""
    return check_numerics(t if t is not None else x, msg if msg is not None else message)


def is_numeric_tensor(tensor) -> bool:
    """Whether ``tensor`` is a tensor of a numeric dtype."""
    from fluxion.core.tensor import Tensor

    return isinstance(tensor, Tensor) and tensor.dtype.is_numeric


def add_check_numerics_ops():
    """An op checking every floating tensor of the default graph built so far: running
    it raises ``InvalidArgumentError`` naming the first tensor with a NaN or infinity."""
    from fluxion.graph.v1.graph import get_default_graph, group
    from fluxion.ops.math_ops import is_finite

    graph = get_default_graph()
    checks = []
    with graph.building():
        for node in list(graph.ir_graph.nodes):
            for value in node.outputs:
                if value.aval.dtype.is_floating:
                    tensor = graph.builder.symbolic(value)
                    checks.append(_check(is_finite(tensor), [], f"{value.name} :",
                                         "Tensor had NaN or Inf values", None))
    return group(*checks, name="CheckNumerics")
