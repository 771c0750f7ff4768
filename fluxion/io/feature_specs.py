"""The feature specs of ``tf.io.parse_example``: ``FixedLenFeature``, ``VarLenFeature``,
``FixedLenSequenceFeature`` (plain records, shared by the parser and the composite
features built on it)."""

from __future__ import annotations

from typing import Any, NamedTuple


class FixedLenFeature(NamedTuple):
    """A dense input feature of a fixed shape (``tf.io.FixedLenFeature``).

    Args:
      shape: the shape of the feature in one example.
      dtype: ``float32``, ``int64`` or ``string``.
      default_value: used when an example lacks the feature; None makes it required.
    """

    shape: Any
    dtype: Any
    default_value: Any = None


class VarLenFeature(NamedTuple):
    """A feature of variable length, parsed into a sparse tensor (``tf.io.VarLenFeature``)."""

    dtype: Any


class FixedLenSequenceFeature(NamedTuple):
    """Rows of a fixed shape, as many as each example holds (``tf.io.FixedLenSequenceFeature``).

    Args:
      shape: the shape of one row.
      dtype: ``float32``, ``int64`` or ``string``.
      allow_missing: must be True (as in TensorFlow): a missing feature gives no rows.
      default_value: the padding value in a batch (zero or ``b""`` by default).
    """

    shape: Any
    dtype: Any
    allow_missing: bool = False
    default_value: Any = None
