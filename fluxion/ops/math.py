"""The ``fluxion.math`` namespace (``tf.math``)."""

from fluxion.ops.clip_ops import *
from fluxion.ops.complex_ops import *
from fluxion.ops.math_ops import *
from fluxion.ops.reduce_ops import *
from fluxion.ops.sort_ops import *
