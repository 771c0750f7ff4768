"""``tf.io``: TFRecord files, ``tf.train.Example`` parsing, raw decoding.

``tf.train.Example`` and its sibling messages are in ``fluxion.io.example_proto`` (they
need the optional ``protobuf`` package: ``pip install 'fluxion-ml[protobuf]'``).
"""

from fluxion.io.decode import decode_raw
from fluxion.io.parsing import (
    FixedLenFeature,
    FixedLenSequenceFeature,
    SparseTensorValue,
    VarLenFeature,
    parse_example,
    parse_single_example,
)
from fluxion.io.tfrecord import (
    TFRecordCompressionType,
    TFRecordOptions,
    TFRecordWriter,
    tf_record_iterator,
)

__all__ = [
    "FixedLenFeature", "FixedLenSequenceFeature", "TFRecordCompressionType", "TFRecordOptions",
    "TFRecordWriter", "VarLenFeature", "decode_raw", "parse_example", "parse_single_example",
    "tf_record_iterator",
]
