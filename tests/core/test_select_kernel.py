"""``select``'s kernel: the branch-free bit blend gives ``np.where``'s bits in every case."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.core.primitives.select_kernel import BLEND_MIN_ELEMENTS, select_kernel

DTYPES = [np.float32, np.float64, np.float16, np.int8, np.int32, np.int64, np.uint8,
          np.uint64, np.bool_, np.complex64]


def _operands(dtype, shape, rng):
    x = (rng.standard_normal(shape) * 10).astype(dtype)
    y = (rng.standard_normal(shape) * 10).astype(dtype)
    if np.dtype(dtype).kind == "f":  # special values keep their exact bits
        x.flat[:4] = [np.nan, -0.0, np.inf, -np.inf]
        y.flat[:4] = [-0.0, np.nan, 0.0, 1.0]
    return x, y


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(BLEND_MIN_ELEMENTS,), (64, 100), (3, 40, 50), (10,)])
def test_select_matches_np_where_bit_for_bit(dtype, shape):
    rng = np.random.default_rng(0)
    cond = rng.random(shape) > 0.5
    x, y = _operands(dtype, shape, rng)
    zero, three = np.zeros((), dtype), np.full((1,) * len(shape), 3, dtype)
    cases = [(x, y), (x, zero), (zero, y), (x, three), (three, y), (x[::-1], y),
             (x, y[:1]), (np.negative(zero) if dtype in (np.float32,) else zero, y)]
    for a, b in cases:
        got, expected = select_kernel(cond, a, b), np.where(cond, a, b)
        assert got.dtype == expected.dtype and got.shape == expected.shape
        assert got.tobytes() == expected.tobytes()


def test_broadcast_masks_and_mixed_operands_fall_back_to_np_where():
    rng = np.random.default_rng(1)
    cond = rng.random((100, 1)) > 0.5
    x = rng.standard_normal((100, 64)).astype(np.float32)
    np.testing.assert_array_equal(select_kernel(cond, x, np.float32(0)),
                                  np.where(cond, x, np.float32(0)))
    full_cond = rng.random((100, 64)) > 0.5
    y64 = np.zeros((), np.float64)
    assert select_kernel(full_cond, x, y64).dtype == np.where(full_cond, x, y64).dtype


def test_where_and_its_gradient_through_the_blend():
    rng = np.random.default_rng(2)
    cond = rng.random((80, 64)) > 0.5
    x = tf.constant(rng.standard_normal((80, 64)).astype(np.float32))
    y = tf.constant(rng.standard_normal((80, 64)).astype(np.float32))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, y])
        out = tf.where(cond, x, y)
        loss = tf.reduce_sum(out * 3.0)
    np.testing.assert_array_equal(out.numpy(), np.where(cond, x.numpy(), y.numpy()))
    gx, gy = tape.gradient(loss, [x, y])
    np.testing.assert_array_equal(gx.numpy(), np.where(cond, 3.0, 0.0))
    np.testing.assert_array_equal(gy.numpy(), np.where(cond, 0.0, 3.0))


def test_strided_and_broadcast_views_blend_like_np_where():
    rng = np.random.default_rng(3)
    cond = (rng.random((200, 64)) > 0.5)[::2]  # a strided mask
    x = rng.standard_normal((100, 64)).astype(np.float32)
    y = np.broadcast_to(np.float32(-2.5), (100, 64))  # zero strides, read-only
    for a, b in ((x, y), (y, x), (x.T.copy().T, np.float32(0))):
        assert select_kernel(cond, a, b).tobytes() == np.where(cond, a, b).tobytes()
