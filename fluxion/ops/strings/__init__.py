"""The ``fluxion.strings`` namespace (``tf.strings``): string tensors are NumPy object
arrays of ``bytes``."""

from fluxion.ops.strings.basic_ops import *
from fluxion.ops.strings.format_ops import *
from fluxion.ops.strings.row_ops import *
