"""Probabilistic losses: binary, categorical and sparse cross-entropies (plain and
focal), Kullback-Leibler divergence, Poisson and the generalized cross-entropy.

Probabilities are clipped to ``[epsilon, 1 - epsilon]`` as Keras does; with
``from_logits=True`` the cross-entropies use ``fluxion.nn``'s fused, stable forms, so
logits of +-1e4 give finite losses and gradients.
"""

from __future__ import annotations

import warnings

from fluxion.core.tensor import Tensor
from fluxion.keras.engine.tensor_annotations import get_keras_logits, set_keras_mask
from fluxion.keras.losses.loss import EPSILON, Loss, LossFunctionWrapper, as_tensor
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import array_ops, clip_ops, creation_ops, math_ops, nn_ops, reduce_ops


def _check_same_shape(target, output, fn: str) -> None:
    if len(target.shape) != len(output.shape):
        raise ValueError(f"{fn}: arguments `target` and `output` must have the same rank "
                         f"(ndim). Received: target.shape={target.shape}, "
                         f"output.shape={output.shape}")
    for a, b in zip(target.shape, output.shape):
        if a is not None and b is not None and a != b:
            raise ValueError(f"{fn}: arguments `target` and `output` must have the same "
                             f"shape. Received: target.shape={target.shape}, "
                             f"output.shape={output.shape}")


def _clip(p):
    return clip_ops.clip_by_value(p, EPSILON, 1.0 - EPSILON)


def _logits_of(output):
    """The logits behind ``output`` when a softmax/sigmoid layer recorded them."""
    return get_keras_logits(output)


def elementwise_binary_crossentropy(target, output, from_logits=False) -> Tensor:
    """Per-element binary cross-entropy (Keras's ``ops.binary_crossentropy``)."""
    _check_same_shape(target, output, "binary_crossentropy")
    logits = _logits_of(output)
    if logits is not None:
        output, from_logits = logits, True
    if from_logits:
        return nn_ops.sigmoid_cross_entropy_with_logits(labels=target, logits=output)
    output = _clip(output)
    return math_ops.negative(target * math_ops.log(output)
                             + (1.0 - target) * math_ops.log(1.0 - output))


def _smooth_binary(y_true, label_smoothing):
    return y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing if label_smoothing \
        else y_true


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0,
                        axis=-1) -> Tensor:
    """Binary cross-entropy averaged over ``axis``.

    >>> binary_crossentropy([[0.0, 1.0]], [[0.0, 0.0]], from_logits=True).numpy()
    array([0.6931472], dtype=float32)
    """
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true, y_pred.dtype)
    y_true = _smooth_binary(y_true, label_smoothing)
    return reduce_ops.reduce_mean(
        elementwise_binary_crossentropy(y_true, y_pred, from_logits), axis=axis)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False, label_smoothing=0.0,
                              axis=-1) -> Tensor:
    """Binary cross-entropy scaled by ``(1 - p_t) ** gamma`` (Lin et al., 2017)."""
    y_pred = as_tensor(y_pred)
    y_true = _smooth_binary(as_tensor(y_true, y_pred.dtype), label_smoothing)
    if from_logits:
        y_pred = math_ops.sigmoid(y_pred)
    bce = elementwise_binary_crossentropy(y_true, y_pred, from_logits=False)
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal = math_ops.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return reduce_ops.reduce_mean(focal, axis=axis)


def _check_axis(axis) -> None:
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type "
                         f"{type(axis)}")


def _smooth_categorical(y_true, y_pred, label_smoothing, fn: str):
    if y_pred.shape[-1] == 1:
        warnings.warn(f"In loss {fn}, expected y_pred.shape to be (batch_size, num_classes) "
                      f"with num_classes > 1. Received: y_pred.shape={y_pred.shape}. Consider "
                      f"using 'binary_crossentropy' if you only have 2 classes.",
                      SyntaxWarning, stacklevel=3)
    if not label_smoothing:
        return y_true
    num_classes = math_ops.cast(creation_ops.shape(y_true)[-1], y_pred.dtype)
    return y_true * (1.0 - label_smoothing) + label_smoothing / num_classes


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0,
                             axis=-1) -> Tensor:
    """Cross-entropy between one-hot (or soft) labels and predicted class probabilities.

    >>> categorical_crossentropy([[0.0, 1.0]], [[0.0, 0.0]], from_logits=True).numpy()
    array([0.6931472], dtype=float32)
    """
    _check_axis(axis)
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true, y_pred.dtype)
    y_true = _smooth_categorical(y_true, y_pred, label_smoothing, "categorical_crossentropy")
    if len(y_true.shape) < 1:
        raise ValueError(f"categorical_crossentropy: arguments `target` and `output` must be "
                         f"at least rank 1. Received: target.shape={y_true.shape}")
    _check_same_shape(y_true, y_pred, "categorical_crossentropy")
    logits = _logits_of(y_pred)
    if logits is not None:
        y_pred, from_logits = logits, True
    if from_logits:
        return nn_ops.softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred,
                                                        axis=axis)
    y_pred = y_pred / reduce_ops.reduce_sum(y_pred, axis=axis, keepdims=True)
    return math_ops.negative(reduce_ops.reduce_sum(y_true * math_ops.log(_clip(y_pred)),
                                                   axis=axis))


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1) -> Tensor:
    """Categorical cross-entropy scaled by ``alpha * (1 - p) ** gamma`` per class."""
    _check_axis(axis)
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true, y_pred.dtype)
    y_true = _smooth_categorical(y_true, y_pred, label_smoothing,
                                 "categorical_focal_crossentropy")
    if from_logits:
        y_pred = nn_ops.softmax(y_pred, axis=axis)
    output = _clip(y_pred / reduce_ops.reduce_sum(y_pred, axis=axis, keepdims=True))
    cce = math_ops.negative(y_true) * math_ops.log(output)
    focal = math_ops.pow(1.0 - output, gamma) * alpha * cce
    return reduce_ops.reduce_sum(focal, axis=axis)


def _sparse_crossentropy(target, output, from_logits, axis):
    rank = len(output.shape)
    if axis != -1 and axis != rank - 1:
        raise ValueError(f"sparse_categorical_crossentropy: only axis=-1 is supported. "
                         f"Received: axis={axis}")
    logits = _logits_of(output)
    if logits is not None:
        output, from_logits = logits, True
    if len(target.shape) == rank and target.shape[-1] == 1:
        target = array_ops.squeeze(target, -1)
    if rank < 1 or len(target.shape) != rank - 1:
        raise ValueError(f"sparse_categorical_crossentropy: argument `output` must have rank "
                         f"(ndim) `target.ndim + 1`. Received: target.shape={target.shape}, "
                         f"output.shape={output.shape}")
    for a, b in zip(target.shape, output.shape[:-1]):
        if a is not None and b is not None and a != b:
            raise ValueError(f"sparse_categorical_crossentropy: arguments `target` and "
                             f"`output` must have the same shape up until the last "
                             f"dimension: target.shape={target.shape}, "
                             f"output.shape={output.shape}")
    if not from_logits:
        output = math_ops.log(_clip(output))
    labels = math_ops.cast(target, "int64") if target.dtype.name != "int64" else target
    return nn_ops.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=output)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1) -> Tensor:
    """Cross-entropy of integer class labels against predicted class probabilities.

    With ``ignore_class``, entries labelled with that class get loss 0 and are masked
    out of the average (the result carries ``_keras_mask``).

    >>> sparse_categorical_crossentropy([1], [[0.5, 0.5]]).numpy()
    array([0.6931472], dtype=float32)
    """
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true)
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[axis] == 1:
        y_true = array_ops.squeeze(y_true, axis)
    valid = None
    if ignore_class is not None:
        valid = math_ops.not_equal(y_true, as_tensor(ignore_class, y_true.dtype))
        y_true = array_ops.where(valid, y_true, creation_ops.zeros_like(y_true))
        y_pred = array_ops.where(array_ops.expand_dims(valid, axis), y_pred,
                                 creation_ops.zeros_like(y_pred))
    result = _sparse_crossentropy(y_true, y_pred, from_logits, axis)
    if valid is not None:
        result = array_ops.where(valid, result, creation_ops.zeros_like(result))
        set_keras_mask(result, valid)
    return result


def kl_divergence(y_true, y_pred) -> Tensor:
    """``sum(y_true * log(y_true / y_pred), axis=-1)``, both clipped to ``[eps, 1]``."""
    y_pred = as_tensor(y_pred)
    y_true = clip_ops.clip_by_value(as_tensor(y_true, y_pred.dtype), EPSILON, 1.0)
    y_pred = clip_ops.clip_by_value(y_pred, EPSILON, 1.0)
    return reduce_ops.reduce_sum(y_true * math_ops.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred) -> Tensor:
    """``mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)``."""
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true, y_pred.dtype)
    return reduce_ops.reduce_mean(y_pred - y_true * math_ops.log(y_pred + EPSILON), axis=-1)


def categorical_generalized_cross_entropy(y_true, y_pred, q) -> Tensor:
    """``(1 - p ** q) / q`` for ``p`` the predicted probability of the true class."""
    y_pred = as_tensor(y_pred)
    labels = math_ops.cast(as_tensor(y_true), "int32")
    one_hot = array_ops.one_hot(labels, y_pred.shape[-1], dtype=y_pred.dtype)
    p = reduce_ops.reduce_sum(y_pred * one_hot, axis=-1)
    return (1.0 - math_ops.pow(p, q)) / q


class _Config(LossFunctionWrapper):
    """A wrapper whose config lists ``_config_keys`` read from attributes."""

    _config_keys: tuple = ()

    def get_config(self) -> dict:
        config = Loss.get_config(self)
        config.update({key: getattr(self, key) for key in self._config_keys})
        return config


@keras_class("keras.losses")
class BinaryCrossentropy(_Config):
    """Binary cross-entropy (``keras.losses.BinaryCrossentropy``)."""

    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


@keras_class("keras.losses")
class BinaryFocalCrossentropy(_Config):
    """Binary focal cross-entropy (``keras.losses.BinaryFocalCrossentropy``)."""

    _config_keys = ("from_logits", "label_smoothing", "axis", "apply_class_balancing",
                    "alpha", "gamma")

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_focal_crossentropy", dtype=None):
        super().__init__(binary_focal_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, apply_class_balancing=apply_class_balancing,
                         alpha=alpha, gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis
        self.apply_class_balancing, self.alpha, self.gamma = apply_class_balancing, alpha, gamma


@keras_class("keras.losses")
class CategoricalCrossentropy(_Config):
    """Categorical cross-entropy (``keras.losses.CategoricalCrossentropy``)."""

    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


@keras_class("keras.losses")
class CategoricalFocalCrossentropy(_Config):
    """Categorical focal cross-entropy (``keras.losses.CategoricalFocalCrossentropy``)."""

    _config_keys = ("from_logits", "label_smoothing", "axis", "alpha", "gamma")

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy",
                 dtype=None):
        super().__init__(categorical_focal_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, alpha=alpha, gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis
        self.alpha, self.gamma = alpha, gamma


@keras_class("keras.losses")
class SparseCategoricalCrossentropy(_Config):
    """Cross-entropy with integer labels (``keras.losses.SparseCategoricalCrossentropy``)."""

    _config_keys = ("from_logits", "ignore_class")

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 axis=-1, name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, from_logits=from_logits, ignore_class=ignore_class,
                         axis=axis)
        self.from_logits, self.ignore_class = from_logits, ignore_class


@keras_class("keras.losses")
class KLDivergence(_Config):
    """Kullback-Leibler divergence (``keras.losses.KLDivergence``)."""

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, name=name, reduction=reduction, dtype=dtype)


@keras_class("keras.losses")
class Poisson(_Config):
    """Poisson loss (``keras.losses.Poisson``)."""

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, name=name, reduction=reduction, dtype=dtype)


@keras_class("keras.losses")
class CategoricalGeneralizedCrossEntropy(_Config):
    """Generalized cross-entropy, robust to noisy labels (Zhang & Sabuncu, 2018)."""

    _config_keys = ("q",)

    def __init__(self, q=0.5, reduction="sum_over_batch_size",
                 name="categorical_generalized_cross_entropy", dtype=None):
        if not 0 < q < 1:
            raise ValueError("q must be in the interval (0, 1)")
        super().__init__(categorical_generalized_cross_entropy, name=name,
                         reduction=reduction, dtype=dtype, q=q)
        self.q = q
