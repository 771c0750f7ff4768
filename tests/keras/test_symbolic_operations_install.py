"""keras.ops installs itself with KerasTensor and serialization (both below it).

Each check runs in a fresh interpreter, where keras.ops has not been imported yet: the
operators on KerasTensors and a saved model holding operations must still work.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_operators_on_keras_tensors_load_keras_ops():
    out = _run("""
        import sys
        from fluxion.keras.layers import Input
        x = Input((3,))
        assert "fluxion.keras.ops" not in sys.modules
        y = (x + 1.0) * x
        print(type(y).__name__, y.shape, "fluxion.keras.ops" in sys.modules)
    """)
    assert out == "KerasTensor (None, 3) True"


def test_a_saved_model_with_operations_loads_before_keras_ops(tmp_path):
    path = tmp_path / "m.keras"
    _run(f"""
        from fluxion import keras
        x = keras.Input((3,))
        keras.Model(x, keras.layers.Dense(2)(x) * 2.0).save({str(path)!r})
    """)
    out = _run(f"""
        import sys
        from fluxion.keras.saving import load_model
        model = load_model({str(path)!r})
        import numpy as np
        ones = np.ones((1, 3), "float32")
        dense = [layer for layer in model.layers if type(layer).__name__ == "Dense"][0]
        print(np.allclose(model(ones).numpy(), 2.0 * dense(ones).numpy()),
              "fluxion.keras.ops" in sys.modules)
    """)
    assert out == "True True"
