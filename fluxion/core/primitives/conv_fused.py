"""``fused_conv``: a convolution with its bias, an optional residual sum and a ReLU.

``fused_conv(x, w, bias[, residual])`` computes, for a channels-last ``x``::

    y = conv(x, w) + bias          # bias: one value per output channel
    y = y + residual               # when a residual (shaped like y) is given
    y = relu(y)                    # activation "relu"; capped at relu_cap when set
                                   # (relu_cap=6 is ReLU6)

in one kernel call.  The graph rewrite ``fuse_conv_epilogue``
(``fluxion.core.primitives.conv_fusion``) builds it from the separate nodes after
differentiation, so a backend with a fused convolution (oneDNN's post-ops: bias, sum,
eltwise) writes the output once instead of once per step.  NumPy's kernel does the
steps in place on the convolution's result.  With a residual, the kernel may compute
into the residual's buffer when that buffer dies at the node (``in_place``): oneDNN's
sum post-op then adds the residual where it already lies.

The VJP is written in the convolution family's primitives: the activation's mask,
then the input and filter gradients of the convolution, the bias gradient (a sum over
every axis but the channels) and the residual's (the masked cotangent itself).

``conv_filter_bias_grad(x, g, like) -> (filter gradient, bias gradient)`` is the backward
counterpart: the filter gradient and the per-channel sum of the same cotangent in one
call (oneDNN's backward-weights primitive computes both in one pass over ``g``).  The
rewrite ``fuse_bias_gradient`` builds it in training graphs, after differentiation, so
it needs no gradient rule.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitive import Aval, bind, define
from fluxion.core.primitives.activation import relu_grad_p
from fluxion.core.primitives.conv import (
    _conv_filter_grad_kernel,
    _conv_kernel,
    _conv_rule,
    _filter_grad_rule,
    conv_filter_grad,
    conv_input_grad,
)
from fluxion.core.primitives.elementwise import less, select
from fluxion.core.primitives.reduce import reduce_sum_p

ACTIVATIONS = ("linear", "relu")
_CONV_ATTRS = ("strides", "padding", "dilations", "groups")


def _fused_conv_kernel(x, w, bias, *residual, strides, padding, dilations, groups,
                       activation, relu_cap, out=None):
    y = _conv_kernel(x, w, strides, padding, dilations, groups)
    np.add(y, bias, out=y)
    if residual:
        target = y if out is None else out  # ``out`` is the residual's dead buffer
        np.add(y, residual[0], out=target)
        y = target
    elif out is not None:
        np.copyto(out, y)
        y = out
    if activation == "relu":
        np.maximum(y, 0, out=y)
        if relu_cap is not None:
            np.minimum(y, relu_cap, out=y)
    return y


def _fused_conv_rule(x: Aval, w: Aval, bias: Aval, *residual: Aval, strides, padding,
                     dilations, groups, activation, relu_cap) -> Aval:
    out = _conv_rule(x, w, strides, padding, dilations, groups)
    _check_activation(activation, relu_cap)
    channels = w.shape[-1]
    if len(bias.shape) != 1 or (None not in (bias.shape[0], channels)
                                and bias.shape[0] != channels):
        raise ValueError(f"fused_conv: the bias must have shape [{channels}] (one value per "
                         f"output channel), got {list(bias.shape)}")
    if len(residual) > 1:
        raise ValueError(f"fused_conv takes at most one residual, got {len(residual)}")
    for extra in residual:
        if len(extra.shape) != len(out.shape) or any(
                a is not None and b is not None and a != b
                for a, b in zip(extra.shape, out.shape)):
            raise ValueError(f"fused_conv: the residual has shape {list(extra.shape)} but "
                             f"the convolution's output has shape {list(out.shape)}")
    for operand, name in ((bias, "bias"), *((r, "residual") for r in residual)):
        if operand.dtype is not out.dtype:
            raise TypeError(f"fused_conv: the {name} must be {out.dtype.name} like the "
                            f"convolution, got {operand.dtype.name}")
    return out


def _check_activation(activation, relu_cap) -> None:
    if activation not in ACTIVATIONS:
        raise ValueError(f"fused_conv: activation must be one of {ACTIVATIONS}, got "
                         f"{activation!r}")
    if relu_cap is not None and activation != "relu":
        raise ValueError(f"fused_conv: relu_cap={relu_cap} needs activation 'relu', got "
                         f"{activation!r}")


def _fused_conv_vjp(g, xs, out, *, activation, relu_cap, **conv_attrs):
    x, w = xs[0], xs[1]
    if activation == "relu":
        g = bind(relu_grad_p, g, out)
        if relu_cap is not None:  # TF's ReLU6 gradient: zero where the output is capped
            g = select(less(out, relu_cap), g, np.zeros((), g.dtype.np_dtype))  # a scalar
    channel_sums = tuple(range(len(out.shape) - 1))
    grads = (conv_input_grad(g, w, x, **conv_attrs), conv_filter_grad(x, g, w, **conv_attrs),
             bind(reduce_sum_p, g, axes=channel_sums, keepdims=False))
    return grads + (g,) * (len(xs) - 3)


def _residual_buffer(node) -> tuple:
    """With a residual, the kernel may compute into its buffer (``out=``)."""
    return (3,) if len(node.inputs) == 4 else ()


def _describe(node) -> str:
    steps = ["conv", "bias"] + (["residual"] if len(node.inputs) == 4 else [])
    if node.attrs["activation"] == "relu":
        cap = node.attrs["relu_cap"]
        steps.append("relu" if cap is None else f"relu(max {cap:g})")
    return "fused_conv " + "+".join(steps)


fused_conv_p = define("fused_conv", _fused_conv_kernel, _fused_conv_rule, _fused_conv_vjp,
                      fresh_output=True, in_place=_residual_buffer, describe=_describe)


def fused_conv(x, w, bias, residual=None, *, strides: tuple, padding, dilations: tuple,
               groups: int = 1, activation: str = "linear", relu_cap: float | None = None):
    """``act(conv(x, w) + bias [+ residual])`` as one primitive (see the module doc)."""
    _check_activation(activation, relu_cap)
    operands = (x, w, bias) if residual is None else (x, w, bias, residual)
    return bind(fused_conv_p, *operands, strides=strides, padding=padding,
                dilations=dilations, groups=groups, activation=activation,
                relu_cap=None if relu_cap is None else float(relu_cap))


# --- the backward counterpart: filter and bias gradients from one cotangent ----------------------
def _filter_bias_grad_kernel(x, g, like, strides, padding, dilations, groups):
    dw = _conv_filter_grad_kernel(x, g, like, strides, padding, dilations, groups)
    return dw, np.sum(g, axis=tuple(range(g.ndim - 1)))


def _filter_bias_grad_rule(x: Aval, g: Aval, like: Aval, **attrs):
    dw = _filter_grad_rule(x, g, like, **attrs)
    return dw, Aval((like.shape[-1],), g.dtype)


conv_filter_bias_grad_p = define(
    "conv_filter_bias_grad", _filter_bias_grad_kernel, _filter_bias_grad_rule,
    multiple_results=True, fresh_output=True, shape_only=(2,))
