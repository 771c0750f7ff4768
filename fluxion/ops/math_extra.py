"""More of ``tf.math``, composed from existing ops: counting (``bincount``,
``confusion_matrix``), safe products and logs (``xdivy``, ``xlog1py``,
``multiply_no_nan``), ``polyval``, ``cumulative_logsumexp``, ``accumulate_n``, ordering
checks, ``invert_permutation``, ``zero_fraction``, ``rint``, ``nextafter``,
``approx_max_k`` / ``approx_min_k`` (exact here), and ``sobol_sample``.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import bind
from fluxion.core.primitives.elementwise import (
    binary_operands,
    cast,
    equal,
    exp,
    log,
    log1p,
    maximum,
    nextafter_p,
    round_,
    select,
)
from fluxion.core.primitives.shape import reshape, stack
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.ops.nn_ops import l2_normalize, log_softmax, softmax  # noqa: F401 - tf.math names
from fluxion.ops.reduce_ops import cumsum, reduce_all, reduce_max, reduce_mean

__all__ = ["bincount", "confusion_matrix", "xdivy", "xlog1py", "multiply_no_nan", "polyval",
           "cumulative_logsumexp", "accumulate_n", "is_non_decreasing",
           "is_strictly_increasing", "invert_permutation", "zero_fraction", "rint",
           "nextafter", "approx_max_k", "approx_min_k", "sobol_sample", "l2_normalize",
           "log_softmax", "softmax"]


def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=dtypes.int32,
             name=None, axis=None, binary_output=False) -> Tensor:
    """How many times each value ``0..n-1`` occurs in ``arr`` (or the sum of ``weights``).

    ``axis=-1`` counts each row of a 2-D ``arr`` separately.

    >>> import fluxion as tf
    >>> tf.math.bincount(tf.constant([1, 1, 3])).numpy()
    array([0, 2, 0, 1], dtype=int32)
    """
    from fluxion.ops.segment_ops import unsorted_segment_sum

    arr = convert_to_tensor(arr)
    if not arr.dtype.is_integer:
        raise TypeError(f"bincount: arr must be integers, got {arr.dtype.name}")
    arr32 = cast(arr, dtypes.int32)
    size = reduce_max(arr32) + 1 if arr.shape.num_elements() != 0 else \
        convert_to_tensor(0, dtype=dtypes.int32)
    size = maximum(size, 0)
    if minlength is not None:
        size = maximum(size, int(minlength))
    if maxlength is not None:
        from fluxion.core.primitives.elementwise import minimum

        size = minimum(size, int(maxlength))
    out_dtype = dtypes.as_dtype(dtype) if weights is None else \
        convert_to_tensor(weights).dtype
    if weights is None or binary_output:
        from fluxion.ops.creation_ops import ones_like

        values = ones_like(arr, dtype=out_dtype)
    else:
        values = convert_to_tensor(weights)
    if axis in (-1, 1) and arr.shape.rank == 2:
        from fluxion.ops.creation_ops import range as range_op
        from fluxion.ops.creation_ops import shape

        rows = shape(arr32)[0]
        offsets = reshape(range_op(rows), [-1, 1]) * size
        flat = unsorted_segment_sum(values, arr32 + offsets, rows * size)
        counts = reshape(flat, stack([rows, size]))
    else:
        counts = unsorted_segment_sum(reshape(values, [-1]), reshape(arr32, [-1]), size)
    if binary_output:
        counts = cast(cast(counts, dtypes.bool_), out_dtype)
    return counts


def confusion_matrix(labels, predictions, num_classes=None, weights=None,
                     dtype=dtypes.int32, name=None) -> Tensor:
    """``m[i, j]``: how many examples of label ``i`` were predicted ``j``."""
    labels = cast(convert_to_tensor(labels), dtypes.int32)
    predictions = cast(convert_to_tensor(predictions), dtypes.int32)
    if num_classes is None:
        num_classes = maximum(reduce_max(labels), reduce_max(predictions)) + 1
    n = convert_to_tensor(num_classes, dtype=dtypes.int32)
    flat = labels * n + predictions
    weights = None if weights is None else cast(convert_to_tensor(weights),
                                                dtypes.as_dtype(dtype))
    counts = bincount(flat, weights=weights, minlength=n * n, maxlength=n * n, dtype=dtype)
    return reshape(counts, stack([n, n]))


def xdivy(x, y, name=None) -> Tensor:
    """``x / y``, and 0 where ``x`` is 0."""
    x, y = binary_operands("xdivy", x, y)
    zero = equal(x, x * 0)
    return select(zero, x * 0, x / select(zero, y * 0 + 1, y))


def xlog1py(x, y, name=None) -> Tensor:
    """``x * log1p(y)``, and 0 where ``x`` is 0."""
    x, y = binary_operands("xlog1py", x, y)
    zero = equal(x, x * 0)
    return select(zero, x * 0, x * log1p(select(zero, y * 0, y)))


def multiply_no_nan(x, y, name=None) -> Tensor:
    """``x * y``, and 0 where ``y`` is 0 even if ``x`` is inf or nan."""
    x, y = binary_operands("multiply_no_nan", x, y)
    zero = equal(y, y * 0)
    return select(zero, y * 0, select(zero, y * 0, x) * y)


def polyval(coeffs, x, name=None) -> Tensor:
    """``coeffs[0] * x**(n-1) + ... + coeffs[n-1]`` by Horner's rule."""
    x = convert_to_tensor(x)
    result = x * 0
    for coefficient in coeffs:
        result = result * x + coefficient
    return result


def cumulative_logsumexp(x, axis=0, exclusive=False, reverse=False, name=None) -> Tensor:
    """``log(cumsum(exp(x)))``, computed stably."""
    from fluxion.ops.creation_ops import stop_gradient

    x = convert_to_tensor(x)
    peak = stop_gradient(reduce_max(x, axis=axis, keepdims=True))
    return log(cumsum(exp(x - peak), axis=axis, exclusive=exclusive, reverse=reverse)) + peak


def accumulate_n(inputs, shape=None, tensor_dtype=None, name=None) -> Tensor:
    """The elementwise sum of a list of tensors (``add_n``)."""
    from fluxion.ops.math_ops import add_n

    return add_n(inputs)


def is_non_decreasing(x, name=None) -> Tensor:
    """Whether each element of the flattened ``x`` is >= the one before."""
    flat = reshape(convert_to_tensor(x), [-1])
    return reduce_all(flat[1:] >= flat[:-1])


def is_strictly_increasing(x, name=None) -> Tensor:
    """Whether each element of the flattened ``x`` is > the one before."""
    flat = reshape(convert_to_tensor(x), [-1])
    return reduce_all(flat[1:] > flat[:-1])


def invert_permutation(x, name=None) -> Tensor:
    """``y`` with ``y[x[i]] = i``."""
    from fluxion.ops.sort_ops import argsort

    x = convert_to_tensor(x)
    return cast(argsort(x, stable=True), x.dtype)


def zero_fraction(value, name=None) -> Tensor:
    """The fraction of zeros in ``value`` (float32)."""
    value = convert_to_tensor(value)
    return reduce_mean(cast(equal(value, value * 0), dtypes.float32))


def rint(x, name=None) -> Tensor:
    """Rounds to the nearest integer, halves to even."""
    return round_(convert_to_tensor(x))


def nextafter(x1, x2, name=None) -> Tensor:
    """The next representable floating-point value after ``x1`` toward ``x2``."""
    x1, x2 = binary_operands("nextafter", x1, x2)
    return bind(nextafter_p, x1, x2)


def approx_max_k(operand, k, reduction_dimension=-1, recall_target=0.95,
                 reduction_input_size_override=-1, aggregate_to_topk=True, name=None):
    """The ``k`` largest values and their indices along an axis (exact here)."""
    return _top_k_along(convert_to_tensor(operand), k, reduction_dimension, largest=True)


def approx_min_k(operand, k, reduction_dimension=-1, recall_target=0.95,
                 reduction_input_size_override=-1, aggregate_to_topk=True, name=None):
    """The ``k`` smallest values and their indices along an axis (exact here)."""
    return _top_k_along(convert_to_tensor(operand), k, reduction_dimension, largest=False)


def _top_k_along(x: Tensor, k: int, axis: int, largest: bool):
    from fluxion.core.primitives.shape import transpose
    from fluxion.ops.sort_ops import top_k

    rank = x.shape.rank
    axis = axis % rank
    perm = [i for i in range(rank) if i != axis] + [axis]
    moved = transpose(x, perm) if axis != rank - 1 else x
    values, indices = top_k(moved if largest else -moved, k=k)
    values = values if largest else -values
    if axis != rank - 1:
        back = list(np.argsort(perm))
        values, indices = transpose(values, back), transpose(indices, back)
    return values, indices


def sobol_sample(dim, num_results, skip=0, dtype=dtypes.float32, name=None) -> Tensor:
    """Points of the Sobol low-discrepancy sequence, ``[num_results, dim]`` (needs SciPy).

    As in TF, the all-zero first point is not part of the sequence.
    """
    try:
        from scipy.stats import qmc
    except ImportError:
        raise ImportError("fluxion.math.sobol_sample needs the optional SciPy package: "
                          "pip install scipy") from None
    engine = qmc.Sobol(d=int(dim), scramble=False)
    engine.fast_forward(1 + int(skip))
    return convert_to_tensor(engine.random(int(num_results)).astype(
        dtypes.as_dtype(dtype).np_dtype))
