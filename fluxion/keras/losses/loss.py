"""``Loss``: the base of Keras losses, and the reductions every loss and metric shares.

A loss is called as ``loss(y_true, y_pred, sample_weight=None)``: both inputs are cast
to the loss's dtype, ``call`` computes one value per sample (or per element), and
``reduce_weighted_values`` weights and reduces them.  A Keras mask on ``y_pred``
(``y_pred._keras_mask``), or on the per-sample losses themselves, zeroes the masked
entries and, for the averaging reductions, rescales so that the mean is taken over the
valid entries only — as Keras 3 does.

Everything here is written with Fluxion ops, so losses trace into graphs
(``fluxion.function``) and differentiate.
"""

from __future__ import annotations

from fluxion.core import nest
from fluxion.core.dtypes import as_dtype
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.keras.engine import naming
from fluxion.keras.engine.dtype_policy import as_policy
from fluxion.keras.engine.tensor_annotations import get_keras_mask  # noqa: F401 - re-exported
from fluxion.keras.losses import by_name
from fluxion.keras.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)
from fluxion.ops import array_ops, creation_ops, math_ops, reduce_ops

EPSILON = 1e-7  # keras.config.epsilon()
REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")


def as_tensor(value, dtype=None) -> Tensor:
    """``value`` as a tensor of ``dtype``, casting tensors (Keras's ``convert_to_tensor``)."""
    if dtype is None:
        return convert_to_tensor(value)
    dtype = as_dtype(dtype)
    if not isinstance(value, Tensor) and getattr(value, "_read_for_op", None) is None:
        try:
            return convert_to_tensor(value, dtype=dtype)
        except (TypeError, ValueError):
            pass
    tensor = convert_to_tensor(value)
    return tensor if tensor.dtype is dtype else math_ops.cast(tensor, dtype)


def _is_structure(value) -> bool:
    """A dict, or a list/tuple holding tensors or arrays (not a nested list of numbers)."""
    if isinstance(value, dict):
        return True
    return isinstance(value, (list, tuple)) and any(
        isinstance(v, (Tensor, dict, list, tuple)) or hasattr(v, "shape") for v in value) \
        and not all(isinstance(v, (list, tuple)) and not _is_structure(v) for v in value)


def convert_structure(value, dtype=None):
    """Converts each tensor-like leaf of a (possibly nested) structure to ``dtype``."""
    if _is_structure(value):
        if isinstance(value, dict):
            return {key: convert_structure(v, dtype) for key, v in value.items()}
        return type(value)(convert_structure(v, dtype) for v in value)
    return as_tensor(value, dtype)


def standardize_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"Invalid value for argument `reduction`. Expected one of "
                         f"{set(REDUCTIONS)}. Received: reduction={reduction}")
    return reduction


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1: bool = True):
    """Drops (or adds) a trailing size-1 axis when the ranks differ by exactly one."""
    rank1, rank2 = len(x1.shape), len(x2.shape)
    if rank1 == rank2:
        return x1, x2
    if rank1 == rank2 + 1 and x1.shape[-1] == 1:
        if rank2 == 1 and expand_rank_1:
            x2 = array_ops.expand_dims(x2, -1)
        else:
            x1 = array_ops.squeeze(x1, -1)
    if rank2 == rank1 + 1 and x2.shape[-1] == 1:
        if rank1 == 1 and expand_rank_1:
            x1 = array_ops.expand_dims(x1, -1)
        else:
            x2 = array_ops.squeeze(x2, -1)
    return x1, x2


def _num_elements(x, dtype) -> Tensor:
    return math_ops.cast(creation_ops.size(x), dtype)


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Sums ``values``, then divides as ``reduction`` says (no division for ``"sum"``)."""
    if reduction is None or reduction == "none" or tuple(values.shape) in ((), (0,)):
        return values
    loss = reduce_ops.reduce_sum(values)
    if reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight"):
        if reduction == "mean_with_sample_weight" and sample_weight is not None:
            divisor = math_ops.cast(reduce_ops.reduce_sum(sample_weight), loss.dtype)
        else:
            divisor = _num_elements(values, loss.dtype)
        loss = math_ops.divide_no_nan(loss, divisor)
    return loss


def apply_mask(sample_weight, mask, dtype, reduction):
    """Folds a boolean ``mask`` into ``sample_weight``.

    For the averaging reductions, valid entries get weight ``total / valid`` so that the
    later division by the element count becomes a division by the valid count.
    """
    if mask is None:
        return sample_weight
    if reduction in ("mean", "sum_over_batch_size"):
        total = _num_elements(mask, dtype)
        valid = reduce_ops.reduce_sum(as_tensor(mask, dtype))  # may be 0
        mask_weight = math_ops.divide_no_nan(total, valid)
        float_mask = array_ops.where(as_tensor(mask, "bool"), mask_weight,
                                     creation_ops.zeros_like(mask_weight))
    else:
        float_mask = as_tensor(mask, dtype)
    if sample_weight is None:
        return float_mask
    sample_weight = as_tensor(sample_weight, dtype)
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask, sample_weight)
    return sample_weight * float_mask


def reduce_weighted_values(values, sample_weight=None, mask=None,
                           reduction="sum_over_batch_size", dtype=None):
    """Weights ``values`` by ``sample_weight`` and ``mask``, then reduces them."""
    reduction = standardize_reduction(reduction)
    values = as_tensor(values, dtype)
    if sample_weight is not None:
        sample_weight = as_tensor(sample_weight, dtype)
    sample_weight = apply_mask(sample_weight, mask, values.dtype, reduction)
    if sample_weight is not None:
        sample_weight = as_tensor(sample_weight, values.dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


@keras_class("keras.losses")
class Loss:
    """The base class of losses (``keras.losses.Loss``).

    Subclasses implement ``call(y_true, y_pred)`` returning per-sample losses.

    Args:
      name: the loss's name (default: the class name in snake case).
      reduction: ``"sum_over_batch_size"`` (default), ``"sum"``, ``"mean"``,
        ``"mean_with_sample_weight"``, ``"none"`` or None.
      dtype: the dtype of the computation (default float32).

    >>> import fluxion
    >>> class Absolute(Loss):
    ...     def call(self, y_true, y_pred):
    ...         return fluxion.abs(y_pred - y_true)
    >>> float(Absolute()([0.0, 0.0], [1.0, 3.0]))
    2.0
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or naming.unique_name(naming.to_snake_case(type(self).__name__))
        self.reduction = standardize_reduction(reduction)
        self._dtype_policy = as_policy(dtype)
        self._dtype = self._dtype_policy.compute_dtype

    @property
    def dtype(self) -> str:
        return self._dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        in_mask = get_keras_mask(y_pred)
        y_pred = convert_structure(y_pred, self.dtype)
        y_true = convert_structure(y_true, self.dtype)
        losses = self.call(y_true, y_pred)
        out_mask = get_keras_mask(losses)
        if in_mask is not None and out_mask is not None:
            mask = math_ops.logical_and(as_tensor(in_mask, "bool"), as_tensor(out_mask, "bool"))
        else:
            mask = in_mask if in_mask is not None else out_mask
        return reduce_weighted_values(losses, sample_weight=sample_weight, mask=mask,
                                      reduction=self.reduction, dtype=self.dtype)

    def call(self, y_true, y_pred):
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred)")

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


@keras_class("keras.losses")
class LossFunctionWrapper(Loss):
    """A ``Loss`` computing ``fn(y_true, y_pred, **kwargs)``."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = _same_rank_structures(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        config["fn"] = serialize_keras_object(self.fn)
        config.update(serialize_keras_object(self._fn_kwargs))
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if "fn" in config:
            config["fn"] = by_name.deserialize(config["fn"])
            config = {key: deserialize_keras_object(value) if isinstance(value, dict) else value
                      for key, value in config.items()}
        return cls(**config)

    def __repr__(self) -> str:
        return f"<LossFunctionWrapper({self.fn}, kwargs={self._fn_kwargs})>"


def _same_rank_structures(y_true, y_pred):
    if isinstance(y_true, Tensor) and isinstance(y_pred, Tensor):
        return squeeze_or_expand_to_same_rank(y_true, y_pred)
    pairs = [squeeze_or_expand_to_same_rank(t, p)
             for t, p in zip(nest.flatten(y_true), nest.flatten(y_pred))]
    return (nest.pack_sequence_as(y_true, [t for t, _ in pairs]),
            nest.pack_sequence_as(y_pred, [p for _, p in pairs]))
