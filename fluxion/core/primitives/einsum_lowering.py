"""Two-operand einsum as one (batched) matrix product, so it runs on BLAS or oneDNN.

NumPy's ``einsum`` hands a contraction to BLAS only through its path optimiser,
and for the batched products of attention (``aecd,abcd->acbe``: a batch of
``a*c`` matrix products) it falls back to a slow summation loop.  Every
two-operand einsum whose labels all have one size is a batched matrix product
after a transpose: each label is

* a *batch* label (in both operands and the output),
* a *contracted* label (in both operands, not the output),
* a *left* or *right free* label (in one operand and the output), or
* a label summed within one operand alone (summed away first).

So ``as_matmul`` transposes the left operand to ``batch, left, contracted`` and
the right one to ``batch, contracted, right``, flattens the left, right and
contracted groups into one axis each (batch labels stay separate axes, so that a
transposed operand reaches BLAS as a strided view, uncopied), multiplies with
``np.matmul`` and transposes the result into the output order.
The operands swap roles when the output lists right labels before left ones, so
that the final transpose is usually the identity.  Labels of unequal sizes
(broadcasting a size-1 axis) and non-float dtypes are left to ``np.einsum``.
"""

from __future__ import annotations

import math

import numpy as np


def as_matmul(subscripts: str, left: np.ndarray, right: np.ndarray, matmul=np.matmul):
    """``np.einsum(subscripts, left, right)`` computed by ``matmul`` (``np.matmul``, or
    the active backend's kernel of the ``matmul`` primitive: equal ranks, batch axes
    first), or None when the labels' sizes differ between operands (broadcasting) or the
    dtype is not a float or complex one.  ``subscripts`` is explicit: ``ab,bc->ac``."""
    if left.dtype != right.dtype or left.dtype.kind not in "fc":
        return None
    inputs, output = subscripts.split("->")
    left_labels, right_labels = inputs.split(",")
    sizes: dict = {}
    for labels, array in ((left_labels, left), (right_labels, right)):
        for label, dim in zip(labels, array.shape):
            if sizes.setdefault(label, dim) != dim:
                return None
    left, left_labels = _sum_lone_labels(left, left_labels, right_labels + output)
    right, right_labels = _sum_lone_labels(right, right_labels, left_labels + output)
    if _right_first(left_labels, right_labels, output):
        left, right = right, left
        left_labels, right_labels = right_labels, left_labels
    batch = [c for c in output if c in left_labels and c in right_labels]
    left_free = [c for c in output if c in left_labels and c not in right_labels]
    right_free = [c for c in output if c in right_labels and c not in left_labels]
    contracted = [c for c in left_labels if c in right_labels and c not in output]
    lhs = _grouped(left, left_labels, batch, [left_free, contracted], sizes)
    rhs = _grouped(right, right_labels, batch, [contracted, right_free], sizes)
    product = matmul(lhs, rhs)
    order = batch + left_free + right_free
    product = product.reshape([sizes[c] for c in order])
    perm = [order.index(c) for c in output]
    return product if perm == sorted(perm) else product.transpose(perm)


def _sum_lone_labels(array, labels: str, elsewhere: str):
    """Sums ``array`` over the labels found in no other operand nor the output."""
    lone = tuple(i for i, c in enumerate(labels) if c not in elsewhere)
    if not lone:
        return array, labels
    kept = "".join(c for i, c in enumerate(labels) if i not in lone)
    return array.sum(axis=lone), kept


def _right_first(left_labels: str, right_labels: str, output: str) -> bool:
    """Whether the output's first free label belongs to the right operand."""
    for c in output:
        if c in left_labels and c not in right_labels:
            return False
        if c in right_labels and c not in left_labels:
            return True
    return False


def _grouped(array, labels: str, batch: list, matrix: list, sizes: dict):
    """``array`` as a stack of matrices: batch labels first (kept as separate axes, which
    ``np.matmul`` loops over), then the two ``matrix`` groups, each merged into one axis.
    Merging labels that are not adjacent copies the operand, so when the second group
    comes first in ``array`` the groups are merged in that order and the two matrix
    axes swapped afterwards: a strided view, which BLAS reads as a transposed matrix."""
    first, second = matrix
    swapped = bool(first and second) and _position(second, labels) < _position(first, labels)
    groups = [second, first] if swapped else [first, second]
    order = batch + groups[0] + groups[1]
    perm = [labels.index(c) for c in order]
    if perm != sorted(perm):
        array = array.transpose(perm)
    array = array.reshape([sizes[c] for c in batch]
                          + [math.prod(sizes[c] for c in group) for group in groups])
    return array.swapaxes(-1, -2) if swapped else array


def _position(group: list, labels: str) -> int:
    return min(labels.index(c) for c in group)
