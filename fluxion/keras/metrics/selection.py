"""Choosing the metric ``compile`` builds for a user's identifier.

``"accuracy"`` / ``"acc"`` (and ``"crossentropy"`` / ``"ce"``) name a family, not one
metric: which member is meant depends on the loss and the shapes of the data.  The
chosen metric keeps the name the user wrote, so logs say ``accuracy``, not
``sparse_categorical_accuracy``.
"""

from __future__ import annotations

from fluxion.keras.losses import probabilistic as loss_fns
from fluxion.keras.losses.selection import is_binary_or_sparse_categorical
from fluxion.keras.metrics import accuracy as acc
from fluxion.keras.metrics import by_name
from fluxion.keras.metrics import probabilistic as prob
from fluxion.keras.metrics.metric import Metric
from fluxion.keras.metrics.reduction import MeanMetricWrapper

_ACCURACY = ("accuracy", "acc")
_CROSSENTROPY = ("crossentropy", "ce")
_ACCURACY_BY_KIND = {"binary": acc.BinaryAccuracy, "sparse": acc.SparseCategoricalAccuracy,
                     "categorical": acc.CategoricalAccuracy}
_CROSSENTROPY_BY_KIND = {"binary": prob.BinaryCrossentropy,
                         "sparse": prob.SparseCategoricalCrossentropy,
                         "categorical": prob.CategoricalCrossentropy}
_LOSS_KINDS = {
    "binary": ("binary_crossentropy", "binary_focal_crossentropy", "bce",
               "BinaryCrossentropy", "BinaryFocalCrossentropy"),
    "sparse": ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"),
    "categorical": ("categorical_crossentropy", "categorical_focal_crossentropy",
                    "CategoricalCrossentropy", "CategoricalFocalCrossentropy"),
}


def loss_kind(loss) -> str | None:
    """``"binary"``, ``"sparse"`` or ``"categorical"`` for a cross-entropy loss, else None."""
    if loss is None:
        return None
    fn = getattr(loss, "fn", None)  # a LossFunctionWrapper: look at what it wraps
    names = {getattr(loss, "__name__", None), type(loss).__name__,
             getattr(fn, "__name__", None), loss if isinstance(loss, str) else None}
    if fn in (loss_fns.binary_crossentropy, loss_fns.binary_focal_crossentropy):
        return "binary"
    for kind, known in _LOSS_KINDS.items():
        if names & set(known):
            return kind
    return None


def _kind_from_shapes(y_true, y_pred) -> str | None:
    if y_true is None or y_pred is None:
        return None
    is_binary, is_sparse = is_binary_or_sparse_categorical(y_true, y_pred)
    return "binary" if is_binary else "sparse" if is_sparse else "categorical"


def get_metric(identifier, y_true, y_pred):
    """The metric ``compile`` makes for ``identifier``, given the data (Keras 3's rule)."""
    return get_metric_for_loss(identifier, None, y_true, y_pred)


def get_metric_for_loss(metric_identifier, loss, y_true=None, y_pred=None):
    """The metric object for ``metric_identifier`` in a model compiled with ``loss``.

    ``"accuracy"``/``"acc"`` become ``BinaryAccuracy`` for binary cross-entropy losses,
    ``SparseCategoricalAccuracy`` for sparse categorical cross-entropy and
    ``CategoricalAccuracy`` for categorical cross-entropy; for other losses the shapes of
    ``y_true`` / ``y_pred`` decide as in Keras 3 when given, else plain ``Accuracy``.
    ``"crossentropy"``/``"ce"`` pick the matching cross-entropy metric the same way.
    The metric keeps the name the user wrote; functions are wrapped in
    ``MeanMetricWrapper``.

    >>> get_metric_for_loss("acc", "sparse_categorical_crossentropy")
    <SparseCategoricalAccuracy name=acc>
    """
    if metric_identifier is None:
        raise ValueError("Expected metric, received `None`")
    family = str(metric_identifier).lower() if isinstance(metric_identifier, str) else None
    if family in _ACCURACY or family in _CROSSENTROPY:
        kind = loss_kind(loss) or _kind_from_shapes(y_true, y_pred)
        by_kind = _ACCURACY_BY_KIND if family in _ACCURACY else _CROSSENTROPY_BY_KIND
        if kind is not None:
            metric = by_kind[kind](name=metric_identifier)
        elif family in _ACCURACY:
            metric = acc.Accuracy(name=metric_identifier)
        else:
            metric = prob.CategoricalCrossentropy(name=metric_identifier)
        return metric
    metric = by_name.get(metric_identifier)
    if isinstance(metric_identifier, str):
        name = metric_identifier
    else:
        name = getattr(metric, "name", None) or getattr(metric, "__name__", None) or \
            type(metric).__name__
    if not isinstance(metric, Metric):
        metric = MeanMetricWrapper(metric)
    metric.name = name
    return metric
