"""ONNX for image resizing (``resize_image``), written as Fluxion computes it: nearest
picks rows and columns (two Gathers, exact), every other method (bilinear, bicubic,
area, lanczos, antialiased) multiplies by the same ``[out, in]`` interpolation
matrices along the height and width (two Einsums), so the file gives Fluxion's
numbers rather than a runtime's own reading of the method."""

from __future__ import annotations

import numpy as np

from fluxion.core.primitives.resize_weights import resize_weights
from fluxion.onnx.mappings import lowers


@lowers("resize_image")
def lower_resize_image(ctx, node):
    x_value = node.inputs[0]
    height, width = x_value.aval.shape[1:3]
    if height is None or width is None:
        raise ctx.unsupported("resizes an image of a size unknown when traced; give the "
                              "height and width in keras.Input")
    size, method = node.attrs["size"], node.attrs["method"]
    antialias = bool(node.attrs.get("antialias", False))
    rows = resize_weights(int(height), int(size[0]), method, antialias)
    cols = resize_weights(int(width), int(size[1]), method, antialias)
    x = ctx.name(x_value)
    if method == "nearest":
        x = ctx.emit("Gather", [x, ctx.int64s(np.argmax(rows, axis=1), "rows")], axis=1)
        return ctx.emit("Gather", [x, ctx.int64s(np.argmax(cols, axis=1), "cols")], axis=2)
    dtype = ctx.dtype()
    if dtype != x_value.aval.dtype.np_dtype:
        x = ctx.cast(x, dtype)
    x = ctx.emit("Einsum", [ctx.constant(rows, "rows", dtype), x], equation="oh,bhwc->bowc")
    return ctx.emit("Einsum", [ctx.constant(cols, "cols", dtype), x],
                    equation="pw,bowc->bopc")
