"""``tf.io``: TFRecord files, ``tf.train.Example`` and ``SequenceExample`` parsing, CSV,
base64 and compressed strings, serialized tensors and protos, whole files, ``gfile``.

``tf.train.Example`` and its sibling messages are in ``fluxion.io.example_proto`` (they
need the optional ``protobuf`` package: ``pip install 'fluxion-ml[protobuf]'``).
"""

from fluxion.io import gfile
from fluxion.io.composite_features import RaggedFeature, SparseFeature
from fluxion.io.csv_fields import decode_csv
from fluxion.io.decode import decode_raw
from fluxion.io.file_ops import match_filenames_once, matching_files, read_file, write_file
from fluxion.io.graph_files import write_graph
from fluxion.io.parsing import (
    FixedLenFeature,
    FixedLenSequenceFeature,
    VarLenFeature,
    parse_example,
    parse_single_example,
)
from fluxion.io.proto_codec import decode_proto, encode_proto
from fluxion.io.sequence_parsing import parse_sequence_example, parse_single_sequence_example
from fluxion.io.string_codecs import (
    decode_base64,
    decode_compressed,
    decode_json_example,
    encode_base64,
)
from fluxion.io.tensor_serialization import (
    deserialize_many_sparse,
    parse_tensor,
    serialize_many_sparse,
    serialize_sparse,
    serialize_tensor,
)
from fluxion.io.tfrecord import (
    TFRecordCompressionType,
    TFRecordOptions,
    TFRecordWriter,
    tf_record_iterator,
)
from fluxion.ops.image.codec_ops import (  # tf.io holds the image codecs too
    decode_and_crop_jpeg,
    decode_bmp,
    decode_gif,
    decode_image,
    decode_jpeg,
    decode_jxl,
    decode_png,
    decode_webp,
    encode_jpeg,
    encode_png,
    extract_jpeg_shape,
    is_jpeg,
)
from fluxion.ops.sparse_tensor import SparseTensorValue

__all__ = [
    "FixedLenFeature", "FixedLenSequenceFeature", "TFRecordCompressionType", "TFRecordOptions",
    "TFRecordWriter", "VarLenFeature", "decode_raw", "parse_example", "parse_single_example",
    "gfile", "tf_record_iterator",
]
__all__ += [
    "RaggedFeature", "SparseFeature", "decode_base64", "decode_compressed", "decode_csv",
    "decode_json_example", "decode_proto", "deserialize_many_sparse", "encode_base64",
    "encode_proto", "match_filenames_once", "matching_files", "parse_sequence_example",
    "parse_single_sequence_example", "parse_tensor", "read_file", "serialize_many_sparse",
    "serialize_sparse", "serialize_tensor", "write_file", "write_graph",
]
__all__ += [
    "decode_and_crop_jpeg", "decode_bmp", "decode_gif", "decode_image", "decode_jxl",
    "decode_jpeg",
    "decode_png", "decode_webp", "encode_jpeg", "encode_png", "extract_jpeg_shape", "is_jpeg",
]
