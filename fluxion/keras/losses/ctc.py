"""Connectionist temporal classification (CTC) loss (Graves et al., 2006), as Keras 3's
``keras.losses.CTC``: ``y_true`` holds label ids padded with 0 (class 0 is the blank),
``y_pred`` the logits ``(batch, time, classes)``; the loss is ``-log p(labels | logits)``.

The forward (alpha) recursion runs in log space over the label sequence with blanks
interleaved, one step per time frame, built from ordinary ops — so it traces and its
gradient comes from autodiff.  A large negative number stands for log(0), which keeps
gradients finite where a path is impossible.
"""

from __future__ import annotations

from fluxion.core.tensor import Tensor
from fluxion.keras.losses.loss import Loss, LossFunctionWrapper, as_tensor
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import (
    array_ops,
    creation_ops,
    linalg_ops,
    math_ops,
    nn_ops,
    reduce_ops,
)

_LOG_ZERO = -1e30
_BLANK = 0


def _logsumexp(*terms):
    stacked = array_ops.stack(terms, axis=0)
    top = reduce_ops.reduce_max(stacked, axis=0)
    return top + math_ops.log(reduce_ops.reduce_sum(math_ops.exp(stacked - top), axis=0))


def _shift(alpha, steps: int):
    """``alpha`` moved ``steps`` places along the label axis, log(0) shifted in."""
    pad = creation_ops.zeros_like(alpha[:, :steps]) + _LOG_ZERO
    return array_ops.concat([pad, alpha[:, :-steps]], axis=1)


def ctc(y_true, y_pred) -> Tensor:
    """Per-sample CTC loss of 0-padded labels ``y_true`` against logits ``y_pred``.

    >>> import numpy as np
    >>> round(float(ctc(np.array([[1]]), np.zeros((1, 1, 2), "float32"))[0]), 4)  # -log(1/2)
    0.6931
    """
    y_pred = as_tensor(y_pred)
    y_true = math_ops.cast(as_tensor(y_true), "int32")
    if len(y_true.shape) != 2:
        raise ValueError(f"Targets `y_true` are expected to be a tensor of shape `(batch_size, "
                         f"max_length)` in integer format. Received: "
                         f"y_true.shape={y_true.shape}")
    if len(y_pred.shape) != 3:
        raise ValueError(f"Logits `y_pred` are expected to be a tensor of shape `(batch_size, "
                         f"max_length, num_classes)`. Received: y_pred.shape={y_pred.shape}")
    num_steps, num_classes, max_label = y_pred.shape[1], y_pred.shape[2], y_true.shape[1]
    if num_steps is None or num_classes is None or max_label is None:
        raise ValueError(f"ctc needs static time, class and label lengths; got "
                         f"y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}")
    label_length = reduce_ops.reduce_sum(
        math_ops.cast(math_ops.not_equal(y_true, _BLANK), "int32"), axis=-1)
    log_probs = nn_ops.log_softmax(y_pred, axis=-1)
    # Extended labels: blank, l1, blank, l2, ..., blank  -> (batch, 2L + 1).
    blanks = creation_ops.zeros_like(y_true)
    extended = array_ops.reshape(array_ops.stack([blanks, y_true], axis=2), [-1, 2 * max_label])
    extended = array_ops.concat([extended, blanks[:, :1]], axis=1)
    selector = array_ops.one_hot(extended, num_classes, dtype=y_pred.dtype)  # (B, S, C)
    emit = linalg_ops.matmul(log_probs, selector, transpose_b=True)  # (B, T, S)
    # A label may be reached from two places back unless it is blank or repeats.
    two_back = array_ops.concat([blanks[:, :1], blanks[:, :1], extended[:, :-2]], axis=1)
    can_skip = math_ops.logical_and(math_ops.not_equal(extended, _BLANK),
                                    math_ops.not_equal(extended, two_back))
    size = 2 * max_label + 1
    start = array_ops.one_hot(creation_ops.constant([0, 1]), size, dtype=y_pred.dtype)
    start = reduce_ops.reduce_sum(start, axis=0)  # the first blank or the first label
    log_zero = creation_ops.zeros_like(emit[:, 0]) + _LOG_ZERO
    alpha = array_ops.where(math_ops.greater(start, 0.0), emit[:, 0], log_zero)
    for t in range(1, num_steps):
        skip = array_ops.where(can_skip, _shift(alpha, 2), log_zero)
        alpha = _logsumexp(alpha, _shift(alpha, 1), skip) + emit[:, t]
    # End in the last label or the blank after it.
    ends = array_ops.one_hot(label_length * 2, size, dtype=y_pred.dtype) + \
        array_ops.one_hot(label_length * 2 - 1, size, dtype=y_pred.dtype)
    final = _logsumexp_masked(alpha, ends)
    return math_ops.negative(final)


def _logsumexp_masked(alpha, mask):
    picked = array_ops.where(math_ops.greater(mask, 0.0), alpha,
                             creation_ops.zeros_like(alpha) + _LOG_ZERO)
    top = reduce_ops.reduce_max(picked, axis=-1, keepdims=True)
    total = reduce_ops.reduce_sum(math_ops.exp(picked - top), axis=-1)
    return array_ops.squeeze(top, -1) + math_ops.log(total)


@keras_class("keras.losses")
class CTC(LossFunctionWrapper):
    """CTC loss (``keras.losses.CTC``)."""

    def __init__(self, reduction="sum_over_batch_size", name="ctc", dtype=None):
        super().__init__(ctc, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)
