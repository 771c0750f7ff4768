"""``frame`` and its adjoint ``frame_grad``: a signal cut into overlapping frames along
one axis (``tf.signal.frame``) when that axis's length is known only at run time.

The frame count depends on the length, so the kernel builds the index grid when it
runs.  Framing is linear; its adjoint adds each frame's cotangent back at its samples,
and the adjoint's adjoint is framing again.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitive import Aval, define


# --- framing a run-time length ----------------------------------------------------------
# When the framed axis's size is unknown while tracing, the frame count is too: a primitive
# whose kernel sees the real length builds the index grid then.  Framing is linear; its
# adjoint adds each frame's cotangent back at its samples (and its adjoint is framing).
def _grid(samples: int, length: int, step: int, pad_end: bool) -> tuple:
    if pad_end:
        frames = -(-samples // step)
        padded = max(samples, (frames - 1) * step + length) if frames else samples
    else:
        frames = 1 + (samples - length) // step if samples >= length else 0
        padded = samples
    grid = step * np.arange(frames)[:, None] + np.arange(length)[None, :]
    return grid.astype(np.int64), padded


def _frame_kernel(x, *, length, step, axis, pad_end, pad_value):
    grid, padded = _grid(x.shape[axis], length, step, pad_end)
    if padded > x.shape[axis]:
        widths = [(0, 0)] * x.ndim
        widths[axis] = (0, padded - x.shape[axis])
        x = np.pad(x, widths, constant_values=pad_value)
    return np.take(x, grid, axis=axis)


def _frame_grad_kernel(g, like, *, length, step, axis, pad_end, pad_value):
    samples = like.shape[axis]
    grid, padded = _grid(samples, length, step, pad_end)
    moved = np.moveaxis(g, (axis, axis + 1), (0, 1))  # [frames, length, ...]
    out = np.zeros((padded,) + moved.shape[2:], g.dtype)
    np.add.at(out, grid.reshape(-1), moved.reshape((-1,) + moved.shape[2:]))
    return np.moveaxis(out[:samples], 0, axis)


def _frame_rule(x: Aval, *, length, step, axis, pad_end, pad_value) -> Aval:
    shape = tuple(x.shape)
    return Aval(shape[:axis] + (None, length) + shape[axis + 1:], x.dtype)


frame_p = define(
    "frame", _frame_kernel, _frame_rule,
    lambda g, xs, out, **attrs: (frame_grad_p.bind(g, xs[0], **attrs),), fresh_output=True)
frame_grad_p = define(
    "frame_grad", _frame_grad_kernel, lambda g, like, **attrs: Aval(like.shape, g.dtype),
    lambda g, xs, out, **attrs: (frame_p.bind(g, **attrs), None), fresh_output=True,
    shape_only=(1,))
