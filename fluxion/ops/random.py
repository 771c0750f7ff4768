"""The ``fluxion.random`` namespace (``tf.random``)."""

from fluxion.ops.random_ops import *
