"""The README's main job trains to a useful accuracy (a short run)."""

import importlib.util
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_train_digits_learns(capsys):
    spec = importlib.util.spec_from_file_location(
        "train_digits_eager", os.path.join(ROOT, "examples", "train_digits_eager.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    accuracy = module.train(epochs=3, batch_size=32, learning_rate=0.5, hidden=32)
    output = capsys.readouterr().out
    assert "Epoch  3/3" in output and "Test accuracy" in output
    assert accuracy > 0.85
