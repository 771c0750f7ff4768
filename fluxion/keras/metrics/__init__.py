"""``keras.metrics``: metric classes and functions with Keras 3's names and configs.

>>> from fluxion import keras
>>> m = keras.metrics.BinaryAccuracy()
>>> float(m([[1.0], [0.0]], [[0.8], [0.6]]))
0.5
"""

from __future__ import annotations

import inspect

from fluxion.keras.engine.naming import to_snake_case
from fluxion.keras.losses.hinge import categorical_hinge, hinge, squared_hinge
from fluxion.keras.losses.probabilistic import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    kl_divergence,
    poisson,
    sparse_categorical_crossentropy,
)
from fluxion.keras.losses.regression import (
    huber,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)
from fluxion.keras.metrics import by_name
from fluxion.keras.metrics.accuracy import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from fluxion.keras.metrics.auc import AUC
from fluxion.keras.metrics.confusion_metrics import (
    FalseNegatives,
    FalsePositives,
    Precision,
    PrecisionAtRecall,
    Recall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    TrueNegatives,
    TruePositives,
)
from fluxion.keras.metrics.fbeta import F1Score, FBetaScore
from fluxion.keras.metrics.iou import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from fluxion.keras.metrics.metric import Metric
from fluxion.keras.metrics.probabilistic import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    Hinge,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
)
from fluxion.keras.metrics.reduction import Mean, MeanMetricWrapper, Sum
from fluxion.keras.metrics.regression import (
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    R2Score,
    RootMeanSquaredError,
)
from fluxion.keras.metrics.selection import get_metric, get_metric_for_loss
from fluxion.keras.saving.serialization import deserialize_keras_object, serialize_keras_object

# The short names of tf.keras.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kl_divergence
logcosh = log_cosh

_CLASSES = (
    Metric, Mean, Sum, MeanMetricWrapper,
    MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, CosineSimilarity, LogCoshError, R2Score,
    AUC, FalseNegatives, FalsePositives, Precision, PrecisionAtRecall, Recall,
    RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity, TrueNegatives,
    TruePositives,
    Hinge, SquaredHinge, CategoricalHinge,
    KLDivergence, Poisson, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
    F1Score, FBetaScore,
    IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU,
)
_FUNCTIONS = (
    binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy,
    binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
    categorical_focal_crossentropy, sparse_categorical_crossentropy, kl_divergence, poisson,
    hinge, squared_hinge, categorical_hinge, huber, log_cosh, mean_absolute_error,
    mean_absolute_percentage_error, mean_squared_error, mean_squared_logarithmic_error,
)
for _fn in _FUNCTIONS[:5]:
    _fn.keras_module = "keras.metrics"

ALL_OBJECTS_DICT: dict = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update({to_snake_case(cls.__name__): cls for cls in _CLASSES})
ALL_OBJECTS_DICT.update({
    "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy,
    "mse": MeanSquaredError, "MSE": MeanSquaredError,
    "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
})
_FUNCTIONS_BY_NAME = {fn.__name__: fn for fn in _FUNCTIONS}


def serialize(metric):
    """The Keras 3 config of a metric object or function."""
    return serialize_keras_object(metric)


def deserialize(config, custom_objects=None):
    """A metric object or function from its config (or its name)."""
    if isinstance(config, dict) and config.get("class_name") == "function":
        name = config.get("config")
        found = (custom_objects or {}).get(name) or _FUNCTIONS_BY_NAME.get(name)
        if found is not None:
            return found
    if isinstance(config, str) and config in _FUNCTIONS_BY_NAME:
        return _FUNCTIONS_BY_NAME[config]
    return deserialize_keras_object(config, module_objects=ALL_OBJECTS_DICT,
                                    custom_objects=custom_objects,
                                    printable_module_name="metric")


def get(identifier):
    """A metric from a name (``"mse"``, ``"AUC"``, ``"accuracy"``...), a config, or itself.

    Names of classes (in either spelling) give an instance with default arguments.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier)
    else:
        obj = identifier
    if callable(obj):
        return obj() if inspect.isclass(obj) else obj
    raise ValueError(f"Could not interpret metric identifier: {identifier}")


__all__ = sorted({cls.__name__ for cls in _CLASSES} | set(_FUNCTIONS_BY_NAME)
                 | {"mse", "MSE", "mae", "MAE", "mape", "MAPE", "msle", "MSLE", "kld", "KLD",
                    "logcosh", "get", "serialize", "deserialize", "get_metric",
                    "get_metric_for_loss"})

by_name.install(get, deserialize)  # for the modules below this table (by_name.py)
