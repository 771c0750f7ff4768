"""``ctc``: connectionist temporal classification losses and their gradient.

The kernel runs the forward-backward recursion in log space per sequence and returns
the negative log-likelihoods together with their gradient with respect to the logits
(softmax minus the label posterior), which the gradient rule scales by the loss's
cotangent.  Labels and lengths are integers, with no gradient.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitive import Aval, define


def _log_softmax(x: np.ndarray) -> np.ndarray:
    shifted = x - x.max(-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))


def _sequence_loss(logits: np.ndarray, labels: np.ndarray, blank: int):
    """``(-log p(labels), d/dlogits)`` for one sequence ``logits`` ``[T, C]``."""
    steps, classes = logits.shape
    log_y = _log_softmax(logits.astype(np.float64))
    extended = np.full(2 * len(labels) + 1, blank, np.int64)
    extended[1::2] = labels
    states = extended.size
    skip = np.zeros(states, bool)  # may the path jump from state s - 2 to s?
    skip[2:] = (extended[2:] != blank) & (extended[2:] != extended[:-2])
    emit = log_y[:, extended]  # [T, S]
    alpha = np.full((steps, states), -np.inf)
    beta = np.full((steps, states), -np.inf)
    if steps == 0:
        return (0.0 if not len(labels) else np.inf), np.zeros_like(logits)
    alpha[0, :min(2, states)] = emit[0, :min(2, states)]
    for t in range(1, steps):
        previous = alpha[t - 1]
        total = np.logaddexp(previous, np.concatenate([[-np.inf], previous[:-1]]))
        jump = np.concatenate([[-np.inf, -np.inf], previous[:-2]])
        total = np.where(skip, np.logaddexp(total, jump), total)
        alpha[t] = total + emit[t]
    log_p = np.logaddexp(alpha[-1, -1], alpha[-1, -2] if states > 1 else -np.inf)
    if not np.isfinite(log_p):
        return np.inf, np.zeros_like(logits)
    beta[-1, max(0, states - 2):] = emit[-1, max(0, states - 2):]
    skip_next = np.concatenate([skip[2:], [False, False]])  # may s jump to s + 2?
    for t in range(steps - 2, -1, -1):
        following = beta[t + 1]
        total = np.logaddexp(following, np.concatenate([following[1:], [-np.inf]]))
        jump = np.concatenate([following[2:], [-np.inf, -np.inf]])
        total = np.where(skip_next, np.logaddexp(total, jump), total)
        beta[t] = total + emit[t]
    occupancy = np.exp(alpha + beta - emit - log_p)  # P(state s at time t | labels)
    posterior = np.zeros((steps, classes))
    np.add.at(posterior.T, extended, occupancy.T)
    return -log_p, (np.exp(log_y) - posterior).astype(logits.dtype)


def _ctc_kernel(logits, labels, label_length, logit_length, blank):
    steps, batch, _ = logits.shape
    losses = np.zeros(batch, logits.dtype)
    grads = np.zeros_like(logits)
    for b in range(batch):
        length = int(logit_length[b])
        sequence = labels[b, :int(label_length[b])]
        loss, grad = _sequence_loss(logits[:length, b], sequence, blank)
        losses[b] = loss
        grads[:length, b] = grad
    return losses, grads


def _ctc_rule(logits: Aval, labels: Aval, label_length: Aval, logit_length: Aval, blank):
    if len(logits.shape) != 3:
        raise ValueError(f"ctc_loss: logits must be [time, batch, classes], got shape "
                         f"{list(logits.shape)}")
    if not labels.dtype.is_integer:
        raise TypeError(f"ctc_loss: labels must be integers, got {labels.dtype.name}")
    return Aval((logits.shape[1],), logits.dtype), logits


def _ctc_vjp(cotangents, inputs, outputs, blank):
    g_loss = cotangents[0]
    return (g_loss[None, :, None] * outputs[1], None, None, None)


ctc_p = define("ctc", _ctc_kernel, _ctc_rule, _ctc_vjp, multiple_results=True,
               doc="CTC negative log-likelihoods and their gradient w.r.t. the logits.")
