"""``fluxion convert model.keras --to onnx OUT.onnx``: the saved model becomes an ONNX file
that onnxruntime runs to the model's predictions; bad options are reported."""

import numpy as np
import pytest

from fluxion import keras
from fluxion.cli import main


def test_convert_to_onnx_runs_in_onnxruntime(tmp_path, capsys):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    model.save(tmp_path / "m.keras")
    out = tmp_path / "m.onnx"
    assert main(["convert", str(tmp_path / "m.keras"), "--to", "onnx", str(out)]) == 0
    assert "Wrote onnx model" in capsys.readouterr().out
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(0).random((5, 4)).astype(np.float32)
    got = session.run(None, {session.get_inputs()[0].name: x})[0]
    np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_quantize_is_not_an_onnx_option(tmp_path, capsys):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    model.save(tmp_path / "m.keras")
    with pytest.raises(SystemExit):
        main(["convert", str(tmp_path / "m.keras"), "--to", "onnx", str(tmp_path / "m.onnx"),
              "--quantize", "uint8"])
    assert "not a onnx option" in capsys.readouterr().err
