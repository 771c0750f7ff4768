"""``import fluxion`` loads no optional package: bfloat16's ml_dtypes waits for first use."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_import_loads_no_optional_package():
    out = _run("""
        import sys
        import fluxion
        heavy = ("ml_dtypes", "onnx", "tensorboard", "h5py", "google.protobuf", "scipy")
        print(sorted(name for name in heavy if name in sys.modules))
    """)
    assert out == "[]"


def test_bfloat16_loads_ml_dtypes_when_first_used():
    pytest.importorskip("ml_dtypes")
    out = _run("""
        import sys
        import numpy as np
        import fluxion as tf
        print(tf.bfloat16.is_floating, "ml_dtypes" in sys.modules)
        x = tf.cast(tf.constant([1.0, 2.5]), tf.bfloat16)
        print(x.dtype.name, x.numpy().dtype.name, "ml_dtypes" in sys.modules)
        import ml_dtypes
        array = np.array([1, 2], ml_dtypes.bfloat16)
        print(tf.as_dtype(array.dtype) is tf.bfloat16, tf.constant(array).dtype.name)
    """)
    assert out.splitlines() == ["True False", "bfloat16 bfloat16 True", "True bfloat16"]


def test_an_ml_dtypes_array_is_known_before_bfloat16_was_touched():
    pytest.importorskip("ml_dtypes")
    out = _run("""
        import numpy as np
        import ml_dtypes
        import fluxion as tf
        print(tf.constant(np.array([1, 2], ml_dtypes.bfloat16)).dtype.name)
    """)
    assert out == "bfloat16"
