"""dilation2d / erosion2d against a NumPy loop of TF's formula (values checked once
against TF 2.21, which agrees), with gradients."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.testing.op_check import check_op


def reference_dilation(x, w, strides, rates, padding):
    n, h, wd, c = x.shape
    kh, kw, _ = w.shape
    eh, ew = (kh - 1) * rates[0] + 1, (kw - 1) * rates[1] + 1
    if padding == "SAME":
        oh, ow = -(-h // strides[0]), -(-wd // strides[1])
        ph = max((oh - 1) * strides[0] + eh - h, 0)
        pw = max((ow - 1) * strides[1] + ew - wd, 0)
        x = np.pad(x, [(0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)],
                   constant_values=-np.inf)
    else:
        oh, ow = (h - eh) // strides[0] + 1, (wd - ew) // strides[1] + 1
    out = np.full((n, oh, ow, c), -np.inf)
    for y in range(oh):
        for xx in range(ow):
            for dy in range(kh):
                for dx in range(kw):
                    v = x[:, y * strides[0] + dy * rates[0], xx * strides[1] + dx * rates[1]]
                    out[:, y, xx] = np.maximum(out[:, y, xx], v + w[dy, dx])
    return out


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("strides,rates", [((1, 1), (1, 1)), ((2, 1), (1, 2))])
def test_dilation_and_erosion(padding, strides, rates):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 5, 6, 2))
    w = rng.normal(size=(3, 2, 2))
    args = dict(strides=[1, *strides, 1], padding=padding, dilations=[1, *rates, 1])
    check_op(lambda a, b: tf.nn.dilation2d(a, b, data_format="NHWC", **args), [x, w],
             lambda a, b: reference_dilation(a, b, strides, rates, padding),
             second_order=False)
    want = -reference_dilation(-x, w[::-1, ::-1], strides, rates, padding)
    got = tf.nn.erosion2d(x, w, data_format="NHWC", **args)
    np.testing.assert_allclose(got.numpy(), want)
