"""Diagonals of matrices with TensorFlow's names: ``tf.linalg.diag``, ``diag_part`` and
``set_diag`` (re-exported by ``fluxion.ops.linalg_ops``).

``k`` picks one diagonal (0 the main one, positive above it, negative below) or a band
``(lower, upper)`` of them.  A band is stored as TF stores it: ``[..., num_diags, max_len]``
with row 0 holding diagonal ``upper``; diagonals shorter than ``max_len`` are padded on
the side ``align`` names (its first half for ``k >= 0``, its second for ``k < 0``).  All
three bind the two primitives ``matrix_diag_part`` and ``matrix_set_diag``, which are each
other's gradients.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.errors import InvalidArgumentError, op_error
from fluxion.core.primitives import linalg
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple

__all__ = ["diag", "diag_part", "set_diag"]


def diag_part(input, name="diag_part", k=0, padding_value=0,  # noqa: A002
              align="RIGHT_LEFT") -> Tensor:
    """Diagonal ``k`` (or the band ``k = (lower, upper)``) of the last two axes.

    Args:
      input: a tensor of rank >= 2.
      k: an int, or a pair ``(lower, upper)`` for a band of diagonals.
      padding_value: fills the slots of diagonals shorter than the longest (bands only).
      align: where shorter diagonals sit: ``"RIGHT_LEFT"`` (default), ``"LEFT_RIGHT"``,
        ``"LEFT_LEFT"`` or ``"RIGHT_RIGHT"``.

    Returns:
      ``[..., max_len]`` for one diagonal, ``[..., upper - lower + 1, max_len]`` for a band.

    >>> diag_part([[1, 2], [3, 4]]).numpy()
    array([1, 4], dtype=int32)
    >>> diag_part([[1, 2, 3], [4, 5, 6]], k=1).numpy()
    array([2, 6], dtype=int32)
    """
    x = _matrix("diag_part", input)
    lower, upper = _diagonal_range("diag_part", k)
    _check("diag_part", shape_tuple(x), lower, upper, align)
    if lower == upper == 0:
        return linalg.diag_part(x)
    return linalg.diag_part(x, lower, upper, align, _scalar("diag_part", padding_value, x))


def diag(diagonal, name="diag", k=0, num_rows=-1, num_cols=-1, padding_value=0,
         align="RIGHT_LEFT") -> Tensor:
    """Matrices with ``diagonal`` on diagonal ``k`` (or the band ``k = (lower, upper)``)
    and ``padding_value`` everywhere else.

    Args:
      diagonal: ``[..., max_len]`` for one diagonal, ``[..., num_diags, max_len]`` for a band
        (laid out as ``diag_part`` returns it).
      k: an int, or a pair ``(lower, upper)``.
      num_rows, num_cols: the matrix size; -1 infers the smallest that fits (square when
        both are -1).
      padding_value: the value off the given diagonals.
      align: as in ``diag_part``.

    Returns:
      A tensor of shape ``[..., num_rows, num_cols]``.

    >>> diag([1.0, 2.0]).numpy()
    array([[1., 0.],
           [0., 2.]], dtype=float32)
    >>> diag([1, 2], k=1).numpy()
    array([[0, 1, 0],
           [0, 0, 2],
           [0, 0, 0]], dtype=int32)
    """
    d = convert_to_tensor(diagonal)
    lower, upper = _diagonal_range("diag", k)
    _check_diagonal_rank("diag", shape_tuple(d), lower, upper)
    rows, cols = _matrix_size(shape_tuple(d)[-1], lower, upper, int(num_rows), int(num_cols))
    _check("diag", (rows, cols), lower, upper, align, in_bounds=False)
    base = np.full((rows, cols), _scalar("diag", padding_value, d), dtype=d.dtype.np_dtype)
    return linalg.set_diag(Tensor(base), d, lower, upper, align)


def set_diag(input, diagonal, name="set_diag", k=0, align="RIGHT_LEFT") -> Tensor:  # noqa: A002
    """``input`` with diagonal ``k`` (or the band ``k = (lower, upper)``) replaced.

    Args:
      input: a tensor of rank >= 2.
      diagonal: the new values, shaped as ``diag_part(input, k=k)`` returns them.
      k: an int, or a pair ``(lower, upper)``.
      align: as in ``diag_part``.

    >>> set_diag([[1, 2], [3, 4]], [0, 0]).numpy()
    array([[0, 2],
           [3, 0]], dtype=int32)
    """
    x = _matrix("set_diag", input)
    d = convert_to_tensor(diagonal, dtype=x.dtype)
    lower, upper = _diagonal_range("set_diag", k)
    x_shape, d_shape = shape_tuple(x), shape_tuple(d)
    _check("set_diag", x_shape, lower, upper, align)
    _check_diagonal_rank("set_diag", d_shape, lower, upper)
    rank = 1 if lower == upper else 2
    if len(d_shape) - rank != len(x_shape) - 2 or any(
            a is not None and b is not None and a != b
            for a, b in zip(d_shape[:-rank], x_shape[:-2])):
        raise op_error(InvalidArgumentError, "set_diag",
                       f"the diagonal's batch shape {list(d_shape[:-rank])} must equal the "
                       f"input's {list(x_shape[:-2])} (input {list(x_shape)}, diagonal "
                       f"{list(d_shape)})")
    return linalg.set_diag(x, d, lower, upper, align)


# --- argument checks ---------------------------------------------------------------------------
def _matrix(op: str, x) -> Tensor:
    x = convert_to_tensor(x)
    if len(shape_tuple(x)) < 2:
        raise op_error(InvalidArgumentError, op, f"expected a matrix (rank >= 2), got shape "
                                                 f"{list(shape_tuple(x))}")
    return x


def _diagonal_range(op: str, k) -> tuple[int, int]:
    """``k`` as ``(lower, upper)``: an int is a one-diagonal band."""
    if isinstance(k, Tensor):
        k = k._value
    values = np.asarray(k).reshape(-1)
    if values.dtype.kind not in "iu" or not 1 <= values.size <= 2:
        raise op_error(InvalidArgumentError, op, f"k must be an int or a pair of ints "
                                                 f"(lower, upper), got {k!r}")
    return int(values[0]), int(values[-1])


def _check(op: str, shape: tuple, lower: int, upper: int, align: str,
           in_bounds: bool = True) -> None:
    try:
        linalg.check_diagonals(shape[-2], shape[-1], lower, upper, align, in_bounds)
    except ValueError as error:
        raise op_error(InvalidArgumentError, op, str(error)) from None


def _check_diagonal_rank(op: str, shape: tuple, lower: int, upper: int) -> None:
    if lower == upper:
        if len(shape) < 1:
            raise op_error(InvalidArgumentError, op, f"the diagonal must have rank >= 1, got "
                                                     f"shape {list(shape)}")
        return
    count = upper - lower + 1
    if len(shape) < 2 or shape[-2] not in (None, count):
        raise op_error(InvalidArgumentError, op,
                       f"a band k=({lower}, {upper}) needs diagonals of shape "
                       f"[..., {count}, max_len], got {list(shape)}")


def _matrix_size(max_len, lower: int, upper: int, num_rows: int, num_cols: int):
    """TF's rule: the smallest size holding the diagonals, square unless one is given."""
    if max_len is None:
        if num_rows < 0 or num_cols < 0:
            raise op_error(InvalidArgumentError, "diag",
                           "the diagonal's length is unknown: give num_rows and num_cols")
        return num_rows, num_cols
    min_rows, min_cols = max_len - min(upper, 0), max_len + max(lower, 0)
    if num_rows < 0 and num_cols < 0:
        num_rows = num_cols = max(min_rows, min_cols)
    num_rows = min_rows if num_rows < 0 else num_rows
    num_cols = min_cols if num_cols < 0 else num_cols
    if num_rows < min_rows or num_cols < min_cols:
        raise op_error(InvalidArgumentError, "diag",
                       f"a {num_rows}x{num_cols} matrix is too small for diagonals "
                       f"k=({lower}, {upper}) of length {max_len}: it needs at least "
                       f"{min_rows} rows and {min_cols} columns")
    if linalg.diagonal_length(num_rows, num_cols, lower, upper) != max_len:
        raise op_error(InvalidArgumentError, "diag",
                       f"in a {num_rows}x{num_cols} matrix the longest of diagonals "
                       f"k=({lower}, {upper}) has length "
                       f"{linalg.diagonal_length(num_rows, num_cols, lower, upper)}, but the "
                       f"given diagonals have length {max_len}")
    return num_rows, num_cols


def _scalar(op: str, value, like: Tensor):
    """``padding_value`` as a plain Python scalar of ``like``'s dtype (a primitive attribute)."""
    if isinstance(value, Tensor):
        value = value._value
    array = np.asarray(value)
    if array.ndim != 0:
        raise op_error(InvalidArgumentError, op, f"padding_value must be a scalar, got shape "
                                                 f"{list(array.shape)}")
    return array.astype(like.dtype.np_dtype).item()
