"""keras.layers.TFSMLayer: an exported model reloaded as a layer, used in a new model,
fine-tuned, and refused by safe-mode deserialization as Keras refuses it."""

import numpy as np
import pytest

from fluxion import keras


@pytest.fixture
def exported(tmp_path):
    keras.utils.set_random_seed(7)
    model = keras.Sequential([keras.Input((4,), name="features"),
                              keras.layers.Dense(5, activation="relu"),
                              keras.layers.BatchNormalization(), keras.layers.Dense(2)])
    model.export(tmp_path / "m", verbose=False)
    return model, str(tmp_path / "m")


def test_serve_endpoint_matches_the_model(exported):
    model, path = exported
    layer = keras.layers.TFSMLayer(path)
    x = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
    np.testing.assert_allclose(layer(x).numpy(), model.predict(x, verbose=0), rtol=1e-5,
                               atol=1e-6)
    assert len(layer.weights) == len(model.weights) == 8
    assert len(layer.trainable_weights) == 6 and len(layer.non_trainable_weights) == 2


def test_signature_endpoint_returns_a_dict(exported):
    model, path = exported
    layer = keras.layers.TFSMLayer(path, call_endpoint="serving_default")
    x = np.ones((2, 4), "float32")
    out = layer(x)
    assert list(out) == ["output_0"]
    np.testing.assert_allclose(out["output_0"].numpy(), model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_unknown_endpoint(exported):
    _, path = exported
    with pytest.raises(ValueError, match="The endpoint 'nope' is neither"):
        keras.layers.TFSMLayer(path, call_endpoint="nope")


def test_inside_a_functional_model_predict_and_fit(exported):
    model, path = exported
    inputs = keras.Input((4,))
    reloaded = keras.layers.TFSMLayer(path)
    outputs = keras.layers.Dense(1)(reloaded(inputs))
    wrapper = keras.Model(inputs, outputs)
    x = np.random.default_rng(1).normal(size=(16, 4)).astype("float32")
    y = np.random.default_rng(2).normal(size=(16, 1)).astype("float32")
    head = wrapper.layers[-1]
    want = model.predict(x, verbose=0) @ head.kernel.numpy() + head.bias.numpy()
    np.testing.assert_allclose(wrapper.predict(x, verbose=0), want, rtol=1e-5, atol=1e-5)
    before = [w.numpy().copy() for w in reloaded.trainable_weights]
    wrapper.compile(optimizer="sgd", loss="mse")
    first = wrapper.evaluate(x, y, verbose=0)
    wrapper.fit(x, y, epochs=5, verbose=0)
    assert wrapper.evaluate(x, y, verbose=0) < first
    # the reloaded weights were fine-tuned too
    assert any(not np.allclose(b, w.numpy()) for b, w in zip(before,
                                                               reloaded.trainable_weights))


def test_not_trainable_keeps_weights(exported):
    _, path = exported
    reloaded = keras.layers.TFSMLayer(path, trainable=False)
    assert reloaded.trainable_weights == []


def test_config_and_safe_mode(exported):
    _, path = exported
    layer = keras.layers.TFSMLayer(path, name="reloaded")
    config = layer.get_config()
    assert config["filepath"] == path and config["call_endpoint"] == "serve"
    assert config["call_training_endpoint"] is None
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.layers.TFSMLayer.from_config(config)
    again = keras.layers.TFSMLayer.from_config(config, safe_mode=False)
    x = np.ones((1, 4), "float32")
    np.testing.assert_allclose(again(x).numpy(), layer(x).numpy())
