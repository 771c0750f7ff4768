"""A trained digits classifier through every TFLite mode: the argmax of LiteRT's
outputs agrees with ``model.predict`` on the held-out digits, and int8 files are about
a quarter of the float32 one."""

import numpy as np
import pytest

pytest.importorskip("ai_edge_litert")
pytest.importorskip("tflite")

import lite_harness as harness  # noqa: E402

import fluxion as tf  # noqa: E402
from fluxion import keras  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = (x_train[..., None] / 16.0).astype("float32")
    x_test = (x_test[..., None] / 16.0).astype("float32")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((8, 8, 1)),
        keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=8, batch_size=32, verbose=0)
    return model, x_train, x_test, y_test


def _convert(model, x_train, mode):
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if mode != "float32":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if mode == "float16":
        converter.target_spec.supported_types = [tf.float16]
    if mode in ("int8", "int8_io"):
        converter.representative_dataset = lambda: ([x[None]] for x in x_train[:200])
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    if mode == "int8_io":
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    return converter.convert()


def test_digits_in_every_mode(digits):
    model, x_train, x_test, y_test = digits
    want = model.predict(x_test, verbose=0)
    assert np.mean(want.argmax(1) == y_test) > 0.9  # the model did learn
    sizes = {}
    for mode in ("float32", "dynamic_range", "float16", "int8", "int8_io"):
        content = _convert(model, x_train, mode)
        sizes[mode] = len(content)
        got = harness.run_tflite(content, [x_test])[0]
        agreement = np.mean(got.argmax(1) == want.argmax(1))
        error = float(np.abs(got - want).max())
        if mode == "float32":
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
        elif mode == "float16":
            assert error < 1e-2
        assert agreement >= 0.97, (mode, agreement)
    assert sizes["int8"] < 0.3 * sizes["float32"]
    assert sizes["dynamic_range"] < 0.35 * sizes["float32"]
    assert sizes["float16"] < 0.55 * sizes["float32"]
