"""The ``fluxion.math`` namespace (``tf.math``)."""

from fluxion.ops.clip_ops import *
from fluxion.ops.complex_ops import *
from fluxion.ops.math_extra import *
from fluxion.ops.math_ops import *
from fluxion.ops.reduce_ops import *
from fluxion.ops.segment_ops import *
from fluxion.ops.sort_ops import *
from fluxion.ops.special_math_ops import *
