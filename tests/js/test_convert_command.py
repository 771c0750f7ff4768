"""``fluxion convert model.keras --to tfjs OUT``: a saved model becomes a tfjs layers
model with the same weights; bad input is reported, not raised."""

import json

import numpy as np

import fluxion.js as tfjs
from fluxion import keras
from fluxion.cli import main


def saved_model(tmp_path):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="out")])
    path = tmp_path / "m.keras"
    model.save(path)
    return model, path


def test_convert_to_tfjs_writes_the_model(tmp_path, capsys):
    model, path = saved_model(tmp_path)
    assert main(["convert", str(path), "--to", "tfjs", str(tmp_path / "web")]) == 0
    assert "Wrote tfjs model" in capsys.readouterr().out
    loaded = tfjs.load_keras_model(tmp_path / "web" / "model.json")
    x = np.random.default_rng(0).random((2, 4)).astype(np.float32)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_convert_with_quantization(tmp_path):
    _, path = saved_model(tmp_path)
    assert main(["convert", str(path), "--to", "tfjs", str(tmp_path / "web"),
                 "--quantize", "uint8"]) == 0
    with open(tmp_path / "web" / "model.json", encoding="utf-8") as f:
        entries = json.load(f)["weightsManifest"][0]["weights"]
    assert {e["quantization"]["dtype"] for e in entries} == {"uint8"}


def test_convert_reports_a_missing_file(tmp_path, capsys):
    assert main(["convert", str(tmp_path / "nope.keras"), "--to", "tfjs",
                 str(tmp_path / "web")]) == 2
    assert "no such model file" in capsys.readouterr().err
