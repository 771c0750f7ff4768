"""Choosing the loss ``compile`` builds for a user's identifier (Keras 3's rule).

``"crossentropy"`` / ``"ce"`` name a family: binary cross-entropy when ``y_pred`` has one
column, sparse categorical when ``y_true`` has a lower rank (or one column against
several), categorical otherwise.  Functions are wrapped in ``LossFunctionWrapper`` so
every compiled loss takes ``sample_weight``; the wrapper is named as the user wrote.
"""

from __future__ import annotations

from fluxion.keras.losses import by_name
from fluxion.keras.losses.loss import Loss, LossFunctionWrapper
from fluxion.keras.losses.probabilistic import (
    binary_crossentropy,
    categorical_crossentropy,
    sparse_categorical_crossentropy,
)


def is_binary_or_sparse_categorical(y_true, y_pred) -> tuple:
    """Keras 3's rule from shapes: binary when ``y_pred`` has one column; sparse when
    ``y_true`` has a lower rank, or one column against several."""
    true_rank, pred_rank = len(y_true.shape), len(y_pred.shape)
    true_last, pred_last = y_true.shape[-1], y_pred.shape[-1]
    is_binary = pred_last == 1
    is_sparse = true_rank < pred_rank or (true_last == 1 and pred_last not in (None, 1))
    return is_binary, is_sparse


def get_loss(identifier, y_true, y_pred):
    """The ``Loss`` object for ``identifier`` given (the shapes of) ``y_true``/``y_pred``.

    >>> import fluxion as tf
    >>> get_loss("ce", tf.TensorSpec([None]), tf.TensorSpec([None, 3])).fn.__name__
    'sparse_categorical_crossentropy'
    """
    if identifier is None:
        return None
    if str(identifier).lower() not in ("crossentropy", "ce"):
        loss = by_name.get(identifier)
    else:
        is_binary, is_sparse = is_binary_or_sparse_categorical(y_true, y_pred)
        loss = binary_crossentropy if is_binary else \
            sparse_categorical_crossentropy if is_sparse else categorical_crossentropy
    if isinstance(loss, Loss):
        return loss
    name = identifier if isinstance(identifier, str) else getattr(loss, "__name__", None)
    return LossFunctionWrapper(loss, name=name)
