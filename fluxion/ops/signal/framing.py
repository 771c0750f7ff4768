"""Cutting a signal into overlapping frames and adding frames back: ``frame`` and
``overlap_and_add``.

``frame`` is one ``gather`` with a ``[frames, frame_length]`` index grid, so its gradient
is the gather's (a scatter-add).  ``overlap_and_add`` splits each frame into
``frame_step``-long pieces; piece ``s`` of frame ``f`` lands in output block ``f + s``, so
the output is the sum over ``s`` of the pieces shifted by ``s`` blocks (pad and add).
"""

from __future__ import annotations

import numpy as np

from fluxion.core.errors import op_error
from fluxion.core.primitives.framing import frame_p
from fluxion.core.primitives.subscript import getitem
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple
from fluxion.ops.array_ops import gather, pad, reshape

__all__ = ["frame", "overlap_and_add"]


def _static_int(op: str, what: str, value) -> int:
    value = np.asarray(value._value if isinstance(value, Tensor) else value)
    if value.shape != () or value.dtype.kind not in "iu" or int(value) <= 0:
        raise op_error(ValueError, op, f"{what} must be a positive integer scalar, got "
                                       f"{value.tolist()}")
    return int(value)


def frame(signal, frame_length, frame_step, pad_end=False, pad_value=0, axis=-1,
          name=None) -> Tensor:
    """Cuts ``signal`` along ``axis`` into frames of ``frame_length`` every ``frame_step``.

    Args:
      signal: a tensor; ``axis`` must have a known size.
      frame_length, frame_step: positive integers.
      pad_end: pad the end with ``pad_value`` so that every sample lands in a frame.

    Returns:
      ``signal.shape[:axis] + [frames, frame_length] + signal.shape[axis + 1:]``.

    >>> frame(tf.range(5), 3, 1).numpy().tolist()
    [[0, 1, 2], [1, 2, 3], [2, 3, 4]]
    """
    signal = convert_to_tensor(signal)
    length = _static_int("frame", "frame_length", frame_length)
    step = _static_int("frame", "frame_step", frame_step)
    shape = shape_tuple(signal)
    axis = int(axis) % len(shape)
    samples = shape[axis]
    if samples is None:  # the length is known only at run time (e.g. a decoded clip)
        return frame_p.bind(signal, length=length, step=step, axis=axis,
                            pad_end=bool(pad_end), pad_value=pad_value)
    if pad_end:
        frames = -(-samples // step)
        needed = max(0, (frames - 1) * step + length - samples)
        if needed:
            paddings = [[0, 0]] * len(shape)
            paddings[axis] = [0, needed]
            signal = pad(signal, paddings, constant_values=pad_value)
    else:
        frames = max(0, 1 + (samples - length) // step) if samples >= length else 0
    grid = (step * np.arange(frames)[:, None] + np.arange(length)[None, :]).astype(np.int32)
    return gather(signal, grid, axis=axis)


def overlap_and_add(signal, frame_step, name=None) -> Tensor:
    """Adds overlapping frames ``[..., frames, frame_length]`` into one signal of length
    ``(frames - 1) * frame_step + frame_length`` (the inverse of ``frame`` up to overlap).

    >>> overlap_and_add(tf.ones([3, 4]), 2).numpy().tolist()
    [1.0, 1.0, 2.0, 2.0, 2.0, 2.0, 1.0, 1.0]
    """
    signal = convert_to_tensor(signal)
    step = _static_int("overlap_and_add", "frame_step", frame_step)
    shape = shape_tuple(signal)
    if len(shape) < 2:
        raise op_error(ValueError, "overlap_and_add", f"expects a tensor of rank >= 2 "
                                                      f"([..., frames, frame_length]), got "
                                                      f"shape {list(shape)}")
    frames, length = shape[-2], shape[-1]
    if frames is None or length is None:
        raise op_error(ValueError, "overlap_and_add", f"frames and frame_length need known "
                                                      f"sizes, got shape {list(shape)}")
    output_length = (frames - 1) * step + length
    pieces = -(-length // step)
    lead = len(shape) - 2
    if pieces * step > length:
        signal = pad(signal, [[0, 0]] * (lead + 1) + [[0, pieces * step - length]])
    blocks = reshape(signal, [-1 if d is None else d for d in shape[:-2]]
                     + [frames, pieces, step]) if lead else \
        reshape(signal, [frames, pieces, step])
    total = None
    for s in range(pieces):
        piece = getitem(blocks, (Ellipsis, slice(None), s, slice(None)))  # [..., F, step]
        shifted = pad(piece, [[0, 0]] * lead + [[s, pieces - 1 - s], [0, 0]])
        total = shifted if total is None else total + shifted
    flat = reshape(total, [-1 if d is None else d for d in shape[:-2]]
                   + [(frames + pieces - 1) * step])
    return getitem(flat, (Ellipsis, slice(0, output_length)))
