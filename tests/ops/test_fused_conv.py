"""``fused_conv``: conv + bias (+ residual) (+ ReLU, capped or not) as one primitive, against
the unfused NumPy computation: forward, first and second derivatives, traced and eager."""

import numpy as np
import pytest

from fluxion.core.primitives import conv_fused
from fluxion.core.primitives.conv import _conv_kernel
from fluxion.core.tensor import Tensor
from fluxion.testing.op_check import check_op

ATTRS = dict(strides=(1, 1), padding="SAME", dilations=(1, 1))


def _unfused(x, w, b, residual=None, *, groups=1, activation="linear", relu_cap=None, **conv):
    y = _conv_kernel(x, w, groups=groups, **conv) + b
    if residual is not None:
        y = y + residual
    if activation == "relu":
        y = np.maximum(y, 0)
        if relu_cap is not None:
            y = np.minimum(y, relu_cap)
    return y


def _arrays(groups=1, channels=4, outputs=6, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, 5, 5, channels))
    w = rng.normal(size=(3, 3, channels // groups, outputs))
    b = rng.normal(size=outputs)
    r = rng.normal(size=(2, 5, 5, outputs)) * 3
    return x, w, b, r


@pytest.mark.parametrize("activation,relu_cap", [("linear", None), ("relu", None),
                                                 ("relu", 2.0)])
@pytest.mark.parametrize("residual", [False, True])
@pytest.mark.parametrize("groups", [1, 2])
def test_fused_conv_matches_the_unfused_steps_with_gradients(activation, relu_cap,
                                                             residual, groups):
    x, w, b, r = _arrays(groups)
    args = [x, w, b] + ([r] if residual else [])

    def fused(x, w, b, r=None):
        return conv_fused.fused_conv(x, w, b, r, groups=groups, activation=activation,
                                     relu_cap=relu_cap, **ATTRS)

    def expected(x, w, b, r=None):
        return _unfused(x, w, b, r, groups=groups, activation=activation, relu_cap=relu_cap,
                        **ATTRS)

    # Second derivatives through a ReLU's kink are not smooth: check them without one.
    check_op(fused, args, expected, second_order=activation == "linear")


def test_depthwise_fused_conv_with_relu6_and_strides():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 7, 7, 3)).astype(np.float32) * 4
    w = rng.normal(size=(3, 3, 1, 3)).astype(np.float32)
    b = rng.normal(size=3).astype(np.float32)
    attrs = dict(strides=(2, 2), padding=((1, 1), (0, 1)), dilations=(1, 1), groups=3)
    got = conv_fused.fused_conv_p.kernel(x, w, b, activation="relu", relu_cap=6.0, **attrs)
    want = _unfused(x, w, b, activation="relu", relu_cap=6.0, **attrs)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    assert got.max() == 6.0


def test_the_kernel_can_write_into_the_residual_buffer():
    x, w, b, r = (a.astype(np.float32) for a in _arrays())
    want = _unfused(x, w, b, r, activation="relu", **ATTRS)
    out = r.copy()
    got = conv_fused.fused_conv_p.kernel(x, w, b, out, activation="relu", relu_cap=None,
                                         groups=1, out=out, **ATTRS)
    assert got is out
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_shape_rule_errors_name_what_was_expected():
    x, w, b, r = (Tensor(a) for a in _arrays())
    with pytest.raises(ValueError, match=r"bias must have shape \[6\]"):
        conv_fused.fused_conv(x, w, b[:3], groups=1, **ATTRS)
    with pytest.raises(ValueError, match="residual has shape"):
        conv_fused.fused_conv(x, w, b, r[:, :2], groups=1, **ATTRS)
    with pytest.raises(ValueError, match="activation must be one of"):
        conv_fused.fused_conv(x, w, b, groups=1, activation="tanh", **ATTRS)
    with pytest.raises(ValueError, match="needs activation 'relu'"):
        conv_fused.fused_conv(x, w, b, groups=1, relu_cap=6.0, **ATTRS)
