"""fftnd family against numpy.fft, tf.conv and the v2 conv gradients, volume patches and
edit_distance (values as TF 2.21 gives them)."""

import numpy as np

import fluxion as tf
from fluxion.testing.op_check import check_op

RNG = np.random.default_rng(0)


def test_fft_family_against_numpy():
    x = RNG.normal(size=(2, 4, 3))
    z = x + 1j * RNG.normal(size=x.shape)
    np.testing.assert_allclose(tf.fftnd(z, axes=[0, 2]).numpy(), np.fft.fftn(z, axes=[0, 2]))
    np.testing.assert_allclose(tf.ifftnd(z, fft_length=[3, 5], axes=[1, 2]).numpy(),
                               np.fft.ifftn(z, s=[3, 5], axes=[1, 2]))
    spectrum = tf.rfftnd(x, fft_length=[2, 4], axes=[0, 1])
    np.testing.assert_allclose(spectrum.numpy(), np.fft.rfftn(x, s=[2, 4], axes=[0, 1]))
    back = tf.irfftnd(spectrum, fft_length=[2, 4], axes=[0, 1])
    np.testing.assert_allclose(back.numpy(), np.fft.irfftn(spectrum.numpy(), s=[2, 4],
                                                          axes=[0, 1]), atol=1e-12)
    check_op(lambda v: tf.math.real(tf.rfftnd(v, axes=[0, 1])), [x[:, :, 0].copy()],
             lambda v: np.real(np.fft.rfftn(v, axes=[0, 1])), second_order=False)


def test_conv_and_its_gradients():
    x = RNG.normal(size=(1, 5, 5, 2))
    w = RNG.normal(size=(3, 3, 2, 4))
    want = tf.nn.convolution(x, w, padding="SAME").numpy()
    np.testing.assert_allclose(tf.conv(x, w, [1, 1, 1, 1], "SAME").numpy(), want)
    first = tf.conv(np.transpose(x, (0, 3, 1, 2)), w, [1, 1, 1, 1], "SAME",
                    data_format="CHANNELS_FIRST")
    np.testing.assert_allclose(first.numpy(), np.transpose(want, (0, 3, 1, 2)))
    g = RNG.normal(size=want.shape)
    with tf.GradientTape(persistent=True) as tape:
        xt, wt = tf.constant(x), tf.constant(w)
        tape.watch([xt, wt])
        y = tf.nn.conv2d(xt, wt, 1, "SAME")
    gx, gw = tape.gradient(y, [xt, wt], output_gradients=tf.constant(g))
    np.testing.assert_allclose(
        tf.conv2d_backprop_input_v2(x, w, g, [1, 1, 1, 1], "SAME").numpy(), gx.numpy())
    np.testing.assert_allclose(
        tf.conv2d_backprop_filter_v2(x, w, g, [1, 1, 1, 1], "SAME").numpy(), gw.numpy())


def test_volume_patches_and_edit_distance_as_tf():
    volume = tf.reshape(tf.range(1 * 4 * 4 * 4 * 2, dtype=tf.float32), [1, 4, 4, 4, 2])
    patches = tf.extract_volume_patches(volume, [1, 2, 2, 2, 1], [1, 2, 2, 2, 1], "VALID")
    assert patches.shape == [1, 2, 2, 2, 16]
    assert patches.numpy()[0, 0, 0, 0].tolist() == [0, 1, 2, 3, 8, 9, 10, 11, 32, 33, 34,
                                                    35, 40, 41, 42, 43]
    same = tf.extract_volume_patches(volume, [1, 3, 3, 3, 1], [1, 1, 1, 1, 1], "SAME")
    assert same.shape == [1, 4, 4, 4, 54]
    hyp = tf.SparseTensor([[0, 0, 0], [1, 0, 0]], ["a", "b"], [2, 1, 1])
    truth = tf.SparseTensor([[0, 1, 0], [1, 0, 0], [1, 0, 1]], ["a", "b", "c"], [2, 2, 2])
    assert tf.edit_distance(hyp, truth).numpy().tolist() == [[np.inf, 1.0], [0.5, 0.0]]
    assert tf.edit_distance(hyp, truth, normalize=False).numpy().tolist() == [[1.0, 1.0],
                                                                           [1.0, 0.0]]
