"""``tf.experimental``: namespaces TensorFlow marks experimental.

``numpy`` (NumPy's API on Fluxion tensors) is imported on first use, so ``import
fluxion`` does not pay for its many modules.
"""

import importlib as _importlib


def __getattr__(name):
    if name == "numpy":
        module = _importlib.import_module("fluxion.experimental.numpy")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'fluxion.experimental' has no attribute {name!r}")

