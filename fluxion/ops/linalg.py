"""The ``fluxion.linalg`` namespace (``tf.linalg``)."""

from fluxion.ops.linalg_ops import *
