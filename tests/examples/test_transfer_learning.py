"""The transfer-learning example runs both phases and learns."""

import importlib.util
import os

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "transfer_learning.py")


def test_frozen_base_then_fine_tuning_learns(capsys):
    spec = importlib.util.spec_from_file_location("transfer_learning", EXAMPLE)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    head_only, tuned = example.main(weights="none", epochs=2, verbose=0)
    printed = capsys.readouterr().out
    assert "frozen base, new head" in printed and "after fine-tuning" in printed
    assert head_only > 0.5 and tuned > 0.5  # 5 classes: chance is 0.2
