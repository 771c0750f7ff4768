"""The engine core: dtypes, Tensor, Variable, primitives and bind, the tape, errors.

Importing this package loads every primitive family and installs the Tensor operators.
"""

from fluxion.core import dtypes, errors
from fluxion.core.primitives import (  # noqa: F401  (registers the primitives)
    broadcast,
    elementwise,
    indexing,
    linalg,
    reduce,
    shape,
)
from fluxion.core import tensor_operators  # noqa: F401,E402  (installs operators)
