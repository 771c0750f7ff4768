"""``keras.models.clone_model`` and ``keras.layers.serialize`` / ``deserialize``."""

import numpy as np
import pytest

from fluxion import keras


def _x():
    return np.random.default_rng(0).normal(size=(5, 4)).astype("float32")


def test_clone_sequential_has_new_layers_and_computes_the_same_with_copied_weights():
    model = keras.Sequential([keras.Input((4,), name="start"), keras.layers.Dense(3),
                              keras.layers.Dense(2, activation="tanh")], name="stack")
    clone = keras.models.clone_model(model)
    assert type(clone) is keras.Sequential and clone.name == "stack"
    assert all(a is not b for a, b in zip(clone.layers, model.layers))
    assert [layer.get_config()["units"] for layer in clone.layers] == [3, 2]
    assert clone.input_shape == (None, 4)
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone(_x()).numpy(), model(_x()).numpy(), rtol=1e-6)


def test_clone_functional_keeps_shared_layers_shared():
    inputs = keras.Input((4,))
    shared = keras.layers.Dense(4, name="shared")
    outputs = keras.layers.Dense(1)(shared(shared(inputs)))
    model = keras.Model(inputs, outputs)
    clone = keras.models.clone_model(model)
    assert len(clone.layers) == len(model.layers) == 3
    assert len(clone.weights) == len(model.weights) == 4
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone(_x()).numpy(), model(_x()).numpy(), rtol=1e-5)
    assert clone.get_layer("shared") is not shared


def test_clone_with_clone_function_input_tensors_and_call_function():
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(2)(keras.layers.Dense(3)(inputs)))

    def widen(layer):
        return keras.layers.Dense(layer.units * 2)

    calls = []

    def record(layer, *args, **kwargs):
        calls.append(layer.name)
        return layer(*args, **kwargs)

    new_input = keras.Input((4,), name="new_in")
    clone = keras.models.clone_model(model, input_tensors=new_input, clone_function=widen,
                                     call_function=record)
    assert clone.inputs[0] is new_input
    assert clone.output_shape == (None, 4) and len(calls) == 2


def test_clone_multi_input_functional_model():
    a, b = keras.Input((2,), name="a"), keras.Input((3,), name="b")
    merged = keras.layers.Concatenate()([a, b])
    model = keras.Model([a, b], keras.layers.Dense(1)(merged))
    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    xa, xb = np.ones((2, 2), "float32"), np.ones((2, 3), "float32")
    np.testing.assert_allclose(clone([xa, xb]).numpy(), model([xa, xb]).numpy(), rtol=1e-6)


def test_clone_nested_models_recursively_or_whole():
    inner = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)], name="inner")
    inputs = keras.Input((4,))
    model = keras.Model(inputs, inner(inputs))
    seen = []

    def spy(layer):
        seen.append(type(layer).__name__)
        return type(layer).from_config(layer.get_config())

    keras.models.clone_model(model, clone_function=spy)
    assert seen == ["Sequential"]
    seen.clear()
    keras.models.clone_model(model, clone_function=spy, recursive=True)
    assert seen == ["Dense"]


def test_clone_subclassed_model_from_its_config():
    class Scaled(keras.Model):
        def __init__(self, units=2, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.dense = keras.layers.Dense(units)

        def call(self, x):
            return self.dense(x)

        def get_config(self):
            return {"units": self.units}

    clone = keras.models.clone_model(Scaled(5))
    assert isinstance(clone, Scaled) and clone.units == 5
    with pytest.raises(ValueError, match="subclassed model"):
        keras.models.clone_model(Scaled(5), clone_function=lambda layer: layer)


def test_layers_serialize_and_deserialize_round_trip():
    layer = keras.layers.Dense(3, activation="relu", name="dd")
    config = keras.layers.serialize(layer)
    assert config["class_name"] == "Dense" and config["module"] == "keras.layers"
    again = keras.layers.deserialize(config)
    assert isinstance(again, keras.layers.Dense) and again is not layer
    assert again.get_config() == layer.get_config()
    bare = keras.layers.deserialize({"class_name": "Dropout", "config": {"rate": 0.5}})
    assert isinstance(bare, keras.layers.Dropout) and bare.rate == 0.5


def test_layers_deserialize_user_class_through_custom_objects():
    class Twice(keras.layers.Layer):
        def call(self, x):
            return 2 * x

    config = keras.layers.serialize(Twice(name="twice"))
    restored = keras.layers.deserialize(config, custom_objects={"Twice": Twice})
    assert isinstance(restored, Twice) and restored.name == "twice"
    with pytest.raises(ValueError, match="class_name"):
        keras.layers.deserialize("Dense")
