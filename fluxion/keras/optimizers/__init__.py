"""Optimizers (``keras.optimizers``): ``get("adam")``, ``serialize``/``deserialize`` and the
optimizer classes; learning-rate schedules live in ``keras.optimizers.schedules``.
"""

from __future__ import annotations

import inspect

from fluxion.keras.optimizers import schedules
from fluxion.keras.optimizers.adam import Adam, Adamax, AdamW, Nadam
from fluxion.keras.optimizers.adaptive import Adadelta, Adagrad, RMSprop
from fluxion.keras.optimizers.base_optimizer import Optimizer
from fluxion.keras.optimizers.ftrl import Ftrl
from fluxion.keras.optimizers.lion import Lion
from fluxion.keras.optimizers.loss_scale_optimizer import LossScaleOptimizer
from fluxion.keras.optimizers.sgd import SGD
from fluxion.keras.saving.serialization import deserialize_keras_object, serialize_keras_object

__all__ = ["Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "Ftrl", "Lion",
           "LossScaleOptimizer", "Nadam", "Optimizer", "RMSprop", "SGD", "deserialize", "get",
           "schedules", "serialize"]

ALL_OBJECTS_DICT = {cls.__name__.lower(): cls for cls in (
    Optimizer, Adam, SGD, RMSprop, Adadelta, AdamW, Adagrad, Adamax, Ftrl, Lion, Nadam,
    LossScaleOptimizer)}


def serialize(optimizer) -> dict:
    """The Keras 3 config dict of ``optimizer``."""
    if optimizer is None:
        return None
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"Only `keras.optimizers.Optimizer` instances can be serialized. "
                         f"Received: optimizer={optimizer}")
    return serialize_keras_object(optimizer)


def deserialize(config, custom_objects=None):
    """An optimizer from its config (class names match case-insensitively, as in Keras)."""
    if isinstance(config, dict) and config.get("class_name", "").lower() in ALL_OBJECTS_DICT:
        config = {**config, "class_name": ALL_OBJECTS_DICT[config["class_name"].lower()].__name__}
    return deserialize_keras_object(config, custom_objects=custom_objects,
                                    module_objects={c.__name__: c
                                                    for c in ALL_OBJECTS_DICT.values()})


def get(identifier):
    """An optimizer from a name (``"adam"``), a config dict, or an optimizer.

    >>> type(get("rmsprop")).__name__
    'RMSprop'
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        found = deserialize(identifier)
    elif isinstance(identifier, str):
        cls = ALL_OBJECTS_DICT.get(identifier.lower())
        if cls is None:
            raise ValueError(f"Could not interpret optimizer identifier: {identifier}")
        found = cls()
    else:
        found = identifier
    if inspect.isclass(found) and issubclass(found, Optimizer):
        found = found()
    if isinstance(found, Optimizer):
        return found
    raise ValueError(f"Could not interpret optimizer identifier: {identifier}")
