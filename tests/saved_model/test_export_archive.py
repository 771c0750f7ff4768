"""keras.export.ExportArchive: chosen endpoints, each a function and a signature; variable
collections; variable lists of a Module restored as lists."""

import numpy as np
import pytest

import fluxion as tf
from fluxion import keras


def _model():
    keras.utils.set_random_seed(8)
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                             keras.layers.Dropout(0.5), keras.layers.Dense(2)])


def test_two_endpoints_and_a_variable_collection(tmp_path, capsys):
    model = _model()
    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint("call_inference", lambda x: model(x, training=False),
                         input_signature=[keras.InputSpec(shape=(None, 3), dtype="float32")])
    archive.add_endpoint("double", lambda x: model(x, training=False) * 2.0,
                         input_signature=[tf.TensorSpec([None, 3], tf.float32, name="feats")])
    archive.add_variable_collection("kernels", [model.layers[0].kernel,
                                                model.layers[2].kernel])
    assert archive.endpoint_names == ["call_inference", "double"]
    archive.write_out(tmp_path / "m")
    assert "'call_inference', 'double'" in capsys.readouterr().out
    loaded = tf.saved_model.load(tmp_path / "m")
    x = np.random.rand(5, 3).astype("float32")
    want = model.predict(x, verbose=0)
    np.testing.assert_allclose(loaded.call_inference(x).numpy(), want, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(loaded.double(x).numpy(), 2 * want, rtol=1e-6, atol=1e-6)
    assert sorted(loaded.signatures) == ["call_inference", "double", "serving_default"]
    default = loaded.signatures["serving_default"]
    np.testing.assert_allclose(default(x=x)["output_0"].numpy(), want, rtol=1e-6, atol=1e-6)
    assert list(loaded.signatures["double"].structured_input_signature[1]) == ["feats"]
    assert isinstance(loaded.kernels, list) and len(loaded.kernels) == 2
    np.testing.assert_allclose(loaded.kernels[0].numpy(), model.layers[0].kernel.numpy())
    assert len(loaded.variables) == 4  # the tracked model's weights


def test_track_and_add_endpoint_and_errors(tmp_path):
    model = _model()
    archive = keras.export.ExportArchive()
    archive.track_and_add_endpoint("serve", model,
                                   [keras.InputSpec(shape=(None, 3), dtype="float32")])
    with pytest.raises(ValueError, match="already taken"):
        archive.add_endpoint("serve", model.call,
                             input_signature=[tf.TensorSpec([None, 3])])
    with pytest.raises(ValueError, match="input_signature"):
        archive.add_endpoint("other", model.call)
    with pytest.raises(ValueError, match="Keras layer or model"):
        archive.track(object())
    archive.write_out(tmp_path / "m", verbose=False)
    loaded = tf.saved_model.load(tmp_path / "m")
    x = np.ones((2, 3), "float32")
    np.testing.assert_allclose(loaded.serve(x).numpy(), model.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="No endpoints"):
        keras.export.ExportArchive().write_out(tmp_path / "none")


def test_module_variable_list_is_restored_as_a_list(tmp_path):
    class Stack(tf.Module):
        def __init__(self):
            super().__init__()
            self.weights_list = [tf.Variable(1.0), tf.Variable(2.0)]

        @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
        def __call__(self, x):
            return x * self.weights_list[0] + self.weights_list[1]

    tf.saved_model.save(Stack(), tmp_path / "m")
    loaded = tf.saved_model.load(tmp_path / "m")
    assert [float(v.numpy()) for v in loaded.weights_list] == [1.0, 2.0]
    assert float(loaded(tf.constant(3.0)).numpy()) == 5.0
    tf.saved_model.save(loaded, tmp_path / "again")
    again = tf.saved_model.load(tmp_path / "again")
    assert [float(v.numpy()) for v in again.weights_list] == [1.0, 2.0]
