"""The ``fluxion.ragged`` namespace (``tf.ragged``)."""

from fluxion.ops.cross_ops import ragged_cross as cross  # noqa: F401
from fluxion.ops.cross_ops import ragged_cross_hashed as cross_hashed  # noqa: F401
from fluxion.ops.ragged_ops import (  # noqa: F401 - re-exported
    boolean_mask,
    constant,
    map_flat_values,
    range,
    row_splits_to_segment_ids,
    segment_ids_to_row_splits,
    stack,
    stack_dynamic_partitions,
)
from fluxion.ops.ragged_tensor import RaggedTensor  # noqa: F401
