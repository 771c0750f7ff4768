"""tf.signal FFTs and complex parts: NumPy's FFT as the oracle, gradients by finite
differences (through real/imag parts, since the harness differentiates real outputs)."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.testing.op_check import check_op

rng = np.random.default_rng(1)


def _complex(shape, dtype=np.complex128):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)


@pytest.mark.parametrize("name, rank, numpy_fn", [
    ("fft", 1, np.fft.fft), ("ifft", 1, np.fft.ifft),
    ("fft2d", 2, np.fft.fft2), ("ifft2d", 2, np.fft.ifft2),
    ("fft3d", 3, lambda x: np.fft.fftn(x, axes=(-3, -2, -1))),
    ("ifft3d", 3, lambda x: np.fft.ifftn(x, axes=(-3, -2, -1))),
])
@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_complex_transforms_match_numpy(name, rank, numpy_fn, dtype):
    x = _complex((2, 3, 4, 5), dtype)
    got = getattr(tf.signal, name)(x)
    assert got.dtype == tf.as_dtype(dtype)
    tol = 1e-4 if dtype == np.complex64 else 1e-10
    np.testing.assert_allclose(got.numpy(), numpy_fn(x), rtol=tol, atol=tol)


@pytest.mark.parametrize("name", ["fft", "ifft", "fft2d", "ifft3d"])
def test_complex_transform_gradients(name):
    op = getattr(tf.signal, name)

    def fn(re, im):
        y = op(tf.complex(re, im))
        return tf.math.real(y) * 0.7 + tf.math.imag(y) * 1.3

    check_op(fn, [rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 3, 4))],
             lambda re, im: (lambda y: y.real * 0.7 + y.imag * 1.3)(
                 {"fft": np.fft.fft, "ifft": np.fft.ifft, "fft2d": np.fft.fft2,
                  "ifft3d": lambda v: np.fft.ifftn(v, axes=(0, 1, 2))}[name](re + 1j * im)))


@pytest.mark.parametrize("rank, shape, lengths", [
    (1, (3, 8), None), (1, (3, 8), [11]), (1, (3, 9), [6]),
    (2, (2, 6, 5), None), (2, (2, 6, 5), [4, 7]), (3, (2, 3, 4, 6), None),
])
def test_rfft_and_irfft_match_numpy_with_gradients(rank, shape, lengths):
    suffix = {1: "", 2: "2d", 3: "3d"}[rank]
    rfft, irfft = getattr(tf.signal, "rfft" + suffix), getattr(tf.signal, "irfft" + suffix)
    axes = tuple(range(-rank, 0))
    x = rng.standard_normal(shape)
    check_op(lambda v: tf.math.real(rfft(v, lengths)) - 2 * tf.math.imag(rfft(v, lengths)),
             [x], lambda v: (lambda y: y.real - 2 * y.imag)(np.fft.rfftn(v, lengths, axes)))
    spectrum = np.fft.rfftn(x, axes=axes)
    out_lengths = lengths or list(x.shape[-rank:])
    check_op(lambda re, im: irfft(tf.complex(re, im), out_lengths),
             [spectrum.real.copy(), spectrum.imag.copy()],
             lambda re, im: np.fft.irfftn(re + 1j * im, out_lengths, axes))


def test_rfft_float32_gives_complex64_and_default_irfft_length():
    x = rng.standard_normal((4, 10)).astype(np.float32)
    spectrum = tf.signal.rfft(x)
    assert spectrum.dtype == tf.complex64 and spectrum.shape == (4, 6)
    back = tf.signal.irfft(spectrum)
    assert back.dtype == tf.float32 and back.shape == (4, 10)
    np.testing.assert_allclose(back.numpy(), x, atol=1e-5)


def test_nd_transforms_over_chosen_axes():
    x = _complex((3, 4, 5))
    np.testing.assert_allclose(tf.signal.fftnd(x, axes=[0, 2]).numpy(),
                               np.fft.fftn(x, axes=(0, 2)), atol=1e-10)
    np.testing.assert_allclose(tf.signal.ifftnd(x).numpy(), np.fft.ifftn(x), atol=1e-10)
    r = rng.standard_normal((3, 4, 6))
    np.testing.assert_allclose(tf.signal.rfftnd(r, fft_length=[4, 8], axes=[0, 2]).numpy(),
                               np.fft.rfftn(r, s=[4, 8], axes=(0, 2)), atol=1e-10)
    spec = np.fft.rfftn(r)
    np.testing.assert_allclose(tf.signal.irfftnd(spec, fft_length=[3, 4, 6]).numpy(), r,
                               atol=1e-10)


def test_shifts_match_numpy():
    x = np.arange(35.0).reshape(5, 7)
    np.testing.assert_array_equal(tf.signal.fftshift(x).numpy(), np.fft.fftshift(x))
    np.testing.assert_array_equal(tf.signal.ifftshift(x).numpy(), np.fft.ifftshift(x))
    np.testing.assert_array_equal(tf.signal.fftshift(x, axes=1).numpy(),
                                  np.fft.fftshift(x, axes=1))
    np.testing.assert_array_equal(tf.signal.ifftshift(x, axes=[0]).numpy(),
                                  np.fft.ifftshift(x, axes=[0]))


def test_fft_rejects_real_input_with_a_clear_error():
    with pytest.raises(TypeError, match="complex64 or complex128"):
        tf.signal.fft(np.ones(4, np.float32))
    with pytest.raises(TypeError, match="float32 or float64"):
        tf.signal.rfft(np.ones(4, np.int32))


def test_complex_parts_and_gradients():
    z = _complex((5,))
    np.testing.assert_allclose(tf.math.real(z).numpy(), z.real)
    np.testing.assert_allclose(tf.math.imag(z).numpy(), z.imag)
    np.testing.assert_allclose(tf.math.conj(z).numpy(), z.conj())
    np.testing.assert_allclose(tf.math.angle(z).numpy(), np.angle(z))
    np.testing.assert_allclose(tf.math.angle(np.array([-1.0, 2.0])).numpy(), [np.pi, 0])
    assert tf.complex(np.float32(1), np.float32(2)).dtype == tf.complex64
    # |z * z|: TF's complex gradient convention gives d/dx + i d/dy.
    x = tf.constant(np.array([1 + 2j, 3 - 1j], np.complex64))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.abs(x * x))
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [2 + 4j, 6 - 2j], rtol=1e-6)

    def fn(re, im):
        z = tf.complex(re, im)
        w = tf.math.conj(z) * z / (z + 3.0)
        return tf.abs(w) + tf.math.angle(z)

    check_op(fn, [rng.standard_normal(4), rng.standard_normal(4)],
             lambda re, im: (lambda z: np.abs(np.conj(z) * z / (z + 3)) + np.angle(z))(
                 re + 1j * im))


@pytest.mark.parametrize("norm", ["backward", "ortho", "forward"])
def test_nd_transforms_norm_matches_numpy(norm):
    x = _complex((3, 4))
    np.testing.assert_allclose(tf.signal.fftnd(x, norm=norm).numpy(),
                               np.fft.fftn(x, norm=norm), atol=1e-10)
    np.testing.assert_allclose(tf.signal.ifftnd(x, norm=norm).numpy(),
                               np.fft.ifftn(x, norm=norm), atol=1e-10)
    r = x.real.copy()
    np.testing.assert_allclose(tf.signal.rfftnd(r, norm=norm).numpy(),
                               np.fft.rfftn(r, norm=norm), atol=1e-10)
    spec = np.fft.rfftn(r)
    np.testing.assert_allclose(tf.signal.irfftnd(spec, fft_length=[3, 4], norm=norm).numpy(),
                               np.fft.irfftn(spec, s=[3, 4], axes=[0, 1], norm=norm), atol=1e-10)
