"""Choosing the loss ``compile`` builds for a user's identifier (Keras 3's rule).

``"crossentropy"`` / ``"ce"`` name a family: binary cross-entropy when ``y_pred`` has one
column, sparse categorical when ``y_true`` has a lower rank (or one column against
several), categorical otherwise.  Functions are wrapped in ``LossFunctionWrapper`` so
every compiled loss takes ``sample_weight``; the wrapper is named as the user wrote.
"""

from __future__ import annotations

from fluxion.keras.losses.loss import Loss, LossFunctionWrapper
from fluxion.keras.losses.probabilistic import (
    binary_crossentropy,
    categorical_crossentropy,
    sparse_categorical_crossentropy,
)


def get_loss(identifier, y_true, y_pred):
    """The ``Loss`` object for ``identifier`` given (the shapes of) ``y_true``/``y_pred``.

    >>> import fluxion as tf
    >>> get_loss("ce", tf.TensorSpec([None]), tf.TensorSpec([None, 3])).fn.__name__
    'sparse_categorical_crossentropy'
    """
    from fluxion.keras.losses import get
    from fluxion.keras.metrics.selection import is_binary_or_sparse_categorical

    if identifier is None:
        return None
    if str(identifier).lower() not in ("crossentropy", "ce"):
        loss = get(identifier)
    else:
        is_binary, is_sparse = is_binary_or_sparse_categorical(y_true, y_pred)
        loss = binary_crossentropy if is_binary else \
            sparse_categorical_crossentropy if is_sparse else categorical_crossentropy
    if isinstance(loss, Loss):
        return loss
    name = identifier if isinstance(identifier, str) else getattr(loss, "__name__", None)
    return LossFunctionWrapper(loss, name=name)
