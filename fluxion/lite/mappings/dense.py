"""TFLite for ``matmul``: FULLY_CONNECTED when the right operand is a known matrix (a
Dense kernel; TFLite wants it as ``[units, in]``, the transpose of Keras's), else
BATCH_MATMUL.  The FULLY_CONNECTED always gets a bias input (zeros until an ``add``
folds a bias into it), so later folds and int8 quantization have one to amend."""

from __future__ import annotations

import numpy as np

from fluxion.lite.mappings import lowers


def fully_connected(ctx, x, kernel: np.ndarray, bias: np.ndarray | None, out, hint: str):
    """Emits FULLY_CONNECTED ``x @ kernel + bias`` (kernel ``[in, units]``) into ``out``."""
    units = kernel.shape[1]
    # an unrolled loop's steps share one weights tensor (and one bias)
    weights = ctx.graph.shared_constant(("fc_weights", id(kernel)), kernel, lambda: ctx.graph
                                        .constant(f"{hint}/weights",
                                                  np.asarray(kernel, np.float32).T))
    if bias is None:
        bias_tensor = ctx.graph.constant(f"{hint}/bias", np.zeros(units, np.float32))
    else:
        bias_tensor = ctx.graph.shared_constant(("fc_bias", id(bias)), bias, lambda: ctx.graph
                                                .constant(f"{hint}/bias",
                                                          np.asarray(bias, np.float32)))
    keep_dims = len(out.shape) != 2
    return ctx.emit("FULLY_CONNECTED", [x, weights, bias_tensor], [out],
                    ("FullyConnectedOptions", {"FusedActivationFunction": 0,
                                               "KeepNumDims": keep_dims}))


@lowers("matmul")
def lower_matmul(ctx, node):
    a, b = node.inputs
    kernel = ctx.array(b)
    out = ctx.output()
    if kernel is not None and kernel.ndim == 2 and ctx.array(a) is None:
        fully_connected(ctx, ctx.tensor(a), kernel, None, out, ctx.hint())
        return out
    ctx.emit("BATCH_MATMUL", ctx.inputs(), [out],
             ("BatchMatMulOptions", {"AdjX": False, "AdjY": False}))
    return out
