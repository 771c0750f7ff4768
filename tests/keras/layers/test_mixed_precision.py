"""Mixed precision: a ``mixed_float16`` layer stores float32 weights and computes in
float16, reading its float weights as float16 inside ``call`` (Keras's autocasting);
weights created with ``autocast=False`` (normalization statistics) stay float32."""

import numpy as np
import pytest

from fluxion import keras

rng = np.random.default_rng(0)


@pytest.mark.parametrize("make", [
    lambda **k: keras.layers.Dense(3, activation="relu", **k),
    lambda **k: keras.layers.Conv1D(3, 2, **k),
    lambda **k: keras.layers.LSTM(3, return_sequences=True, go_backwards=True, **k),
    lambda **k: keras.layers.GRU(3, return_sequences=True, **k),
    lambda **k: keras.layers.SimpleRNN(3, **k),
])
def test_layer_computes_in_float16_with_float32_weights(make):
    x = rng.standard_normal((4, 5, 2)).astype("float32")
    mixed, full = make(dtype=keras.DTypePolicy("mixed_float16")), make()
    want = full(x)
    mixed.build(x.shape)
    mixed.set_weights(full.get_weights())
    got = mixed(x)
    assert got.dtype == "float16"
    assert all(w.dtype == "float32" for w in mixed.weights)
    np.testing.assert_allclose(np.asarray(got, np.float32), np.asarray(want), rtol=1e-2,
                               atol=5e-3)


def test_mixed_model_trains_and_keeps_float32_weights():
    x = rng.standard_normal((64, 6, 3)).astype("float32")
    y = (x.sum(axis=(1, 2)) > 0).astype("int32")
    model = keras.Sequential([
        keras.Input((6, 3)),
        keras.layers.LSTM(8, dtype="mixed_float16"),
        keras.layers.BatchNormalization(dtype="mixed_float16"),
        keras.layers.Dense(2, activation="softmax", dtype="float32"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert all(w.dtype == "float32" for w in model.weights)
    assert model.layers[0](x).dtype == "float16"
    assert model.predict(x, verbose=0).dtype == np.float32
