"""isotonic_regression, with_space_to_batch, RNN cell wrappers, ctc_beam_search_decoder
(values as TF 2.21 gives them)."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.testing.op_check import check_op


def test_isotonic_regression_as_tf_with_gradient():
    out, seg = tf.nn.isotonic_regression([[1.0, 3.0, 2.0, 4.0], [5.0, 1.0, 2.0, 0.0]])
    assert out.numpy().tolist() == [[2.5, 2.5, 2.5, 2.5], [5.0, 1.5, 1.5, 0.0]]
    assert seg.numpy().tolist() == [[0, 0, 0, 0], [0, 1, 1, 2]]
    out, seg = tf.nn.isotonic_regression([[1.0, 3.0, 2.0, 4.0]], decreasing=False)
    assert out.numpy().tolist() == [[1.0, 2.5, 2.5, 4.0]] and seg.numpy().tolist() == [
        [0, 1, 1, 2]]
    x = np.array([[1.0, 3.0, 2.5, 4.0], [5.0, 1.0, 2.0, 0.0]])
    check_op(lambda v: tf.nn.isotonic_regression(v)[0], [x],
             lambda v: np.array([[2.625] * 4, [5.0, 1.5, 1.5, 0.0]]), traced=False,
             second_order=False)
    cols, _ = tf.nn.isotonic_regression(x.T, axis=0)
    np.testing.assert_allclose(cols.numpy(), np.array([[2.625] * 4, [5.0, 1.5, 1.5, 0.0]]).T)


@pytest.mark.parametrize("padding", ["VALID", "SAME"])
def test_with_space_to_batch_is_dilated_convolution(padding):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1, 8, 8, 2))
    w = rng.normal(size=(3, 3, 2, 3))
    got = tf.nn.with_space_to_batch(
        x, [2, 2], padding, lambda inp, dims, pad: tf.nn.convolution(inp, w, padding=pad),
        filter_shape=[3, 3])
    want = tf.nn.convolution(x, w, padding=padding, dilations=[2, 2])
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-10)


class AddCell:
    state_size = 2
    output_size = 2

    def __call__(self, inputs, state):
        out = inputs + state
        return out, out


def test_rnn_cell_wrappers():
    x, s = tf.constant([[1.0, 2.0]]), tf.constant([[10.0, 20.0]])
    out, state = tf.nn.RNNCellResidualWrapper(AddCell())(x, s)
    assert out.numpy().tolist() == [[12.0, 24.0]] and state.numpy().tolist() == [[11.0, 22.0]]
    out, _ = tf.nn.RNNCellDropoutWrapper(AddCell(), output_keep_prob=1.0)(x, s)
    assert out.numpy().tolist() == [[11.0, 22.0]]
    dropped, _ = tf.nn.RNNCellDropoutWrapper(AddCell(), input_keep_prob=0.5, seed=1)(
        tf.ones([1, 1000]), tf.zeros([1, 1000]))
    assert set(np.unique(dropped.numpy())) <= {0.0, 2.0}
    out, _ = tf.nn.RNNCellDeviceWrapper(AddCell(), "/cpu:0")(x, s)
    assert out.numpy().tolist() == [[11.0, 22.0]]
    assert tf.nn.RNNCellDeviceWrapper(AddCell(), "/cpu:0").state_size == 2


def test_ctc_beam_search_as_tf():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(5, 2, 4)).astype(np.float32)
    decoded, log_probs = tf.nn.ctc_beam_search_decoder(logits, [5, 4], beam_width=10,
                                                       top_paths=2)
    # TF 2.21's output for these logits
    assert [tf.sparse.to_dense(d).numpy().tolist() for d in decoded] == [[[2, 0], [2, 1]],
                                                                        [[2, 1], [1, 0]]]
    np.testing.assert_allclose(log_probs.numpy(), [[-2.6803193, -2.9856694],
                                                   [-1.4859186, -1.9488180]], rtol=1e-5)
