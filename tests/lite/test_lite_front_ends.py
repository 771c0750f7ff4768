"""The converter's other front ends: ``Model.export(format="litert")`` (Keras 3's
spelling) and ``TFLiteConverter.from_saved_model``."""

import numpy as np
import pytest

pytest.importorskip("ai_edge_litert")
pytest.importorskip("tflite")

import lite_harness as harness  # noqa: E402

import fluxion as tf  # noqa: E402


def test_model_export_litert(tmp_path):
    model = harness.mlp()
    path = tmp_path / "model.tflite"
    model.export(path, format="litert")
    x = harness.random_inputs(model, 3)[0]
    got = harness.run_tflite(path.read_bytes(), [x])[0]
    np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_model_export_litert_passes_converter_options(tmp_path):
    model = harness.mlp()
    path = tmp_path / "model.tflite"
    model.export(path, format="litert", optimizations=[tf.lite.Optimize.DEFAULT],
                 target_spec={"supported_types": [tf.float16]})
    assert "DEQUANTIZE" in harness.operator_names(path.read_bytes())
    with pytest.raises(ValueError, match="Unknown converter attribute 'quantize_please'"):
        model.export(path, format="litert", quantize_please=True)
    with pytest.raises(ValueError, match=r"'\.tflite'"):
        model.export(tmp_path / "model.bin", format="litert")


def test_model_export_litert_with_input_signature(tmp_path):
    model = harness.mlp()
    path = tmp_path / "fixed.tflite"
    model.export(path, format="litert",
                 input_signature=[tf.TensorSpec([2, 40], tf.float32)])
    [detail] = harness.tensor_details(path.read_bytes())[:1]
    x = harness.random_inputs(model, 2)[0]
    got = harness.run_tflite(path.read_bytes(), [x], resize=False)[0]
    np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    assert detail["shape_signature"].tolist() == [2, 40]


def test_from_saved_model(tmp_path):
    saved_model = pytest.importorskip("fluxion.saved_model")
    model = harness.convnet()
    directory = str(tmp_path / "saved")
    saved_model.save(model, directory)
    content = tf.lite.TFLiteConverter.from_saved_model(directory).convert()
    x = harness.random_inputs(model, 2)[0]
    got = harness.run_tflite(content, [x])[0]
    np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    assert "CONV_2D" in harness.operator_names(content)


class _Subclassed(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = tf.keras.layers.Dense(8, activation="relu")
        self.out = tf.keras.layers.Dense(2)

    def call(self, x):
        return self.out(self.hidden(x))


def test_subclassed_model_converts_with_an_open_batch():
    model = _Subclassed()
    model(np.zeros((3, 5), np.float32))  # built by a call: batch 3 is not kept
    content = tf.lite.TFLiteConverter.from_keras_model(model).convert()
    x = np.random.default_rng(0).normal(size=(4, 5)).astype(np.float32)
    np.testing.assert_allclose(harness.run_tflite(content, [x])[0],
                               model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_unbuilt_model_is_refused():
    with pytest.raises(ValueError, match="no input shape yet"):
        tf.lite.TFLiteConverter.from_keras_model(_Subclassed())
