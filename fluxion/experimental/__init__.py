"""``tf.experimental``: namespaces TensorFlow marks experimental.

``numpy`` (NumPy's API on Fluxion tensors) is imported on first use, so ``import
fluxion`` does not pay for its many modules; ``Optional`` is ``fluxion.data``'s.
"""

import importlib as _importlib


def __getattr__(name):
    if name == "numpy":
        module = _importlib.import_module("fluxion.experimental.numpy")
        globals()[name] = module
        return module
    if name == "Optional":  # tf.experimental.Optional lives with the input pipelines
        from fluxion.data.optional import Optional

        return Optional
    raise AttributeError(f"module 'fluxion.experimental' has no attribute {name!r}")

