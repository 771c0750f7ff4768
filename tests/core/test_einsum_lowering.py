"""``as_matmul``: two-operand einsum as one batched ``np.matmul``, against ``np.einsum``."""

import numpy as np
import pytest

from fluxion.core.primitives.einsum_lowering import as_matmul
from fluxion.core.primitives.linalg import _einsum_kernel

rng = np.random.default_rng(5)

LOWERED = [
    ("ij,jk->ik", (3, 4), (4, 5)),
    ("ij,jk->ki", (3, 4), (4, 5)),
    ("bij,bjk->bik", (2, 3, 4), (2, 4, 5)),
    ("aecd,abcd->acbe", (2, 7, 4, 8), (2, 5, 4, 8)),      # attention scores
    ("acbe,aecd->abcd", (2, 4, 5, 7), (2, 7, 4, 8)),      # attention combine
    ("abc,cde->abde", (2, 5, 6), (6, 4, 8)),              # EinsumDense query/key/value
    ("abcd,cde->abe", (2, 5, 4, 8), (4, 8, 6)),           # EinsumDense output
    ("abde,cde->abc", (2, 5, 4, 8), (6, 4, 8)),           # their gradients
    ("abde,abc->cde", (2, 5, 4, 8), (2, 5, 6)),
    ("acbe,abcd->aecd", (2, 4, 5, 7), (2, 5, 4, 8)),
    ("i,j->ij", (3,), (4,)),
    ("i,i->", (4,), (4,)),
    ("ij,kl->jk", (2, 3), (4, 2)),                        # labels summed in one operand
    ("ijk,ik->j", (2, 3, 2), (2, 2)),
    ("bij,bjk->", (2, 3, 4), (2, 4, 5)),
    ("abe,abcd->cde", (2, 5, 6), (2, 5, 4, 8)),           # contracted labels lead: A^T B
    ("ji,jk->ik", (4, 3), (4, 5)),
    ("ij,kj->ik", (3, 4), (5, 4)),
    ("dcba,dcb->ad", (2, 3, 4, 5), (2, 3, 4)),
]


@pytest.mark.parametrize("equation, left_shape, right_shape", LOWERED,
                         ids=[e for e, _, _ in LOWERED])
@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64"])
def test_matches_numpy_einsum(equation, left_shape, right_shape, dtype):
    left = rng.standard_normal(left_shape).astype(dtype)
    right = rng.standard_normal(right_shape).astype(dtype)
    if dtype.startswith("complex"):
        left = left + 1j * rng.standard_normal(left_shape).astype("float32")
    expected = np.einsum(equation, left, right)
    got = as_matmul(equation, left, right)
    assert got is not None and got.dtype == expected.dtype and got.shape == expected.shape
    tolerance = 1e-4 if dtype != "float64" else 1e-12
    np.testing.assert_allclose(got, expected, rtol=tolerance, atol=tolerance)


def test_broadcast_labels_and_integers_are_left_to_numpy():
    left, right = np.ones((8, 1, 600)), np.ones((1, 600, 4))  # big enough to be lowered
    assert as_matmul("bij,bjk->bik", left, right) is None  # b sizes 2 and 1 broadcast
    np.testing.assert_array_equal(_einsum_kernel(left, right, subscripts="bij,bjk->bik"),
                                  np.einsum("bij,bjk->bik", left, right))
    ints = np.arange(6000).reshape(2, 3000)
    assert as_matmul("ij,jk->ik", ints, ints.T) is None
    np.testing.assert_array_equal(_einsum_kernel(ints, ints.T, subscripts="ij,jk->ik"),
                                  ints @ ints.T)


@pytest.mark.parametrize("tokens", [3, 40])  # np.einsum's own loop, then the lowering
def test_kernel_matches_numpy_einsum_small_and_big(tokens):
    left = rng.standard_normal((4, tokens, 4, 16)).astype("float32")
    right = rng.standard_normal((4, tokens + 1, 4, 16)).astype("float32")
    got = _einsum_kernel(left, right, subscripts="aecd,abcd->acbe")
    expected = np.einsum("aecd,abcd->acbe", left, right)
    assert got.shape == expected.shape and not np.shares_memory(got, left)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_strided_operands():
    left = rng.standard_normal((8, 6, 5)).astype("float32").transpose(2, 0, 1)[:, ::2]
    right = rng.standard_normal((6, 7, 5)).astype("float32")[:, ::3].transpose(2, 0, 1)
    np.testing.assert_allclose(as_matmul("bij,bjk->bik", left, right),
                               np.einsum("bij,bjk->bik", left, right), rtol=1e-5, atol=1e-5)
