"""``fluxion.nest``: nested structures of tensors (``tf.nest``)."""

from fluxion.core.nest import flatten, is_nested, map_structure, pack_sequence_as  # noqa: F401
