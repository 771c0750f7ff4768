"""The ``fluxion.nn`` namespace (``tf.nn``)."""

from fluxion.ops.attention_ops import *
from fluxion.ops.conv_ops import *
from fluxion.ops.ctc_ops import *
from fluxion.ops.dropout_ops import *
from fluxion.ops.fractional_pool_ops import *
from fluxion.ops.morphology_ops import *
from fluxion.ops.nn_extra import *
from fluxion.ops.nn_more import *
from fluxion.ops.nn_ops import *
from fluxion.ops.pool_ops import *
from fluxion.ops.random_candidates import *
