"""The ``fluxion.linalg`` namespace (``tf.linalg``)."""

from fluxion.ops.linalg_decompositions import *
from fluxion.ops.linalg_extra import *
from fluxion.ops.linalg_ops import *
from fluxion.ops.linear_operator import *
