"""``keras.ops.nn``: activations, convolutions, pooling, losses, normalizations."""

from fluxion.keras.ops.nn_conv_ops import *  # noqa: F403
from fluxion.keras.ops.nn_ops import *  # noqa: F403
