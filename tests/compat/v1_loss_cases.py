"""Inputs shared by tests/compat/test_v1_losses.py and its fixture generator."""

import numpy as np


def evaluate(losses) -> dict:
    """Every ``tf.compat.v1.losses`` function of ``losses`` on fixed inputs, as lists."""
    rng = np.random.RandomState(0)
    labels = rng.rand(4, 3).astype(np.float32)
    predictions = rng.rand(4, 3).astype(np.float32)
    weights = np.array([[1.0], [0.0], [2.0], [1.0]], np.float32)
    classes = np.array([0, 2, 1, 1])
    onehot = np.eye(3, dtype=np.float32)[classes]
    binary = (labels > 0.5).astype(np.float32)
    unit = lambda x: x / np.linalg.norm(x, axis=1, keepdims=True)  # noqa: E731
    reduction = losses.Reduction
    out = {
        "absolute_difference": losses.absolute_difference(labels, predictions, weights=weights),
        "mean_squared_error": losses.mean_squared_error(labels, predictions),
        "sum": losses.mean_squared_error(labels, predictions, weights=weights,
                                         reduction=reduction.SUM),
        "mean": losses.mean_squared_error(labels, predictions, weights=weights,
                                          reduction=reduction.MEAN),
        "sum_over_batch_size": losses.mean_squared_error(
            labels, predictions, weights=weights, reduction=reduction.SUM_OVER_BATCH_SIZE),
        "none": losses.absolute_difference(labels, predictions, reduction=reduction.NONE),
        "huber_loss": losses.huber_loss(labels, predictions * 3, delta=0.5),
        "log_loss": losses.log_loss(binary, predictions),
        "hinge_loss": losses.hinge_loss(binary, predictions - 0.5),
        "cosine_distance": losses.cosine_distance(unit(labels), unit(predictions), axis=1),
        "mean_pairwise_squared_error": losses.mean_pairwise_squared_error(
            labels, predictions, weights=weights),
        "sigmoid_cross_entropy": losses.sigmoid_cross_entropy(binary, predictions,
                                                              label_smoothing=0.1),
        "softmax_cross_entropy": losses.softmax_cross_entropy(onehot, predictions,
                                                              label_smoothing=0.2),
        "sparse_softmax_cross_entropy": losses.sparse_softmax_cross_entropy(
            classes, predictions, weights=np.array([1.0, 0.0, 2.0, 1.0], np.float32)),
    }
    return {name: np.asarray(value).tolist() for name, value in out.items()}
