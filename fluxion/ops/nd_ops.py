"""N-dimensional top-level ops: ``fftnd`` / ``ifftnd`` / ``rfftnd`` / ``irfftnd`` (1-D
transforms of ``fluxion.signal`` applied axis by axis, so differentiable), generic
``conv`` and the v2 convolution gradients, ``extract_volume_patches`` and
``edit_distance``.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitives.shape import stack, transpose
from fluxion.core.tensor import Tensor, convert_to_tensor

__all__ = ["fftnd", "ifftnd", "rfftnd", "irfftnd", "conv", "conv2d_backprop_input_v2",
           "conv2d_backprop_filter_v2", "extract_volume_patches", "edit_distance"]


def _axes_lengths(x: Tensor, fft_length, axes) -> tuple[list, list]:
    rank = x.shape.rank
    axes = list(range(rank)) if axes is None else [int(a) % rank for a in
                                                   np.asarray(axes).reshape(-1)]
    lengths = [x.shape[a] for a in axes] if fft_length is None else \
        [int(n) for n in np.asarray(fft_length).reshape(-1)]
    return axes, lengths


def _fit(x: Tensor, axis: int, length: int) -> Tensor:
    """``x`` cropped or zero-padded to ``length`` along ``axis``."""
    size = x.shape[axis]
    if size == length:
        return x
    key = [slice(None)] * x.shape.rank
    if size > length:
        key[axis] = slice(0, length)
        return x[tuple(key)]
    from fluxion.ops.array_ops import pad

    pads = [[0, 0]] * x.shape.rank
    pads[axis] = [0, length - size]
    return pad(x, pads)


def _along(x: Tensor, axis: int, fn) -> Tensor:
    rank = x.shape.rank
    if axis == rank - 1:
        return fn(x)
    perm = [i for i in range(rank) if i != axis] + [axis]
    return transpose(fn(transpose(x, perm)), list(np.argsort(perm)))


def fftnd(input, fft_length=None, axes=None, name=None) -> Tensor:  # noqa: A002
    """The discrete Fourier transform over ``axes`` (``np.fft.fftn``)."""
    from fluxion.ops.signal.fft_ops import fft

    x = convert_to_tensor(input)
    axes, lengths = _axes_lengths(x, fft_length, axes)
    for axis, length in zip(axes, lengths):
        x = _along(_fit(x, axis, length), axis, fft)
    return x


def ifftnd(input, fft_length=None, axes=None, name=None) -> Tensor:  # noqa: A002
    """The inverse discrete Fourier transform over ``axes`` (``np.fft.ifftn``)."""
    from fluxion.ops.signal.fft_ops import ifft

    x = convert_to_tensor(input)
    axes, lengths = _axes_lengths(x, fft_length, axes)
    for axis, length in zip(axes, lengths):
        x = _along(_fit(x, axis, length), axis, ifft)
    return x


def rfftnd(input, fft_length=None, axes=None, Tcomplex=dtypes.complex64,  # noqa: A002, N803
           name=None) -> Tensor:
    """The real-input transform over ``axes``: the last axis keeps ``n // 2 + 1`` terms
    (``np.fft.rfftn``)."""
    from fluxion.ops.signal.fft_ops import fft, rfft

    x = convert_to_tensor(input)
    axes, lengths = _axes_lengths(x, fft_length, axes)
    last, last_length = axes[-1], lengths[-1]
    x = _along(_fit(x, last, last_length), last, lambda t: rfft(t, [last_length]))
    for axis, length in zip(axes[:-1], lengths[:-1]):
        x = _along(_fit(x, axis, length), axis, fft)
    return x


def irfftnd(input, fft_length=None, axes=None, Treal=dtypes.float32,  # noqa: A002, N803
            name=None) -> Tensor:
    """The inverse of ``rfftnd`` (``np.fft.irfftn``)."""
    from fluxion.ops.signal.fft_ops import ifft, irfft

    x = convert_to_tensor(input)
    axes, lengths = _axes_lengths(x, fft_length, axes)
    if fft_length is None:
        lengths[-1] = 2 * (lengths[-1] - 1)
    for axis, length in zip(axes[:-1], lengths[:-1]):
        x = _along(_fit(x, axis, length), axis, ifft)
    last, last_length = axes[-1], lengths[-1]
    return _along(x, last, lambda t: irfft(t, [last_length]))


def conv(input, filter, strides, padding, explicit_paddings=(),  # noqa: A002
         data_format="CHANNELS_LAST", dilations=(), batch_dims=1, groups=1, name=None):
    """N-d convolution (``tf.conv``): channels last or first, ``groups`` supported."""
    from fluxion.ops.conv_ops import convolution

    x = convert_to_tensor(input)
    w = convert_to_tensor(filter, dtype=x.dtype)
    spatial = w.shape.rank - 2
    first = data_format == "CHANNELS_FIRST"
    if first:
        x = transpose(x, [0] + list(range(2, spatial + 2)) + [1])
    strides = list(strides)[1:1 + spatial] if len(strides) == spatial + 2 else strides
    rates = list(dilations)[1:1 + spatial] if len(dilations or ()) == spatial + 2 else \
        (dilations or None)
    if padding == "EXPLICIT":
        pairs = np.asarray(explicit_paddings).reshape(-1, 2)
        padding = [list(p) for p in pairs[1:1 + spatial]] if not first else \
            [list(p) for p in pairs[2:]]
        from fluxion.ops.array_ops import pad

        x = pad(x, [[0, 0]] + padding + [[0, 0]])
        padding = "VALID"
    out = convolution(x, w, strides=strides, padding=padding, dilations=rates)
    if first:
        out = transpose(out, [0, spatial + 1] + list(range(1, spatial + 1)))
    return out


def _conv2d_gradients(input, filter, out_backprop, strides, padding, data_format,  # noqa: A002
                      dilations):
    from fluxion.core.tape import GradientTape
    from fluxion.ops.conv_ops import conv2d

    x = convert_to_tensor(input)
    w = convert_to_tensor(filter, dtype=x.dtype)
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        tape.watch(w)
        y = conv2d(x, w, strides, padding, data_format=data_format, dilations=dilations)
    return tape.gradient(y, [x, w], output_gradients=convert_to_tensor(out_backprop,
                                                                     dtype=x.dtype))


def conv2d_backprop_input_v2(input, filter, out_backprop, strides, padding,  # noqa: A002
                             use_cudnn_on_gpu=True, explicit_paddings=(), data_format="NHWC",
                             dilations=(1, 1, 1, 1), name=None) -> Tensor:
    """The gradient of ``conv2d`` with respect to its input."""
    return _conv2d_gradients(input, filter, out_backprop, strides, padding, data_format,
                             dilations)[0]


def conv2d_backprop_filter_v2(input, filter, out_backprop, strides, padding,  # noqa: A002
                              use_cudnn_on_gpu=True, explicit_paddings=(),
                              data_format="NHWC", dilations=(1, 1, 1, 1), name=None) -> Tensor:
    """The gradient of ``conv2d`` with respect to its filter."""
    return _conv2d_gradients(input, filter, out_backprop, strides, padding, data_format,
                             dilations)[1]


def extract_volume_patches(input, ksizes, strides, padding, name=None) -> Tensor:  # noqa: A002
    """3-D patches ``[batch, d, h, w, kd * kh * kw * channels]`` (NDHWC), each patch in
    ``(kd, kh, kw, c)`` order."""
    from fluxion.core.primitives.conv import window_geometry
    from fluxion.core.primitives.shape import reshape
    from fluxion.ops.array_ops import pad

    x = convert_to_tensor(input)
    kernel = [int(k) for k in list(ksizes)[1:4]]
    step = [int(s) for s in list(strides)[1:4]]
    pads, outs = window_geometry(tuple(x.shape[1:4]), tuple(kernel), tuple(step),
                                 (1, 1, 1), padding)
    if any(lo or hi for lo, hi in pads):
        x = pad(x, [[0, 0]] + [list(p) for p in pads] + [[0, 0]])
    taps = []
    for a in range(kernel[0]):
        for b in range(kernel[1]):
            for c in range(kernel[2]):
                taps.append(x[:, a:a + (outs[0] - 1) * step[0] + 1:step[0],
                              b:b + (outs[1] - 1) * step[1] + 1:step[1],
                              c:c + (outs[2] - 1) * step[2] + 1:step[2], :])
    stacked = stack(taps, axis=4)
    return reshape(stacked, [-1, *outs, len(taps) * int(x.shape[-1])])


def _levenshtein(a: list, b: list) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


def edit_distance(hypothesis, truth, normalize=True, name="edit_distance") -> Tensor:
    """The Levenshtein distance between the sequences (last dimension) of two
    SparseTensors, divided by the truth's length when ``normalize``."""
    def sequences(sp):
        indices = np.asarray(sp.indices._value)
        values = np.asarray(sp.values._value)
        groups: dict = {}
        for position in np.lexsort(indices.T[::-1]) if len(indices) else []:
            groups.setdefault(tuple(indices[position, :-1]), []).append(values[position])
        return groups, np.asarray(sp.dense_shape._value)[:-1]

    hyp, hyp_shape = sequences(hypothesis)
    tru, tru_shape = sequences(truth)
    shape = np.maximum(hyp_shape, tru_shape)
    out = np.zeros(shape, np.float32)
    for key in np.ndindex(*shape):
        a, b = hyp.get(key, []), tru.get(key, [])
        distance = float(_levenshtein(list(a), list(b)))
        if normalize:
            distance = distance / len(b) if b else (np.inf if a else 0.0)
        out[key] = distance
    return convert_to_tensor(out)

