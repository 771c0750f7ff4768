"""Convolutions through the op harness: forward vs a loop-based NumPy reference, shape rules,
first and second derivatives; TF's padding arithmetic, layouts and error messages."""

import math

import numpy as np
import pytest

import fluxion as tf
from fluxion.testing.op_check import check_op

rng = np.random.default_rng(0)


def normal(*shape):
    return rng.standard_normal(shape)


# --- a straightforward reference: explicit loops over output positions and taps ---------------
def tf_pads(size, k, stride, dilation, padding):
    extent = dilation * (k - 1) + 1
    if padding == "VALID":
        return 0, 0
    if padding == "SAME":
        out = math.ceil(size / stride)
        total = max((out - 1) * stride + extent - size, 0)
        return total // 2, total - total // 2
    return padding


def ref_conv(x, w, strides, padding, dilations=None):
    """Channels-last N-d convolution; a filter with fewer input channels means groups."""
    n = x.ndim - 2
    dilations = dilations or (1,) * n
    kernel, cin, cout = w.shape[:-2], w.shape[-2], w.shape[-1]
    groups = x.shape[-1] // cin
    per_group = cout // groups
    pads = [tf_pads(x.shape[1 + i], kernel[i], strides[i], dilations[i],
                    padding if isinstance(padding, str) else padding[i]) for i in range(n)]
    xp = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    outs = [(xp.shape[1 + i] - dilations[i] * (kernel[i] - 1) - 1) // strides[i] + 1
            for i in range(n)]
    y = np.zeros((x.shape[0], *outs, cout))
    for b in range(x.shape[0]):
        for o in np.ndindex(*outs):
            for m in range(cout):
                group = m // per_group
                total = 0.0
                for t in np.ndindex(*kernel):
                    pos = tuple(o[i] * strides[i] + t[i] * dilations[i] for i in range(n))
                    for c in range(cin):
                        total += xp[(b, *pos, group * cin + c)] * w[(*t, c, m)]
                y[(b, *o, m)] = total
    return y


def ref_conv_transpose(x, w, out_shape, strides, padding):
    """Scatter form of the transposed convolution (filters [*k, out_c, in_c])."""
    n = x.ndim - 2
    kernel = w.shape[:-2]
    pads = [tf_pads(out_shape[1 + i], kernel[i], strides[i], 1, padding) for i in range(n)]
    padded = [out_shape[1 + i] + sum(pads[i]) for i in range(n)]
    yp = np.zeros((out_shape[0], *padded, out_shape[-1]))
    for b in range(x.shape[0]):
        for o in np.ndindex(*x.shape[1:-1]):
            for t in np.ndindex(*kernel):
                pos = tuple(o[i] * strides[i] + t[i] for i in range(n))
                yp[(b, *pos)] += w[t] @ x[(b, *o)]
    index = (slice(None),) + tuple(slice(lo, lo + out_shape[1 + i])
                                   for i, (lo, _) in enumerate(pads)) + (slice(None),)
    return yp[index]


# --- forward, gradients and second derivatives ------------------------------------------------
CONV2D = [
    # x shape, w shape, strides, padding, dilations
    ((2, 5, 5, 2), (3, 3, 2, 3), 1, "SAME", 1),
    ((2, 5, 5, 2), (3, 3, 2, 2), 2, "VALID", 1),
    ((2, 5, 4, 2), (2, 2, 2, 2), 2, "SAME", 1),  # asymmetric SAME pads
    ((1, 6, 5, 2), (2, 3, 2, 2), (1, 2), "SAME", 1),
    ((2, 6, 6, 1), (2, 2, 1, 2), 1, "SAME", 2),
    ((1, 5, 5, 2), (2, 2, 2, 2), 2, [[0, 0], [1, 0], [2, 1], [0, 0]], 1),
    ((2, 4, 4, 4), (2, 2, 2, 4), 1, "SAME", 1),  # two groups
]


@pytest.mark.parametrize("xs, ws, strides, padding, dilations", CONV2D)
def test_conv2d(xs, ws, strides, padding, dilations):
    s = (strides,) * 2 if isinstance(strides, int) else strides
    pad = padding if isinstance(padding, str) else [tuple(p) for p in padding[1:-1]]

    def reference(x, w):
        return ref_conv(x, w, s, pad, (dilations,) * 2)

    check_op(lambda x, w: tf.nn.conv2d(x, w, strides, padding, dilations=dilations),
             [normal(*xs), normal(*ws)], reference)


def test_conv1d_and_conv3d():
    check_op(lambda x, w: tf.nn.conv1d(x, w, 2, "SAME"), [normal(2, 7, 2), normal(3, 2, 3)],
             lambda x, w: ref_conv(x, w, (2,), "SAME"))
    check_op(lambda x, w: tf.nn.conv3d(x, w, [1, 1, 2, 1, 1], "SAME"),
             [normal(1, 3, 4, 3, 2), normal(2, 2, 2, 2, 2)],
             lambda x, w: ref_conv(x, w, (1, 2, 1), "SAME"))


def test_convolution_infers_rank():
    x, w = normal(1, 4, 4, 2), normal(3, 3, 2, 2)
    check_op(lambda x, w: tf.nn.convolution(x, w, padding="SAME"), [x, w],
             lambda x, w: ref_conv(x, w, (1, 1), "SAME"), grad=False)


def test_nchw_layout():
    x, w = normal(2, 2, 5, 4), normal(3, 3, 2, 3)

    def reference(x, w):
        y = ref_conv(np.transpose(x, (0, 2, 3, 1)), w, (2, 2), "SAME")
        return np.transpose(y, (0, 3, 1, 2))

    check_op(lambda x, w: tf.nn.conv2d(x, w, 2, "SAME", data_format="NCHW"), [x, w],
             reference, second_order=False)


def depthwise_reference(x, w, strides, padding, dilations=(1, 1)):
    kh, kw, cin, mult = w.shape
    return ref_conv(x, w.reshape(kh, kw, 1, cin * mult), strides, padding, dilations)


def test_depthwise_conv2d():
    check_op(lambda x, w: tf.nn.depthwise_conv2d(x, w, [1, 2, 2, 1], "SAME"),
             [normal(2, 5, 5, 2), normal(3, 3, 2, 2)],
             lambda x, w: depthwise_reference(x, w, (2, 2), "SAME"))


def test_depthwise_conv2d_dilated():
    check_op(lambda x, w: tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "VALID", dilations=2),
             [normal(1, 5, 5, 3), normal(2, 2, 3, 1)],
             lambda x, w: depthwise_reference(x, w, (1, 1), "VALID", (2, 2)))


def test_separable_conv2d():
    def reference(x, dw, pw):
        return ref_conv(depthwise_reference(x, dw, (1, 1), "SAME"), pw, (1, 1), "VALID")

    check_op(lambda x, dw, pw: tf.nn.separable_conv2d(x, dw, pw, [1, 1, 1, 1], "SAME"),
             [normal(1, 4, 4, 2), normal(2, 2, 2, 2), normal(1, 1, 4, 3)], reference,
             second_order=False)


@pytest.mark.parametrize("out_hw, strides, padding", [
    ((6, 6), 2, "SAME"), ((5, 5), 2, "SAME"), ((7, 7), 2, "VALID"), ((4, 5), 1, "SAME"),
])
def test_conv2d_transpose(out_hw, strides, padding):
    x, w = normal(2, 3, 3, 2), normal(3, 3, 2, 2)
    out_shape = [2, *out_hw, 2]
    if strides == 1:
        x = normal(2, *out_hw, 2)
    check_op(lambda x, w: tf.nn.conv2d_transpose(x, w, out_shape, strides, padding), [x, w],
             lambda x, w: ref_conv_transpose(x, w, out_shape, (strides,) * 2, padding))


def test_conv1d_and_conv3d_transpose():
    check_op(lambda x, w: tf.nn.conv1d_transpose(x, w, [1, 6, 2], 2),
             [normal(1, 3, 3), normal(3, 2, 3)],
             lambda x, w: ref_conv_transpose(x, w, [1, 6, 2], (2,), "SAME"),
             second_order=False)
    check_op(lambda x, w: tf.nn.conv3d_transpose(x, w, [1, 4, 4, 2, 1], [1, 2, 2, 1, 1]),
             [normal(1, 2, 2, 2, 2), normal(2, 2, 2, 1, 2)],
             lambda x, w: ref_conv_transpose(x, w, [1, 4, 4, 2, 1], (2, 2, 1), "SAME"),
             grad=False)


def test_transpose_is_the_gradient_of_conv():
    x, w = tf.constant(normal(2, 6, 6, 3)), tf.constant(normal(3, 3, 3, 4))
    g = tf.constant(normal(2, 3, 3, 4))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.conv2d(x, w, 2, "SAME")
    dx = tape.gradient(y, x, output_gradients=g)
    np.testing.assert_allclose(
        dx.numpy(), tf.nn.conv2d_transpose(g, w, [2, 6, 6, 3], 2, "SAME").numpy(), atol=1e-12)


def test_depthwise_backprops_match_gradients():
    x, w = tf.constant(normal(1, 5, 5, 2)), tf.constant(normal(3, 3, 2, 2))
    g = tf.constant(normal(1, 3, 3, 4))
    with tf.GradientTape() as tape:
        tape.watch([x, w])
        y = tf.nn.depthwise_conv2d(x, w, [1, 2, 2, 1], "SAME")
    dx, dw = tape.gradient(y, [x, w], output_gradients=g)
    bx = tf.nn.depthwise_conv2d_backprop_input([1, 5, 5, 2], w, g, [1, 2, 2, 1], "SAME")
    bw = tf.nn.depthwise_conv2d_backprop_filter(x, [3, 3, 2, 2], g, [1, 2, 2, 1], "SAME")
    np.testing.assert_allclose(bx.numpy(), dx.numpy(), atol=1e-12)
    np.testing.assert_allclose(bw.numpy(), dw.numpy(), atol=1e-12)


def test_atrous_conv2d():
    x, w = normal(1, 6, 6, 1), normal(2, 2, 1, 2)
    check_op(lambda x, w: tf.nn.atrous_conv2d(x, w, 2, "SAME"), [x, w],
             lambda x, w: ref_conv(x, w, (1, 1), "SAME", (2, 2)), grad=False)


# --- TF semantics --------------------------------------------------------------------------------
def test_float32_defaults_and_output_shape():
    y = tf.nn.conv2d(np.ones([1, 5, 5, 1], np.float32), np.ones([2, 2, 1, 1], np.float32), 2,
                     "SAME")
    assert y.dtype == tf.float32 and y.shape == (1, 3, 3, 1)
    # SAME puts the extra pad at the bottom/right: the last row/col see one real cell
    np.testing.assert_array_equal(y.numpy()[0, :, :, 0], [[4, 4, 2], [4, 4, 2], [2, 2, 1]])


def test_extra_batch_dimensions():
    x, w = normal(2, 3, 4, 4, 1), normal(3, 3, 1, 2)
    y = tf.nn.conv2d(x, w, 1, "SAME")
    assert y.shape == (2, 3, 4, 4, 2)
    np.testing.assert_allclose(y.numpy()[1, 2], ref_conv(x[1, 2:3], w, (1, 1), "SAME")[0])


# --- errors --------------------------------------------------------------------------------------
def test_mismatched_channels():
    with pytest.raises(ValueError, match="evenly divisible by filter depth"):
        tf.nn.conv2d(np.ones([1, 4, 4, 3], np.float32), np.ones([3, 3, 2, 1], np.float32), 1,
                     "SAME")


def test_bad_padding_string():
    with pytest.raises(ValueError, match="padding must be 'SAME', 'VALID'"):
        tf.nn.conv2d(np.ones([1, 4, 4, 1], np.float32), np.ones([3, 3, 1, 1], np.float32), 1,
                     "FULL")


def test_bad_explicit_padding():
    with pytest.raises(ValueError, match="batch and channel"):
        tf.nn.conv2d(np.ones([1, 4, 4, 1], np.float32), np.ones([3, 3, 1, 1], np.float32), 1,
                     [[1, 1], [1, 1], [1, 1], [0, 0]])


def test_dtype_mismatch():
    with pytest.raises(TypeError, match="float64"):
        tf.nn.conv2d(tf.ones([1, 4, 4, 1]), tf.ones([3, 3, 1, 1], tf.float64), 1, "SAME")
    # NumPy filters are converted to the input's dtype, as in TF
    y = tf.nn.conv2d(tf.ones([1, 4, 4, 1]), np.ones([3, 3, 1, 1], np.float64), 1, "SAME")
    assert y.dtype == tf.float32


def test_wrong_ranks():
    with pytest.raises(ValueError, match="rank 4"):
        tf.nn.conv2d(np.ones([4, 4, 1], np.float32), np.ones([3, 3, 1, 1], np.float32), 1,
                     "SAME")
    with pytest.raises(ValueError, match="filters of rank 4"):
        tf.nn.conv2d(np.ones([1, 4, 4, 1], np.float32), np.ones([3, 1, 1], np.float32), 1,
                     "SAME")


def test_window_larger_than_input():
    with pytest.raises(ValueError, match="larger than the padded input"):
        tf.nn.conv2d(np.ones([1, 2, 2, 1], np.float32), np.ones([3, 3, 1, 1], np.float32), 1,
                     "VALID")


def test_transpose_inconsistent_output_shape():
    with pytest.raises(ValueError, match="inconsistent with the input"):
        tf.nn.conv2d_transpose(np.ones([1, 3, 3, 2], np.float32),
                               np.ones([3, 3, 4, 2], np.float32), [1, 8, 8, 4], 2, "SAME")


def test_bad_data_format():
    with pytest.raises(ValueError, match="data_format"):
        tf.nn.conv2d(np.ones([1, 4, 4, 1], np.float32), np.ones([3, 3, 1, 1], np.float32), 1,
                     "SAME", data_format="NDHWC")


# --- against real TensorFlow, when installed -----------------------------------------------------
def test_against_tensorflow():
    real = pytest.importorskip("tensorflow")
    x = rng.standard_normal((2, 7, 6, 4)).astype(np.float32)
    w = rng.standard_normal((3, 3, 2, 6)).astype(np.float32)
    for strides, padding in [(1, "SAME"), (2, "SAME"), (2, "VALID")]:
        np.testing.assert_allclose(tf.nn.conv2d(x, w, strides, padding).numpy(),
                                   real.nn.conv2d(x, w, strides, padding).numpy(),
                                   rtol=1e-4, atol=1e-4)
    wd = rng.standard_normal((3, 3, 4, 2)).astype(np.float32)
    np.testing.assert_allclose(
        tf.nn.depthwise_conv2d(x, wd, [1, 2, 2, 1], "SAME").numpy(),
        real.nn.depthwise_conv2d(x, wd, [1, 2, 2, 1], "SAME").numpy(), rtol=1e-4, atol=1e-4)
    xt = rng.standard_normal((2, 4, 3, 6)).astype(np.float32)
    wt = rng.standard_normal((3, 3, 4, 6)).astype(np.float32)
    np.testing.assert_allclose(
        tf.nn.conv2d_transpose(xt, wt, [2, 7, 6, 4], 2, "SAME").numpy(),
        real.nn.conv2d_transpose(xt, wt, [2, 7, 6, 4], 2, "SAME").numpy(), rtol=1e-4, atol=1e-4)


# --- the kernels' fast paths against the loop reference ------------------------------------------
FAST_PATHS = [
    # x shape, w shape, strides, padding, dilations: single-channel inputs take the tap-major
    # im2col; eight or more input channels the per-tap input gradient, fewer one matmul; all
    # exercise the taps' valid spans
    ((2, 7, 6, 1), (3, 3, 1, 4), (1, 1), "VALID", (1, 1)),
    ((2, 7, 6, 1), (3, 3, 1, 4), (1, 1), "SAME", (1, 1)),
    ((2, 7, 6, 1), (3, 2, 1, 3), (2, 3), "SAME", (1, 1)),
    ((1, 8, 7, 1), (3, 3, 1, 2), (1, 1), "SAME", (2, 3)),
    ((2, 5, 5, 1), (2, 2, 1, 2), (2, 2), ((2, 1), (0, 3)), (1, 1)),
    ((2, 7, 6, 3), (3, 3, 3, 4), (2, 1), "SAME", (1, 2)),
    ((2, 4, 5, 2), (4, 3, 2, 3), (1, 1), "SAME", (1, 1)),  # pads larger than the input
    ((1, 3, 3, 2), (3, 3, 2, 2), (3, 3), ((4, 4), (0, 0)), (1, 1)),  # taps on padding only
    ((1, 5, 6, 8), (3, 2, 8, 3), (2, 1), "SAME", (1, 2)),
    ((1, 4, 4, 9), (3, 3, 9, 2), (1, 1), "VALID", (1, 1)),
    ((1, 3, 3, 8), (3, 3, 8, 2), (3, 3), ((4, 4), (0, 0)), (1, 1)),
]


@pytest.mark.parametrize("xs, ws, strides, padding, dilations", FAST_PATHS)
def test_kernels_match_reference_and_are_adjoint(xs, ws, strides, padding, dilations):
    from fluxion.core.primitives import conv as prims

    x, w = normal(*xs), normal(*ws)
    attrs = dict(strides=strides, padding=padding, dilations=dilations, groups=1)
    y = prims._conv_kernel(x, w, **attrs)
    np.testing.assert_allclose(y, ref_conv(x, w, strides, padding, dilations), atol=1e-10)
    # conv_input_grad and conv_filter_grad are the adjoints of conv in x and in w
    g = normal(*y.shape)
    dx = prims._conv_input_grad_kernel(g, w, x, **attrs)
    dw = prims._conv_filter_grad_kernel(x, g, w, **attrs)
    assert dx.shape == x.shape and dw.shape == w.shape
    np.testing.assert_allclose(np.vdot(y, g), np.vdot(x, dx), rtol=1e-10)
    np.testing.assert_allclose(np.vdot(y, g), np.vdot(w, dw), rtol=1e-10)
    for basis in range(x.size):  # dx is exactly the transpose, column by column
        e = np.zeros(x.size)
        e[basis] = 1
        col = prims._conv_kernel(e.reshape(x.shape), w, **attrs)
        np.testing.assert_allclose(dx.reshape(-1)[basis], np.vdot(col, g), atol=1e-10)


def test_float32_kernels_stay_float32():
    from fluxion.core.primitives import conv as prims

    x = rng.standard_normal((2, 6, 6, 1)).astype(np.float32)
    w = rng.standard_normal((3, 3, 1, 2)).astype(np.float32)
    attrs = dict(strides=(1, 1), padding="SAME", dilations=(1, 1), groups=1)
    y = prims._conv_kernel(x, w, **attrs)
    assert y.dtype == np.float32 and y.flags.c_contiguous
    assert prims._conv_input_grad_kernel(y, w, x, **attrs).dtype == np.float32
    assert prims._conv_filter_grad_kernel(x, y, w, **attrs).dtype == np.float32


def test_pad_spatial_fills_only_the_borders_with_the_value():
    from fluxion.core.primitives.conv import pad_spatial

    x = normal(2, 3, 4, 2)
    padded = pad_spatial(x, ((1, 2), (0, 1)), value=-7.0)
    np.testing.assert_array_equal(
        padded, np.pad(x, [(0, 0), (1, 2), (0, 1), (0, 0)], constant_values=-7.0))
