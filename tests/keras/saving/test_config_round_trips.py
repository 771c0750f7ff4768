"""Every built-in layer, loss, metric and optimizer survives get_config -> from_config.

Constructor arguments that a class requires are filled from one table by parameter
name, so a new class is covered as soon as it is exported.
"""

import inspect
import json

import pytest

from fluxion import keras
from fluxion.keras.saving.serialization import deserialize_keras_object, serialize_keras_object


def identity_function(x):
    return x


REQUIRED = {
    "units": 3, "output_size": 2, "filters": 2, "kernel_size": 3, "rate": 0.5, "dims": (2, 1), "n": 2,
    "target_shape": (2, 2), "scale": 0.5, "height": 4, "width": 4, "factor": 0.2,
    "height_factor": 0.2, "width_factor": 0.2, "num_bins": 4, "function": identity_function,
    "num_heads": 2, "key_dim": 2, "head_dim": 2, "num_query_heads": 2,
    "num_key_value_heads": 1, "shape": (3,), "output_dim": 2, "input_dim": 5,
    "equation": "ab,bc->ac", "output_shape": 2, "stddev": 0.1, "depth_multiplier": 1,
    "num_classes": 3, "thresholds": 0.5, "recall": 0.5, "precision": 0.5,
    "specificity": 0.5, "sensitivity": 0.5, "target_class_ids": [0], "name": None,
    "activation": "relu", "pool_size": 2, "axes": 1,
}
# Layers whose defaults are valid Python but not a usable layer: extra keyword arguments.
EXTRA = {"Discretization": {"num_bins": 3}, "CategoryEncoding": {"num_tokens": 4},
         "Bidirectional": {"layer": "lstm"}, "LossScaleOptimizer": {"inner_optimizer": "sgd"}}


def _make(cls):
    parameters = inspect.signature(cls.__init__).parameters
    kwargs = dict(EXTRA.get(cls.__name__, {}))
    if kwargs.get("layer") == "lstm":
        kwargs["layer"] = keras.layers.LSTM(2)
    if kwargs.get("inner_optimizer") == "sgd":
        kwargs["inner_optimizer"] = keras.optimizers.SGD(0.1)
    for name, parameter in parameters.items():
        if name == "self" or parameter.kind in (parameter.VAR_POSITIONAL,
                                                 parameter.VAR_KEYWORD):
            continue
        if parameter.default is inspect.Parameter.empty and name not in kwargs:
            if name == "cell":
                kwargs[name] = keras.layers.LSTMCell(2)
            elif name == "cells":
                kwargs[name] = [keras.layers.LSTMCell(2)]
            elif name == "layer":
                kwargs[name] = keras.layers.Dense(2)
            elif name in REQUIRED:
                kwargs[name] = REQUIRED[name]
            else:
                pytest.fail(f"{cls.__name__} needs '{name}': add it to REQUIRED")
    return cls(**kwargs)


def _public_classes(module, base):
    found = {}
    for name in dir(module):
        value = getattr(module, name)
        if inspect.isclass(value) and issubclass(value, base) and not name.startswith("_") \
                and not inspect.isabstract(value) and value is not base:
            found.setdefault(value, name)
    return sorted(found.items(), key=lambda item: item[1])


def _round_trip(obj):
    config = serialize_keras_object(obj)
    text = json.dumps(config, sort_keys=True)
    clone = deserialize_keras_object(json.loads(text))
    assert type(clone) is type(obj)
    assert json.dumps(serialize_keras_object(clone), sort_keys=True) == text


# Lambda: Python bytecode; TFSMLayer: needs a saved model on disk.  Their own tests cover
# their configs and safe mode (tests/keras/layers, tests/saved_model/test_tfsm_layer.py).
SKIPPED_LAYERS = {"InputLayer", "Layer", "OperationLayer", "Functional", "Model", "Sequential",
                  "Lambda", "TFSMLayer"}


@pytest.mark.parametrize("cls", [c for c, n in _public_classes(keras.layers, keras.layers.Layer)
                                 if n not in SKIPPED_LAYERS], ids=lambda c: c.__name__)
def test_layer_config_round_trip(cls):
    _round_trip(_make(cls))


@pytest.mark.parametrize("cls", [c for c, _ in _public_classes(keras.losses, keras.losses.Loss)
                                 if c.__name__ != "LossFunctionWrapper"],
                         ids=lambda c: c.__name__)
def test_loss_config_round_trip(cls):
    _round_trip(_make(cls))


@pytest.mark.parametrize("cls", [c for c, _ in _public_classes(keras.metrics,
                                                               keras.metrics.Metric)
                                 if c.__name__ not in ("MeanMetricWrapper",)],
                         ids=lambda c: c.__name__)
def test_metric_config_round_trip(cls):
    _round_trip(_make(cls))


@pytest.mark.parametrize("cls", [c for c, _ in _public_classes(keras.optimizers,
                                                               keras.optimizers.Optimizer)],
                         ids=lambda c: c.__name__)
def test_optimizer_config_round_trip(cls):
    _round_trip(_make(cls))


def test_callbacks_construct_with_their_keras_arguments():
    # Keras 3 callbacks have no get_config; their constructors take Keras's arguments.
    for cls in (keras.callbacks.EarlyStopping, keras.callbacks.ReduceLROnPlateau,
                keras.callbacks.TerminateOnNaN, keras.callbacks.History,
                keras.callbacks.ProgbarLogger, keras.callbacks.LambdaCallback):
        assert isinstance(cls(), keras.callbacks.Callback)
