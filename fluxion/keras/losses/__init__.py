"""``keras.losses``: loss classes and functions with Keras 3's names, arguments and configs.

>>> from fluxion import keras
>>> float(keras.losses.MeanSquaredError()([[0.0, 1.0]], [[1.0, 1.0]]))
0.5
"""

from __future__ import annotations

import inspect

from fluxion.keras.losses import by_name
from fluxion.keras.losses.ctc import CTC, ctc
from fluxion.keras.losses.hinge import (
    CategoricalHinge,
    Hinge,
    SquaredHinge,
    categorical_hinge,
    hinge,
    squared_hinge,
)
from fluxion.keras.losses.loss import Loss, LossFunctionWrapper, reduce_weighted_values
from fluxion.keras.losses.overlap import Dice, Tversky, dice, tversky
from fluxion.keras.losses.probabilistic import (
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    CategoricalGeneralizedCrossEntropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_generalized_cross_entropy,
    kl_divergence,
    poisson,
    sparse_categorical_crossentropy,
)
from fluxion.keras.losses.regression import (
    CosineSimilarity,
    Huber,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    cosine_similarity,
    huber,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)
from fluxion.keras.losses.selection import get_loss
from fluxion.keras.saving.serialization import deserialize_keras_object, serialize_keras_object

# The short names of tf.keras (Keras 3 resolves them in `get` only).
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh

_CLASSES = (Loss, LossFunctionWrapper, KLDivergence, Poisson, BinaryCrossentropy,
            BinaryFocalCrossentropy, CategoricalCrossentropy, CategoricalFocalCrossentropy,
            SparseCategoricalCrossentropy, MeanSquaredError, MeanAbsoluteError,
            MeanAbsolutePercentageError, MeanSquaredLogarithmicError, CosineSimilarity,
            LogCosh, Huber, Hinge, SquaredHinge, CategoricalHinge, Dice, Tversky, CTC,
            CategoricalGeneralizedCrossEntropy)
_FUNCTIONS = (kl_divergence, poisson, binary_crossentropy, binary_focal_crossentropy,
              categorical_crossentropy, categorical_focal_crossentropy,
              sparse_categorical_crossentropy, mean_squared_error, mean_absolute_error,
              mean_absolute_percentage_error, mean_squared_logarithmic_error,
              cosine_similarity, log_cosh, huber, hinge, squared_hinge, categorical_hinge,
              dice, tversky, ctc, categorical_generalized_cross_entropy)
for _fn in _FUNCTIONS:
    _fn.keras_module = "keras.losses"

ALL_OBJECTS_DICT: dict = {obj.__name__: obj for obj in _CLASSES + _FUNCTIONS}
ALL_OBJECTS_DICT.update({
    "bce": binary_crossentropy, "BCE": binary_crossentropy,
    "kld": kl_divergence, "KLD": kl_divergence,
    "mae": mean_absolute_error, "MAE": mean_absolute_error,
    "mse": mean_squared_error, "MSE": mean_squared_error,
    "mape": mean_absolute_percentage_error, "MAPE": mean_absolute_percentage_error,
    "msle": mean_squared_logarithmic_error, "MSLE": mean_squared_logarithmic_error,
})


def serialize(loss):
    """The Keras 3 config of a loss object or function."""
    return serialize_keras_object(loss)


def deserialize(name, custom_objects=None):
    """A loss object or function from its config (or its name)."""
    if isinstance(name, dict) and name.get("class_name") == "function":
        fn_name = name.get("config")
        found = (custom_objects or {}).get(fn_name) or ALL_OBJECTS_DICT.get(fn_name)
        if found is not None:
            return found
    return deserialize_keras_object(name, module_objects=ALL_OBJECTS_DICT,
                                    custom_objects=custom_objects,
                                    printable_module_name="loss function")


def get(identifier):
    """A loss from a name (``"mse"``, ``"BinaryCrossentropy"``...), a config, or itself.

    Class names give an instance with default arguments; function names the function.
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
    raise ValueError(f"Could not interpret loss identifier: {identifier}")


__all__ = sorted({obj.__name__ for obj in _CLASSES + _FUNCTIONS}
                 | {"mse", "MSE", "mae", "MAE", "mape", "MAPE", "msle", "MSLE", "kld", "KLD",
                    "kullback_leibler_divergence", "logcosh", "get", "serialize",
                    "deserialize", "reduce_weighted_values"})

by_name.install(get, deserialize)  # for the modules below this table (by_name.py)
