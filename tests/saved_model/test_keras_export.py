"""Model.export(path) and fluxion.saved_model.load: Keras models served from the directory."""

import os

import numpy as np
import pytest

import fluxion as tf
from fluxion import keras
from fluxion.saved_model import PREDICT_METHOD_NAME


def _mlp():
    keras.utils.set_random_seed(1)
    return keras.Sequential([keras.Input((4,), name="features"),
                             keras.layers.Dense(8, activation="relu"),
                             keras.layers.Dense(3, activation="softmax")])


def test_sequential_export_serving_default_matches_predict(tmp_path, capsys):
    model = _mlp()
    model.export(tmp_path / "m")
    assert "Endpoint 'serve'" in capsys.readouterr().out
    assert tf.saved_model.contains_saved_model(tmp_path / "m")
    assert sorted(os.listdir(tmp_path / "m")) == ["assets", "constants", "saved_model.json",
                                                  "variables"]
    assert sorted(os.listdir(tmp_path / "m" / "variables")) == [
        "variables.data-00000-of-00001", "variables.index"]
    loaded = tf.saved_model.load(tmp_path / "m")
    signature = loaded.signatures["serving_default"]
    assert signature.method_name == PREDICT_METHOD_NAME
    assert signature.structured_input_signature == (
        (), {"features": tf.TensorSpec([None, 4], tf.float32, "features")})
    assert signature.structured_input_signature[1]["features"].name == "features"
    assert signature.structured_outputs == {"output_0": tf.TensorSpec([None, 3], tf.float32)}
    x = np.random.default_rng(0).normal(size=(7, 4)).astype("float32")
    result = signature(features=x)
    assert list(result) == ["output_0"]
    np.testing.assert_allclose(result["output_0"].numpy(), model.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
    # the endpoint, called positionally as Keras' `serve`
    np.testing.assert_allclose(loaded.serve(x).numpy(), result["output_0"].numpy())
    assert len(loaded.variables) == 4 and len(loaded.trainable_variables) == 4
    assert loaded.non_trainable_variables == ()


def test_export_unknown_batch_any_size(tmp_path):
    model = _mlp()
    model.export(tmp_path / "m", verbose=False)
    signature = tf.saved_model.load(tmp_path / "m").signatures["serving_default"]
    for batch in (1, 5, 64):
        x = np.ones((batch, 4), "float32")
        np.testing.assert_allclose(signature(features=x)["output_0"].numpy(),
                                   model.predict(x, verbose=0), rtol=1e-6, atol=1e-6)


def test_functional_dict_inputs_and_dict_outputs(tmp_path):
    inputs = {"a": keras.Input((3,), name="a"), "b": keras.Input((2,), name="b")}
    joined = keras.layers.Concatenate()([inputs["a"], inputs["b"]])
    model = keras.Model(inputs, {"score": keras.layers.Dense(1)(joined),
                                 "probs": keras.layers.Dense(2, activation="softmax")(joined)})
    model.export(tmp_path / "m", verbose=False)
    signature = tf.saved_model.load(tmp_path / "m").signatures["serving_default"]
    assert set(signature.structured_input_signature[1]) == {"a", "b"}
    assert signature.structured_outputs == {"probs": tf.TensorSpec([None, 2]),
                                            "score": tf.TensorSpec([None, 1])}
    a = np.random.rand(4, 3).astype("float32")
    b = np.random.rand(4, 2).astype("float32")
    got = signature(a=a, b=b)
    want = model.predict({"a": a, "b": b}, verbose=0)
    for key in ("score", "probs"):
        np.testing.assert_allclose(got[key].numpy(), want[key], rtol=1e-6, atol=1e-6)


def test_functional_list_inputs_and_outputs_named_as_tf(tmp_path):
    x1, x2 = keras.Input((4,), name="x1"), keras.Input((4,), name="x2")
    model = keras.Model([x1, x2], [keras.layers.Add()([x1, x2]), keras.layers.Dense(1)(x1)])
    model.export(tmp_path / "m", verbose=False)
    signature = tf.saved_model.load(tmp_path / "m").signatures["serving_default"]
    assert set(signature.structured_input_signature[1]) == {"x1", "x2"}
    assert set(signature.structured_outputs) == {"output_0", "output_1"}
    a, b = np.ones((2, 4), "float32"), np.full((2, 4), 2.0, "float32")
    got = signature(x1=a, x2=b)
    want = model.predict([a, b], verbose=0)
    np.testing.assert_allclose(got["output_0"].numpy(), want[0])
    np.testing.assert_allclose(got["output_1"].numpy(), want[1], rtol=1e-6)


def test_subclassed_model_called_once_exports_args_0(tmp_path):
    class Twice(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(3)

        def call(self, x):
            return self.dense(x) * 2.0

    model = Twice()
    x = np.random.rand(2, 5).astype("float32")
    model(x)
    model.export(tmp_path / "m", verbose=False)
    signature = tf.saved_model.load(tmp_path / "m").signatures["serving_default"]
    assert signature.structured_input_signature == (
        (), {"args_0": tf.TensorSpec([None, 5], tf.float32)})
    np.testing.assert_allclose(signature(args_0=x)["output_0"].numpy(), model(x).numpy(),
                               rtol=1e-6)


def test_unbuilt_subclassed_model_refuses_to_export(tmp_path):
    class Plain(keras.Model):
        def call(self, x):
            return x

    with pytest.raises(ValueError, match="never been called"):
        Plain().export(tmp_path / "m", verbose=False)


def test_export_input_signature_names_the_input(tmp_path):
    model = _mlp()
    model.export(tmp_path / "m", verbose=False,
                 input_signature=[tf.TensorSpec([None, 4], tf.float32, name="feat")])
    signature = tf.saved_model.load(tmp_path / "m").signatures["serving_default"]
    assert list(signature.structured_input_signature[1]) == ["feat"]


def test_export_unknown_format_and_argument():
    model = _mlp()
    with pytest.raises(ValueError, match="tf_saved_model"):
        model.export("/tmp/unused", format="pickle")
    with pytest.raises(TypeError, match="unexpected"):
        model.export("/tmp/unused", verbose=False, bogus=1)


def test_signature_input_errors(tmp_path):
    model = _mlp()
    model.export(tmp_path / "m", verbose=False)
    signature = tf.saved_model.load(tmp_path / "m").signatures["serving_default"]
    with pytest.raises(TypeError, match="keyword arguments named \\['features'\\]"):
        signature(np.ones((1, 4), "float32"), np.ones((1, 4), "float32"))
    # one input: also positionally, as in TF
    np.testing.assert_allclose(signature(np.ones((1, 4), "float32"))["output_0"].numpy(),
                               signature(features=np.ones((1, 4), "float32"))["output_0"])
    with pytest.raises(TypeError, match="missing \\['features'\\]"):
        signature(other=np.ones((1, 4), "float32"))
    with pytest.raises(tf.errors.InvalidArgumentError, match="expects shape \\(None, 4\\)"):
        signature(features=np.ones((1, 5), "float32"))
    with pytest.raises(tf.errors.InvalidArgumentError, match="float32 tensor, got a int32"):
        signature(features=tf.constant([[1, 2, 3, 4]]))
    # arrays and lists are converted, as TensorFlow converts them
    as_list = signature(features=[[1.0, 2.0, 3.0, 4.0]])["output_0"]
    as_f64 = signature(features=np.array([[1.0, 2.0, 3.0, 4.0]]))["output_0"]
    np.testing.assert_allclose(as_list.numpy(), as_f64.numpy())


def test_saved_model_save_of_a_keras_model(tmp_path):
    model = _mlp()
    tf.saved_model.save(model, tmp_path / "m")
    loaded = tf.saved_model.load(tmp_path / "m")
    x = np.random.rand(3, 4).astype("float32")
    np.testing.assert_allclose(loaded.signatures["serving_default"](features=x)["output_0"],
                               model.predict(x, verbose=0), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(loaded.serve(x).numpy(), model.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)


def test_model_around_a_reloaded_layer_exports_again(tmp_path):
    model = _mlp()
    model.export(tmp_path / "first", verbose=False)
    inputs = keras.Input((4,), name="again")
    outer = keras.Model(inputs, keras.layers.TFSMLayer(str(tmp_path / "first"))(inputs) * 2.0)
    outer.export(tmp_path / "second", verbose=False)
    signature = tf.saved_model.load(tmp_path / "second").signatures["serving_default"]
    x = np.random.rand(2, 4).astype("float32")
    np.testing.assert_allclose(signature(again=x)["output_0"].numpy(),
                               2.0 * model.predict(x, verbose=0), rtol=1e-6, atol=1e-6)


def test_concurrent_calls_from_threads(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    model = _mlp()
    model.export(tmp_path / "m", verbose=False)
    signature = tf.saved_model.load(tmp_path / "m").signatures["serving_default"]
    rng = np.random.default_rng(5)
    batches = [rng.normal(size=(1 + i % 7, 4)).astype("float32") for i in range(64)]
    wants = [model.predict(b, verbose=0) for b in batches]
    with ThreadPoolExecutor(8) as pool:
        gots = list(pool.map(lambda b: signature(features=b)["output_0"].numpy(), batches))
    for got, want in zip(gots, wants):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
