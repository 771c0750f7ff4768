"""Pooling through the op harness: forward vs a loop-based NumPy reference, shape rules,
first and second derivatives; TF's SAME semantics, layouts, argmax and error messages."""

import math

import numpy as np
import pytest

import fluxion as tf
from fluxion.testing.op_check import check_op

rng = np.random.default_rng(0)


def distinct(*shape):
    """Values with well separated entries, so finite differences never cross a max tie."""
    return rng.permutation(np.prod(shape)).reshape(shape) * 0.1 + rng.uniform(0, 0.01, shape)


def tf_pads(size, k, stride, dilation, padding):
    if padding == "VALID":
        return 0, 0
    if padding == "SAME":
        out = math.ceil(size / stride)
        total = max((out - 1) * stride + dilation * (k - 1) + 1 - size, 0)
        return total // 2, total - total // 2
    return padding


def ref_pool(x, window, strides, padding, kind, dilations=None):
    """Max or mean over the real (unpadded) cells of each window; explicit loops."""
    n = x.ndim - 2
    dilations = dilations or (1,) * n
    pads = [tf_pads(x.shape[1 + i], window[i], strides[i], dilations[i],
                    padding if isinstance(padding, str) else padding[i]) for i in range(n)]
    outs = [(x.shape[1 + i] + sum(pads[i]) - dilations[i] * (window[i] - 1) - 1)
            // strides[i] + 1 for i in range(n)]
    y = np.zeros((x.shape[0], *outs, x.shape[-1]))
    for b in range(x.shape[0]):
        for o in np.ndindex(*outs):
            cells = []
            for t in np.ndindex(*window):
                pos = tuple(o[i] * strides[i] - pads[i][0] + t[i] * dilations[i]
                            for i in range(n))
                if all(0 <= p < x.shape[1 + i] for i, p in enumerate(pos)):
                    cells.append(x[(b, *pos)])
            y[(b, *o)] = np.max(cells, axis=0) if kind == "MAX" else np.mean(cells, axis=0)
    return y


POOL2D = [
    # x shape, ksize, strides, padding
    ((2, 5, 5, 2), 2, 2, "SAME"),
    ((2, 5, 5, 2), 3, 2, "VALID"),
    ((2, 5, 4, 2), 3, 1, "SAME"),
    ((1, 6, 5, 2), (2, 3), (2, 1), "SAME"),
    ((1, 4, 4, 1), [1, 2, 2, 1], [1, 2, 2, 1], "VALID"),
]


def _tuple(v):
    v = [v] * 2 if isinstance(v, int) else list(v)
    return tuple(v[1:-1]) if len(v) == 4 else tuple(v)


@pytest.mark.parametrize("shape, ksize, strides, padding", POOL2D)
def test_max_pool2d(shape, ksize, strides, padding):
    check_op(lambda x: tf.nn.max_pool2d(x, ksize, strides, padding), [distinct(*shape)],
             lambda x: ref_pool(x, _tuple(ksize), _tuple(strides), padding, "MAX"))


@pytest.mark.parametrize("shape, ksize, strides, padding", POOL2D)
def test_avg_pool2d(shape, ksize, strides, padding):
    check_op(lambda x: tf.nn.avg_pool2d(x, ksize, strides, padding), [distinct(*shape)],
             lambda x: ref_pool(x, _tuple(ksize), _tuple(strides), padding, "AVG"))


def test_second_order_through_nonlinear_use():
    """Squaring the pooled value makes the second derivative reach the gather primitives."""
    x = distinct(2, 5, 5, 2)
    check_op(lambda x: tf.square(tf.nn.max_pool2d(x, 3, 2, "SAME")), [x],
             lambda x: ref_pool(x, (3, 3), (2, 2), "SAME", "MAX") ** 2)
    check_op(lambda x: tf.square(tf.nn.avg_pool2d(x, 3, 2, "SAME")), [x],
             lambda x: ref_pool(x, (3, 3), (2, 2), "SAME", "AVG") ** 2)


def test_pool1d_and_pool3d():
    x1, x3 = distinct(2, 7, 2), distinct(1, 3, 4, 5, 2)
    check_op(lambda x: tf.nn.max_pool1d(x, 2, 2, "SAME"), [x1],
             lambda x: ref_pool(x, (2,), (2,), "SAME", "MAX"))
    check_op(lambda x: tf.nn.avg_pool1d(x, 3, 2, "VALID"), [x1],
             lambda x: ref_pool(x, (3,), (2,), "VALID", "AVG"))
    check_op(lambda x: tf.nn.max_pool3d(x, 2, 2, "SAME"), [x3],
             lambda x: ref_pool(x, (2, 2, 2), (2, 2, 2), "SAME", "MAX"), second_order=False)
    check_op(lambda x: tf.nn.avg_pool3d(x, [2, 3, 2], [1, 2, 2], "SAME"), [x3],
             lambda x: ref_pool(x, (2, 3, 2), (1, 2, 2), "SAME", "AVG"), second_order=False)


def test_generic_max_pool_and_avg_pool_infer_rank():
    x = distinct(1, 6, 2)
    check_op(lambda x: tf.nn.max_pool(x, 3, 2, "SAME"), [x],
             lambda x: ref_pool(x, (3,), (2,), "SAME", "MAX"), grad=False)
    x = distinct(1, 4, 4, 1)
    check_op(lambda x: tf.nn.avg_pool(x, 2, 2, "VALID"), [x],
             lambda x: ref_pool(x, (2, 2), (2, 2), "VALID", "AVG"), grad=False)


def test_pool_with_dilations():
    x = distinct(1, 7, 6, 2)
    for kind in ("MAX", "AVG"):
        check_op(lambda x, kind=kind: tf.nn.pool(x, [2, 2], kind, dilations=[2, 2]), [x],
                 lambda x, kind=kind: ref_pool(x, (2, 2), (1, 1), "VALID", kind, (2, 2)),
                 second_order=False)


def test_explicit_padding_max_pool():
    x = distinct(1, 5, 5, 1)
    check_op(lambda x: tf.nn.max_pool2d(x, 3, 2, [[0, 0], [1, 2], [0, 1], [0, 0]]), [x],
             lambda x: ref_pool(x, (3, 3), (2, 2), [(1, 2), (0, 1)], "MAX"))


def test_nchw_layout():
    x = distinct(2, 3, 5, 4)

    def reference(x):
        y = ref_pool(np.transpose(x, (0, 2, 3, 1)), (2, 2), (2, 2), "SAME", "MAX")
        return np.transpose(y, (0, 3, 1, 2))

    check_op(lambda x: tf.nn.max_pool2d(x, 2, 2, "SAME", data_format="NCHW"), [x],
             reference, second_order=False)


# --- TF semantics --------------------------------------------------------------------------------
def test_same_max_pool_ignores_padding():
    x = -np.ones([1, 3, 3, 1], np.float32)
    np.testing.assert_array_equal(tf.nn.max_pool2d(x, 2, 2, "SAME").numpy(), -np.ones([1, 2, 2, 1]))


def test_same_avg_pool_divides_by_real_cells():
    x = np.arange(9, dtype=np.float32).reshape(1, 3, 3, 1)
    y = tf.nn.avg_pool2d(x, 2, 2, "SAME").numpy()[0, :, :, 0]
    np.testing.assert_allclose(y, [[2.0, 3.5], [6.5, 8.0]])


def test_max_pool_gradient_routes_to_first_maximum():
    x = tf.constant(np.array([[[[1.0], [1.0]], [[1.0], [0.0]]]]))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.max_pool2d(x, 2, 2, "VALID")
    np.testing.assert_array_equal(tape.gradient(y, x).numpy()[0, :, :, 0], [[1, 0], [0, 0]])


def test_integer_max_pool():
    x = np.arange(25, dtype=np.int32).reshape(1, 5, 5, 1)
    y = tf.nn.max_pool2d(x, 2, 2, "SAME")
    assert y.dtype == tf.int32
    np.testing.assert_array_equal(y.numpy()[0, :, :, 0], [[6, 8, 9], [16, 18, 19], [21, 23, 24]])


def test_max_pool_with_argmax():
    x = distinct(2, 5, 4, 3).astype(np.float32)
    out, argmax = tf.nn.max_pool_with_argmax(x, 2, 2, "SAME", include_batch_in_index=True)
    assert argmax.dtype == tf.int64
    np.testing.assert_array_equal(out.numpy(), ref_pool(x, (2, 2), (2, 2), "SAME", "MAX"))
    np.testing.assert_array_equal(x.reshape(-1)[argmax.numpy()], out.numpy())
    _, local = tf.nn.max_pool_with_argmax(x, 2, 2, "SAME", output_dtype=tf.int32)
    per_image = x.reshape(2, -1)
    gathered = np.stack([per_image[b][local.numpy()[b]] for b in range(2)])
    np.testing.assert_array_equal(gathered, out.numpy())


# --- errors --------------------------------------------------------------------------------------
def test_bad_padding_string():
    with pytest.raises(ValueError, match="padding must be 'SAME' or 'VALID'"):
        tf.nn.avg_pool2d(np.ones([1, 4, 4, 1], np.float32), 2, 2, "FULL")


def test_wrong_rank():
    with pytest.raises(ValueError, match="rank 4"):
        tf.nn.max_pool2d(np.ones([4, 4, 1], np.float32), 2, 2, "SAME")


def test_avg_pool_needs_floats():
    with pytest.raises(TypeError, match="floating-point"):
        tf.nn.avg_pool2d(np.ones([1, 4, 4, 1], np.int32), 2, 2, "SAME")


def test_explicit_padding_must_be_smaller_than_window():
    with pytest.raises(ValueError, match="smaller than the window"):
        tf.nn.max_pool2d(np.ones([1, 5, 5, 1], np.float32), 2, 2,
                         [[0, 0], [1, 2], [0, 1], [0, 0]])


def test_bad_ksize():
    with pytest.raises(ValueError, match="ksize"):
        tf.nn.max_pool2d(np.ones([1, 5, 5, 1], np.float32), [2, 2, 2], 2, "SAME")


def test_bad_pooling_type():
    with pytest.raises(ValueError, match="pooling_type"):
        tf.nn.pool(np.ones([1, 5, 5, 1], np.float32), [2, 2], "MIN")


# --- against real TensorFlow, when installed -----------------------------------------------------
def test_against_tensorflow():
    real = pytest.importorskip("tensorflow")
    x = rng.standard_normal((2, 7, 6, 3)).astype(np.float32)
    for ksize, strides, padding in [(3, 2, "SAME"), (2, 2, "SAME"), (3, 1, "VALID")]:
        np.testing.assert_allclose(tf.nn.max_pool2d(x, ksize, strides, padding).numpy(),
                                   real.nn.max_pool2d(x, ksize, strides, padding).numpy())
        np.testing.assert_allclose(tf.nn.avg_pool2d(x, ksize, strides, padding).numpy(),
                                   real.nn.avg_pool2d(x, ksize, strides, padding).numpy(),
                                   rtol=1e-5, atol=1e-6)
    _, ours = tf.nn.max_pool_with_argmax(x, 3, 2, "SAME", include_batch_in_index=True)
    _, theirs = real.nn.max_pool_with_argmax(x, 3, 2, "SAME", include_batch_in_index=True)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_tiled_max_pool_gradient_routes_ties_to_the_first_maximum_and_crops():
    """The fast path for windows that tile the input (strides == window, VALID)."""
    rng = np.random.default_rng(11)
    x = np.maximum(rng.normal(size=(2, 5, 7, 3)), 0).astype(np.float32)  # many zero ties
    x[0, 0:2, 0:2, 0] = 1.0  # a window of equal maxima
    g = rng.normal(size=(2, 2, 3, 3)).astype(np.float32)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = tf.nn.max_pool2d(xt, 2, 2, "VALID")
    grad = tape.gradient(y, xt, output_gradients=tf.constant(g)).numpy()
    expected = np.zeros_like(x)
    for b, i, j, c in np.ndindex(2, 2, 3, 3):
        window = x[b, 2 * i:2 * i + 2, 2 * j:2 * j + 2, c]
        di, dj = np.unravel_index(np.argmax(window), (2, 2))  # first maximum in scan order
        expected[b, 2 * i + di, 2 * j + dj, c] += g[b, i, j, c]
    np.testing.assert_array_equal(grad, expected)
    np.testing.assert_array_equal(y.numpy(), x[:, :4, :6].reshape(2, 2, 2, 3, 2, 3).max((2, 4)))


def _first_max_reference(x, g, window, strides, padding):
    """Loop reference for max_pool_grad: each window's first maximum in scan order."""
    from fluxion.core.primitives.conv import window_geometry

    pads, outs = window_geometry(x.shape[1:-1], window, strides, (1,) * len(window), padding)
    dx = np.zeros(x.shape)
    for b, *o, c in np.ndindex(*g.shape):
        best, where = -np.inf, None
        for t in np.ndindex(*window):
            pos = tuple(oi * s + ti - lo for oi, s, ti, (lo, _) in zip(o, strides, t, pads))
            if all(0 <= p < n for p, n in zip(pos, x.shape[1:-1])) and (
                    where is None or x[(b, *pos, c)] > best):
                best, where = x[(b, *pos, c)], pos
        dx[(b, *where, c)] += g[(b, *o, c)]
    return dx


@pytest.mark.parametrize("shape, window, strides, padding", [
    ((2, 6, 6, 3), (2, 2), (2, 2), "VALID"),  # tiling
    ((2, 7, 5, 3), (2, 2), (2, 2), "VALID"),  # tiling, odd sizes cropped
    ((2, 6, 9, 2), (2, 3), (2, 3), "SAME"),  # tiling: SAME without padding
    ((1, 9, 4), (3,), (3,), "VALID"),  # 1-D tiling
    ((1, 4, 4, 2, 2), (2, 2, 2), (2, 2, 2), "VALID"),  # 3-D tiling, 8 taps
    ((2, 7, 5, 3), (2, 2), (2, 2), "SAME"),  # padded: the general path
    ((2, 7, 6, 2), (3, 3), (2, 2), "SAME"),  # overlapping windows
    ((2, 6, 6, 2), (3, 2), (1, 2), "VALID"),
])
def test_max_pool_grad_kernels_route_ties_to_the_first_maximum(shape, window, strides, padding):
    from fluxion.core.primitives import pool as prims

    x = rng.integers(-2, 3, shape).astype(np.float64)  # ties everywhere
    x[x == -2] = -np.inf
    x = np.maximum(x, 0) if shape[0] == 2 and shape[-1] == 3 else x  # zero ties as after relu
    attrs = dict(window=window, strides=strides, padding=padding, dilations=(1,) * len(window))
    y = prims._max_pool_kernel(x, **attrs)
    g = rng.normal(size=y.shape)
    dx = prims._max_pool_grad_kernel(x, g, **attrs)
    np.testing.assert_allclose(dx, _first_max_reference(x, g, window, strides, padding),
                               rtol=1e-12, atol=1e-12)  # overlaps may sum in another order
    # max_pool_gather is the adjoint of max_pool_grad: <grad(g), h> == <g, gather(h)>
    h = rng.normal(size=x.shape)
    gathered = prims._max_pool_gather_kernel(x, h, **attrs)
    np.testing.assert_allclose(np.vdot(dx, h), np.vdot(g, gathered), rtol=1e-12)
    # and the pooled maximum is the value at the routed position (finite: gathering multiplies
    # by 0/1 masks, as the routing does)
    finite = np.nan_to_num(x, neginf=-9.0)
    np.testing.assert_array_equal(np.nan_to_num(y, neginf=-9.0),
                                  prims._max_pool_gather_kernel(x, finite, **attrs))
