"""The engine core: dtypes, Tensor, Variable, primitives and bind, the tape, errors.

Importing this package loads every primitive family and installs the Tensor operators.
"""

import warnings

from fluxion import backend
from fluxion.core import (
    dtypes,
    errors,
    primitive,
    tensor_operators,  # noqa: F401,E402  (installs operators)
)
from fluxion.core.primitives import (  # noqa: F401  (registers the primitives)
    activation,
    broadcast,
    decompositions,
    elementwise,
    gather_scatter,
    indexing,
    layout,
    linalg,
    random,
    reduce,
    shape,
)

# Activating a backend points every primitive at its kernels (the backend cannot import
# core, which sits above it).
backend.on_activate(lambda active: primitive.rebind_kernels(active.kernels))

# Like TensorFlow, kernels produce inf/NaN silently rather than printing NumPy's
# floating-point warnings.  The filter matches only warnings raised from Fluxion's own
# kernel call sites, and costs nothing when no warning is raised.
warnings.filterwarnings(
    "ignore", message=r"(overflow|divide by zero|invalid value|underflow) encountered",
    category=RuntimeWarning, module=r"fluxion\.")
