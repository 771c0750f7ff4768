"""``keras.ops.numpy``: the NumPy-named ops (also flat in ``keras.ops``)."""

from fluxion.keras.ops.core_ops import size  # noqa: F401 - keras.ops.numpy.size
from fluxion.keras.ops.numpy_creation import *  # noqa: F403
from fluxion.keras.ops.numpy_math import *  # noqa: F403
from fluxion.keras.ops.numpy_products import *  # noqa: F403
from fluxion.keras.ops.numpy_reduce import *  # noqa: F403
from fluxion.keras.ops.numpy_shape import *  # noqa: F403
