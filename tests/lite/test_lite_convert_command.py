"""``fluxion convert model.keras --to tflite OUT.tflite``, with the quantization options."""

import numpy as np
import pytest

pytest.importorskip("ai_edge_litert")
pytest.importorskip("tflite")

import lite_harness as harness  # noqa: E402

from fluxion.cli import main  # noqa: E402


@pytest.fixture
def saved(tmp_path):
    model = harness.mlp()
    path = tmp_path / "m.keras"
    model.save(path)
    return model, path


def test_convert_to_tflite(saved, tmp_path, capsys):
    model, path = saved
    out = tmp_path / "m.tflite"
    assert main(["convert", str(path), "--to", "tflite", str(out)]) == 0
    assert "Wrote tflite model" in capsys.readouterr().out
    x = harness.random_inputs(model, 2)[0]
    np.testing.assert_allclose(harness.run_tflite(out.read_bytes(), [x])[0],
                               model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_convert_to_int8_with_representative_data(saved, tmp_path):
    model, path = saved
    samples = tmp_path / "samples.npy"
    np.save(samples, np.random.default_rng(0).uniform(-1, 1, (20, 40)).astype("float32"))
    out = tmp_path / "m.tflite"
    assert main(["convert", str(path), "--to", "tflite", str(out), "--quantize", "int8",
                 "--representative-data", str(samples), "--io-type", "int8"]) == 0
    details = harness.tensor_details(out.read_bytes())
    assert details[0]["dtype"] == np.int8
    x = harness.random_inputs(model, 4)[0]
    got = harness.run_tflite(out.read_bytes(), [x])[0]
    assert np.abs(got - model.predict(x, verbose=0)).max() < 3 / 256


def test_convert_refuses_wrong_options(saved, tmp_path, capsys):
    _, path = saved
    out = str(tmp_path / "m.tflite")
    assert main(["convert", str(path), "--to", "tflite", out, "--quantize", "int8"]) == 1
    assert "--representative-data" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["convert", str(path), "--to", "tflite", out, "--quantize", "uint16"])
    assert "not a tflite option" in capsys.readouterr().err
