"""``tf.io``: TFRecord files, ``tf.train.Example`` parsing, raw decoding, ``gfile``.

``tf.train.Example`` and its sibling messages are in ``fluxion.io.example_proto`` (they
need the optional ``protobuf`` package: ``pip install 'fluxion-ml[protobuf]'``).
"""

from fluxion.io import gfile
from fluxion.io.csv_ops import decode_csv
from fluxion.io.decode import decode_raw
from fluxion.io.file_ops import (
    decode_base64,
    encode_base64,
    match_filenames_once,
    matching_files,
    read_file,
    write_file,
    write_graph,
)
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
from fluxion.ops.image.codec_ops import (  # tf.io holds the image codecs too
    decode_and_crop_jpeg,
    decode_bmp,
    decode_gif,
    decode_image,
    decode_jpeg,
    decode_png,
    decode_webp,
    encode_jpeg,
    encode_png,
    extract_jpeg_shape,
    is_jpeg,
)

__all__ = [
    "decode_base64", "decode_csv", "encode_base64", "match_filenames_once", "matching_files",
    "read_file", "write_file", "write_graph",
    "FixedLenFeature", "FixedLenSequenceFeature", "TFRecordCompressionType", "TFRecordOptions",
    "TFRecordWriter", "VarLenFeature", "decode_raw", "parse_example", "parse_single_example",
    "gfile", "tf_record_iterator",
]
__all__ += [
    "decode_and_crop_jpeg", "decode_bmp", "decode_gif", "decode_image", "decode_jpeg",
    "decode_png", "decode_webp", "encode_jpeg", "encode_png", "extract_jpeg_shape", "is_jpeg",
]
