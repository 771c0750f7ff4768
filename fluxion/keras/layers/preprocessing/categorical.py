"""Integer encodings shared by the categorical layers: ``encode_categorical`` composes
one-hot and ``fluxion.ops.categorical_ops``' ``bincount`` into Keras 3's ``output_mode``
semantics."""

from __future__ import annotations

from fluxion.core.tensor import Tensor
from fluxion.ops import array_ops, reduce_ops
from fluxion.ops.categorical_ops import bincount, bucketize  # noqa: F401 - re-exported


def encode_categorical(ids: Tensor, output_mode: str, depth: int, dtype,
                       count_weights: Tensor | None = None) -> Tensor:
    """Keras 3's encodings of integer ids: ``int``, ``one_hot``, ``multi_hot``, ``count``.

    ``one_hot`` adds a ``depth`` axis (replacing a trailing axis of size 1);
    ``multi_hot`` and ``count`` reduce the last axis (a rank-1 input is one sample).
    """

    if output_mode == "int":
        return array_ops.cast(ids, dtype)
    if len(ids.shape) == 0:
        ids = array_ops.expand_dims(ids, -1)
    if output_mode == "one_hot":
        if len(ids.shape) > 1 and ids.shape[-1] == 1:
            ids = array_ops.squeeze(ids, -1)
        return array_ops.one_hot(ids, depth, dtype=dtype)
    if count_weights is not None:  # weighted counts: differentiable in the weights
        weights = array_ops.cast(count_weights, dtype)
        return reduce_ops.reduce_sum(
            array_ops.one_hot(ids, depth, dtype=dtype) * array_ops.expand_dims(weights, -1),
            axis=1 if len(ids.shape) > 1 else 0,
        )
    if len(ids.shape) <= 2:
        return bincount(ids, depth, binary=output_mode == "multi_hot", dtype=dtype)
    # Rank 3 and up: Keras reduces axis 1 of the one-hot encoding (its non-TF path).
    encoded = array_ops.one_hot(ids, depth, dtype=dtype)
    reduce = reduce_ops.reduce_max if output_mode == "multi_hot" else reduce_ops.reduce_sum
    return reduce(encoded, axis=1)
