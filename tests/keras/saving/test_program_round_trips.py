"""Saving round trips real programs rely on: shared and reused layers, layers taken from
another model, registered custom objects and scopes, and ``keras.ops`` / Python operators
(slices and ellipses included) on KerasTensors.

Oracle: the model before saving; its outputs must be reproduced exactly after
``from_config`` + ``set_weights`` or a ``.keras`` save and load.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("h5py")

from fluxion import keras  # noqa: E402
from fluxion.keras import layers, ops  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.random((4, 3)).astype("float32")


def _reloaded(model, tmp_path, **load_kwargs):
    path = tmp_path / "model.keras"
    model.save(path)
    return keras.models.load_model(path, **load_kwargs)


def _same_outputs(a, b, x):
    for got, want in zip(np.atleast_1d(a.predict(x, verbose=0)),
                         np.atleast_1d(b.predict(x, verbose=0))):
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_layer_shared_with_another_model(tmp_path):
    shared = layers.Dense(3, name="dense_1")
    first_input = keras.Input((3,))
    keras.Model(first_input, shared(first_input))  # shared's first node is in this model
    inputs = keras.Input((3,))
    model = keras.Model(inputs, layers.Dense(2)(shared(layers.Dense(3)(inputs))))
    config = model.get_config()
    refs = [node["args"][0]["config"]["keras_history"]
            for entry in config["layers"] for node in entry["inbound_nodes"]]
    assert ["dense_1", 0, 0] in refs  # numbered among this model's nodes, as Keras does
    rebuilt = keras.Model.from_config(config)
    rebuilt.set_weights(model.get_weights())
    _same_outputs(rebuilt, model, X)
    _same_outputs(_reloaded(model, tmp_path), model, X)


def test_head_of_a_bigger_model_on_a_new_input():
    inputs = keras.Input((3,))
    hidden = layers.Dense(4, name="body")(inputs)
    base = keras.Model(inputs, layers.Dense(2, name="head")(hidden))
    features = keras.Input((4,))
    head = keras.Model(features, base.get_layer("head")(features))
    rebuilt = keras.Model.from_config(head.get_config())
    rebuilt.set_weights(head.get_weights())
    probe = RNG.random((2, 4)).astype("float32")
    _same_outputs(rebuilt, head, probe)


def test_feature_extraction_model_round_trip(tmp_path):
    inputs = keras.Input((3,))
    first = layers.Dense(4, activation="relu")(inputs)
    second = layers.Dense(2)(first)
    base = keras.Model(inputs, second)
    extractor = keras.Model(base.inputs, [first, second])
    loaded = _reloaded(extractor, tmp_path)
    for got, want in zip(loaded.predict(X, verbose=0), extractor.predict(X, verbose=0)):
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_same_layer_called_twice_in_one_model(tmp_path):
    shared = layers.Dense(3, name="dense_1")
    inputs = keras.Input((3,))
    model = keras.Model(inputs, layers.Dense(2, name="dense")(shared(shared(inputs))))
    _same_outputs(_reloaded(model, tmp_path), model, X)


def test_layers_listed_in_keras_order():
    # Keras lists layers by decreasing depth, ties in first-met order from the outputs:
    # the branch "side" joins late, so it comes after "deep_2" here.
    inputs = keras.Input((3,))
    deep = layers.Dense(3, name="deep_2")(layers.Dense(3, name="deep_1")(inputs))
    side = layers.Dense(3, name="side")(inputs)
    model = keras.Model(inputs, layers.Add(name="join")([deep, side]))
    assert [layer.name for layer in model.layers][1:] == ["deep_1", "deep_2", "side", "join"]


@keras.saving.register_keras_serializable(package="RoundTrip")
class Scale(layers.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class Unregistered(Scale):
    pass


@keras.saving.register_keras_serializable(package="RoundTrip")
def squared_error(y_true, y_pred):
    return ops.mean((y_true - y_pred) ** 2, axis=-1)


def test_registered_layer_and_loss_round_trip(tmp_path):
    assert keras.saving.get_custom_objects()["RoundTrip>Scale"] is Scale
    assert keras.saving.get_registered_name(Scale) == "RoundTrip>Scale"
    assert keras.saving.get_registered_object("RoundTrip>Scale") is Scale
    inputs = keras.Input((3,))
    model = keras.Model(inputs, layers.Dense(3)(Scale(3.0)(inputs)))
    model.compile("adam", squared_error)
    model.fit(X, X, epochs=1, verbose=0)
    loaded = _reloaded(model, tmp_path)
    assert isinstance(loaded.layers[1], Scale) and loaded.layers[1].factor == 3.0
    assert loaded.loss is squared_error
    _same_outputs(loaded, model, X)


@pytest.mark.parametrize("how", ["saving scope", "utils scope", "argument"])
def test_unregistered_layer_needs_custom_objects(tmp_path, how):
    inputs = keras.Input((3,))
    model = keras.Model(inputs, Unregistered(3.0)(inputs))
    path = tmp_path / "model.keras"
    model.save(path)
    with pytest.raises(TypeError, match="Unregistered"):
        keras.models.load_model(path)
    objects = {"Unregistered": Unregistered}
    if how == "argument":
        loaded = keras.models.load_model(path, custom_objects=objects)
    else:
        scope = keras.saving.custom_object_scope if how == "saving scope" \
            else keras.utils.custom_object_scope
        with scope(objects):
            loaded = keras.models.load_model(path)
    assert type(loaded.layers[-1]) is Unregistered
    _same_outputs(loaded, model, X)


def test_slices_and_ellipsis_serialize_as_keras_does(tmp_path):
    inputs = keras.Input((4, 3))
    sliced = inputs[:, 1:, ...][..., 0]
    model = keras.Model(inputs, sliced)
    entries = {e["name"]: e for e in model.get_config()["layers"]}
    first = entries["get_item"] if "get_item" in entries else \
        next(e for e in entries.values() if e["class_name"] == "GetItem")
    assert first["module"] == "keras.src.ops.numpy"
    key = first["inbound_nodes"][0]["args"][1]
    assert json.loads(json.dumps(key)) == [
        {"class_name": "__slice__", "config": {"start": None, "stop": None, "step": None}},
        {"class_name": "__slice__", "config": {"start": 1, "stop": None, "step": None}},
        {"class_name": "__ellipsis__", "config": {}}]
    probe = RNG.random((2, 4, 3)).astype("float32")
    loaded = _reloaded(model, tmp_path)
    np.testing.assert_array_equal(loaded.predict(probe, verbose=0), probe[:, 1:, 0])


def test_operators_and_ops_on_keras_tensors_round_trip(tmp_path):
    inputs = keras.Input((4, 3))
    x = inputs[:, 1:] * 2.0 - 1.0
    x = ops.reshape(ops.exp(-x), (-1, 9))
    x = ops.concatenate([x, 1.0 / (1.0 + x)], axis=-1)
    x = ops.sum(layers.Dense(2)(x), axis=-1, keepdims=True) + x[:, :1] ** 2
    model = keras.Model(inputs, x)
    config = model.get_config()
    by_class = {e["class_name"]: e for e in config["layers"]}
    assert by_class["Concatenate"]["config"]["axis"] == -1  # options in the config
    assert by_class["Reshape"]["config"]["newshape"] == (-1, 9)
    probe = RNG.random((2, 4, 3)).astype("float32")
    rebuilt = keras.Model.from_config(config)
    rebuilt.set_weights(model.get_weights())
    np.testing.assert_allclose(rebuilt.predict(probe, verbose=0),
                               model.predict(probe, verbose=0), rtol=1e-6)
    _same_outputs(_reloaded(model, tmp_path), model, probe)


def test_a_custom_layer_whose_config_has_no_name_reloads(tmp_path):
    """Keras's serialization guide: get_config returns only the layer's own arguments."""
    @keras.saving.register_keras_serializable(package="NamelessTest")
    class Scale(keras.layers.Layer):
        def __init__(self, factor):
            super().__init__()
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {"factor": self.factor}

    inputs = keras.Input((4,))
    outputs = keras.layers.Dense(1)(Scale(0.5)(inputs))
    model = keras.Model(inputs, outputs)
    path = str(tmp_path / "nameless.keras")
    model.save(path)
    keras.layers.Dense(3)  # shift the automatic names before reloading
    restored = keras.models.load_model(path)
    x = np.random.default_rng(0).random((3, 4)).astype("float32")
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0))


def test_layers_held_in_a_get_config_are_serialized_with_it():
    """A layer whose config holds another layer object (Keras's guide: CustomModel with
    first_layer=...): get_config serializes it, from_config rebuilds it."""

    @keras.saving.register_keras_serializable(package="NestedTest")
    class Wrapper(keras.layers.Layer):
        def __init__(self, inner, **kwargs):
            super().__init__(**kwargs)
            self.inner = inner

        def call(self, x):
            return self.inner(x)

        def get_config(self):
            return {**super().get_config(), "inner": self.inner}

        @classmethod
        def from_config(cls, config):
            config["inner"] = keras.layers.deserialize(config["inner"])
            return cls(**config)

    inputs = keras.Input((3,))
    model = keras.Model(inputs, Wrapper(keras.layers.Dense(2))(inputs))
    config = model.get_config()
    wrapped = next(e for e in config["layers"] if e["class_name"] == "Wrapper")
    assert wrapped["config"]["inner"]["class_name"] == "Dense"
    rebuilt = keras.Model.from_config(config)
    assert rebuilt.layers[-1].inner.units == 2


@keras.saving.register_keras_serializable(package="round_trip_compile")
def halved_square_loss(y_true, y_pred):
    return ops.mean(ops.square(y_pred - y_true), axis=-1) / 2.0


@keras.saving.register_keras_serializable(package="round_trip_compile")
class ModelWithCustomCompile(keras.Model):
    """keras-io's saving guide: compile() overridden, its arguments kept as objects."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(2)

    def call(self, inputs):
        return self.dense(inputs)

    def compile(self, optimizer, loss_fn, metrics):
        super().compile(optimizer=optimizer, loss=loss_fn, metrics=metrics)
        self.model_optimizer, self.loss_fn, self.loss_metrics = optimizer, loss_fn, metrics

    def get_compile_config(self):  # returns a function and plain names, not configs
        return {"model_optimizer": self.model_optimizer, "loss_fn": self.loss_fn,
                "metric": self.loss_metrics}

    def compile_from_config(self, config):
        self.compile(optimizer=keras.utils.deserialize_keras_object(config["model_optimizer"]),
                     loss_fn=keras.utils.deserialize_keras_object(config["loss_fn"]),
                     metrics=keras.utils.deserialize_keras_object(config["metric"]))


def test_overridden_compile_config_holding_functions_round_trips(tmp_path):
    model = ModelWithCustomCompile()
    model.compile(optimizer="SGD", loss_fn=halved_square_loss, metrics=["mae"])
    model.fit(X, RNG.random((4, 2)).astype("float32"), verbose=0)
    restored = _reloaded(model, tmp_path)
    assert restored.model_optimizer == "SGD" and restored.loss_metrics == ["mae"]
    assert restored.loss_fn is halved_square_loss
    np.testing.assert_allclose(restored.predict(X, verbose=0), model.predict(X, verbose=0))


def test_deserializing_an_unknown_name_returns_it_as_keras_does():
    assert keras.utils.deserialize_keras_object("SGD") == "SGD"
    assert keras.utils.deserialize_keras_object("round_trip_compile>halved_square_loss") \
        is halved_square_loss
