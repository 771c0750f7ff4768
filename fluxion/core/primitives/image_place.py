"""Image placement primitives: ``pad_to_bounding_box`` (an image placed at offsets in a
zero canvas), ``resize_with_pad`` (resized to fit, then placed), and their adjoints.

Offsets and the image's size may be known only at run time, so the kernels compute
the layout from the actual arrays.  Each adjoint cuts the placed window back out (and,
for ``resize_with_pad``, applies the transposed resize); each adjoint's adjoint is the
placement again, so derivatives of any order follow.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitive import Aval, bind, define
from fluxion.core.primitives.image_resize import resize_grad_p, resize_p


# Placing an image of run-time size into a fixed-size canvas: a primitive whose kernel
# sees the real size; its adjoint cuts the cotangent back out at the same offsets.
def _place_kernel(x, top, left, *, height, width):
    top, left = int(top), int(left)
    rows, cols = x.shape[1:3]
    if top < 0 or left < 0 or top + rows > height or left + cols > width:
        from fluxion.core.errors import InvalidArgumentError

        raise InvalidArgumentError(f"pad_to_bounding_box: an image of height {rows} and width "
                                   f"{cols} at offsets ({top}, {left}) does not fit in a "
                                   f"{height} x {width} target")
    out = np.zeros((x.shape[0], height, width, x.shape[3]), x.dtype)
    out[:, top:top + rows, left:left + cols] = x
    return out


def _place_vjp(g, xs, out, *, height, width):
    return bind(place_grad_p, g, xs[0], xs[1], xs[2], height=height, width=width), None, None


def _place_grad_kernel(g, like, top, left, *, height, width):
    top, left = int(top), int(left)
    rows, cols = like.shape[1:3]
    return g[:, top:top + rows, left:left + cols].copy()


place_p = define("pad_to_bounding_box", _place_kernel,
                 lambda x, top, left, height, width: Aval((x.shape[0], height, width,
                                                           x.shape[3]), x.dtype),
                 _place_vjp, fresh_output=True)
# The adjoint: the placed window cut back out; its own adjoint is placing again.
place_grad_p = define(
    "pad_to_bounding_box_grad", _place_grad_kernel,
    lambda g, like, top, left, height, width: Aval(like.shape, g.dtype),
    lambda gg, xs, out, height, width: (
        bind(place_p, gg, xs[2], xs[3], height=height, width=width), None, None, None),
    fresh_output=True, shape_only=(1,))


def pad_resize_layout(height: int, width: int, rows: int, cols: int) -> tuple:
    """``(new_height, new_width, top, left)`` of ``resize_with_pad``, in TF's float32
    arithmetic (9 / (9 / 7) must give 7, not 6.999...); TF centres by the unrounded size."""
    f32 = np.float32
    ratio = max(f32(width) / f32(cols), f32(height) / f32(rows))
    new_height, new_width = int(f32(height) / ratio), int(f32(width) / ratio)
    top = max(0, int(np.floor((f32(rows) - f32(height) / ratio) / f32(2))))
    left = max(0, int(np.floor((f32(cols) - f32(width) / ratio) / f32(2))))
    return new_height, new_width, top, left


# For images whose size is known only at run time, resize-and-place is one primitive (the
# layout depends on that size) with its adjoint, as ``resize_image`` and its gradient.
def _resize_pad_kernel(x, *, rows, cols, method, antialias):
    new_height, new_width, top, left = pad_resize_layout(x.shape[1], x.shape[2], rows, cols)
    resized = resize_p.impl(x, size=(new_height, new_width), method=method,
                            antialias=antialias)
    out = np.zeros((x.shape[0], rows, cols, x.shape[3]), resized.dtype)
    out[:, top:top + new_height, left:left + new_width] = resized
    return out


def _resize_pad_grad_kernel(g, like, *, rows, cols, method, antialias):
    new_height, new_width, top, left = pad_resize_layout(like.shape[1], like.shape[2], rows,
                                                         cols)
    piece = np.ascontiguousarray(g[:, top:top + new_height, left:left + new_width])
    return resize_grad_p.impl(piece, like, size=(new_height, new_width),
                              method=method, antialias=antialias)


resize_pad_p = define(
    "resize_with_pad", _resize_pad_kernel,
    lambda x, rows, cols, **_: Aval((x.shape[0], rows, cols, x.shape[3]), x.dtype),
    lambda g, xs, out, **attrs: (resize_pad_grad_p.bind(g, xs[0], **attrs),),
    fresh_output=True)
resize_pad_grad_p = define(
    "resize_with_pad_grad", _resize_pad_grad_kernel,
    lambda g, like, **_: Aval(like.shape, g.dtype),
    lambda g, xs, out, **attrs: (resize_pad_p.bind(g, **attrs), None), fresh_output=True,
    shape_only=(1,))
