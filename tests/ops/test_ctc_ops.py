"""ctc_loss against a brute-force sum over every alignment (NumPy), gradients by finite
differences; values agree with TF 2.21 (checked once, blank_index=0)."""

import itertools

import numpy as np

import fluxion as tf
from fluxion.testing.op_check import check_op


def collapse(path, blank):
    out, previous = [], None
    for label in path:
        if label != blank and label != previous:
            out.append(label)
        previous = label
    return out


def brute_force_loss(logits, labels, label_length, logit_length, blank):
    losses = []
    for b in range(logits.shape[1]):
        steps = int(logit_length[b])
        y = np.exp(logits[:steps, b])
        y /= y.sum(-1, keepdims=True)
        target = list(labels[b, :label_length[b]])
        total = 0.0
        for path in itertools.product(range(logits.shape[2]), repeat=steps):
            if collapse(path, blank) == target:
                total += np.prod([y[t, k] for t, k in enumerate(path)])
        losses.append(-np.log(total))
    return np.array(losses)


def test_ctc_loss_matches_brute_force_with_gradients():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(4, 3, 3))
    labels = np.array([[1, 1], [2, 0], [1, 2]], np.int32)
    label_length = np.array([2, 1, 2], np.int32)
    logit_length = np.array([4, 3, 4], np.int32)
    check_op(lambda x: tf.nn.ctc_loss(labels, x, label_length, logit_length), [logits],
             lambda x: brute_force_loss(x, labels, label_length, logit_length, 0),
             second_order=False)
    last_blank = tf.nn.ctc_loss(labels - 1 + (labels == 0) * 1, logits, label_length,
                                logit_length, blank_index=-1).numpy()
    want = brute_force_loss(logits, labels - 1 + (labels == 0) * 1, label_length,
                            logit_length, 2)
    np.testing.assert_allclose(last_blank, want)


def test_batch_major_sparse_labels_and_impossible_sequences():
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(2, 3, 4))  # [batch, time, classes]
    sparse = tf.SparseTensor([[0, 0], [1, 0], [1, 1]], [1, 2, 3], [2, 2])
    got = tf.nn.ctc_loss(sparse, logits, None, [3, 3], logits_time_major=False).numpy()
    dense = tf.nn.ctc_loss([[1, 0], [2, 3]], np.transpose(logits, (1, 0, 2)), [1, 2],
                           [3, 3]).numpy()
    np.testing.assert_allclose(got, dense)
    # "1 1" needs a blank between the repeats: 3 frames, not 2
    impossible = tf.nn.ctc_loss([[1, 1]], logits[:1, :2].transpose(1, 0, 2), [2], [2])
    assert np.isinf(impossible.numpy()[0])


def test_ctc_unique_labels_as_tf():
    unique, index = tf.nn.ctc_unique_labels([[3, 4, 4, 3]])
    assert unique.numpy().tolist() == [[3, 4, 0, 0]] and index.numpy().tolist() == [[0, 1, 1, 0]]
    assert unique.dtype == tf.int64 and index.dtype == tf.int32
