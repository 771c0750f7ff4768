"""Connectionist temporal classification: ``ctc_loss`` and ``ctc_unique_labels``.

``ctc_loss`` is one primitive, ``ctc``: its kernel runs the forward-backward recursion
in log space for each sequence and returns the negative log-likelihoods together with
their gradient with respect to the logits, ``softmax(logits) - posterior(class)``
(TF's kernel returns both too).  The VJP scales that gradient by the incoming
cotangent.  Sequences that no alignment can produce get an infinite loss and a zero
gradient.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitive import bind
from fluxion.core.primitives.ctc import ctc_p
from fluxion.core.tensor import Tensor, convert_to_tensor

__all__ = ["ctc_loss", "ctc_unique_labels"]


def _dense_labels(labels, label_length):
    from fluxion.ops.sparse_tensor import SparseTensor

    if isinstance(labels, SparseTensor):
        indices = np.asarray(labels.indices._value)
        values = np.asarray(labels.values._value)
        batch = int(np.asarray(labels.dense_shape._value)[0])
        rows = [values[indices[:, 0] == b] for b in range(batch)]
        width = max((len(r) for r in rows), default=0)
        dense = np.zeros((batch, width), np.int64)
        for b, row in enumerate(rows):
            dense[b, :len(row)] = row
        return convert_to_tensor(dense), convert_to_tensor(
            np.array([len(r) for r in rows], np.int32))
    if label_length is None:
        raise ValueError("ctc_loss: dense labels need label_length")
    return convert_to_tensor(labels), convert_to_tensor(label_length)


def ctc_loss(labels, logits, label_length, logit_length, logits_time_major=True,
             unique=None, blank_index=None, name=None) -> Tensor:
    """The CTC loss (negative log-likelihood) of each label sequence.

    Args:
      labels: ``[batch, max_label_length]`` int labels with ``label_length``, or a
        SparseTensor of labels (then ``label_length`` may be None).
      logits: ``[time, batch, classes]`` (or ``[batch, time, classes]`` when
        ``logits_time_major=False``), unnormalized.
      logit_length: the number of valid frames of each sequence.
      blank_index: the blank class (default 0; -1 means the last class).

    Returns:
      The ``[batch]`` losses; differentiable with respect to ``logits``.
    """
    from fluxion.core.primitives.shape import transpose

    logits = convert_to_tensor(logits)
    if not logits_time_major:
        logits = transpose(logits, [1, 0, 2])
    labels, label_length = _dense_labels(labels, label_length)
    classes = int(logits.shape[-1])
    blank = 0 if blank_index is None else int(blank_index)
    blank = blank + classes if blank < 0 else blank
    loss, _ = bind(ctc_p, logits, labels, label_length, convert_to_tensor(logit_length),
                   blank=blank)
    return loss


def ctc_unique_labels(labels, name=None):
    """Per row, the distinct labels in order of first appearance (padded with 0) and each
    label's position among them: ``(unique_labels, idx)``."""
    rows = np.asarray(convert_to_tensor(labels)._value)
    unique = np.zeros_like(rows)
    index = np.zeros_like(rows)
    for b, row in enumerate(rows):
        seen: dict = {}
        for t, value in enumerate(row.tolist()):
            index[b, t] = seen.setdefault(value, len(seen))
        unique[b, :len(seen)] = list(seen)
    return (convert_to_tensor(unique.astype(np.int64)),
            convert_to_tensor(index.astype(np.int32)))
