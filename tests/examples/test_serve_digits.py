"""examples/serve_digits.py: a trained, exported model served by ``fluxion serve``
answers a TF Serving-style client with model.predict's probabilities."""

import os
import sys

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples"))

from fluxion.testing.model_server import free_port  # noqa: E402


def test_served_predictions_equal_model_predict(capsys):
    import serve_digits

    difference = serve_digits.main(["--epochs", "5", "--port", str(free_port())])
    assert difference < 1e-5
    out = capsys.readouterr().out
    assert '"state": "AVAILABLE"' in out and "served digits:" in out
