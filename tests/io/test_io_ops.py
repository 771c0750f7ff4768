"""``tf.io`` ops beyond TFRecords: serialized tensors, base64, compressed strings, CSV,
JSON examples, sequence examples, sparse/ragged features, protos, files, graphs.

Most expectations come from ``fixtures/io_ops.json``, written by real TensorFlow with
``fixtures/make_io_ops_fixture.py``; the rest are round trips and NumPy checks.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import zlib

import numpy as np
import pytest

import fluxion as tf

pytest.importorskip("google.protobuf")

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "fixtures", "io_ops.json")) as _handle:
    FIXTURE = json.load(_handle)
OUT = FIXTURE["outputs"]
EXAMPLES = [base64.b64decode(e) for e in FIXTURE["inputs"]["examples"]]
SEQUENCES = [base64.b64decode(s) for s in FIXTURE["inputs"]["sequences"]]


def decode(form):
    """The NumPy value (or nested structure) a fixture entry describes."""
    if "sparse" in form:
        return ("sparse", [decode(part) for part in form["sparse"]])
    if "ragged" in form:
        return ("ragged", [decode(s) for s in form["ragged"]], decode(form["flat_values"]))
    if "dict" in form:
        return {k: decode(v) for k, v in form["dict"].items()}
    if "list" in form:
        return [decode(v) for v in form["list"]]
    if form["dtype"] == "string":
        array = np.empty(len(form["values"]), dtype=object)
        array[:] = [base64.b64decode(v) for v in form["values"]]
        return array.reshape(form["shape"])
    values = np.asarray(form["values"])
    if form["dtype"].startswith("complex"):
        values = values[:, 0] + 1j * values[:, 1]
    return values.astype(form["dtype"]).reshape(form["shape"])


def check(got, want):
    if isinstance(want, tuple) and want[0] == "sparse":
        for got_part, want_part in zip((got.indices, got.values, got.dense_shape), want[1]):
            check(got_part, want_part)
        return
    if isinstance(want, tuple) and want[0] == "ragged":
        assert len(got.nested_row_splits) == len(want[1])
        for got_splits, want_splits in zip(got.nested_row_splits, want[1]):
            check(got_splits, want_splits)
        check(got.flat_values, want[2])
        return
    if isinstance(want, dict):
        assert sorted(got) == sorted(want)
        for key in want:
            check(got[key], want[key])
        return
    if isinstance(want, list):
        assert len(got) == len(want)
        for got_item, want_item in zip(got, want):
            check(got_item, want_item)
        return
    raw = got.numpy() if hasattr(got, "numpy") else got
    if isinstance(raw, bytes):  # NumPy's bytes dtype would drop trailing NUL bytes
        assert want.shape == () and raw == want.item()
        return
    array = np.asarray(raw)
    if want.dtype == object:
        array = np.asarray(array, dtype=object).reshape(want.shape)
        assert array.tolist() == want.tolist()
        return
    assert array.dtype == want.dtype, (array.dtype, want.dtype)
    np.testing.assert_array_equal(array, want)


def _tensor(form):
    value = decode(form)
    return tf.constant(value, dtype=tf.string if value.dtype == object else None)


@pytest.mark.parametrize("key", sorted(OUT["serialize_tensor"]))
def test_serialize_tensor_writes_tensorflows_bytes(key):
    tensor = _tensor(OUT["tensors"][key])
    check(tf.io.serialize_tensor(tensor), decode(OUT["serialize_tensor"][key]))


@pytest.mark.parametrize("key", sorted(OUT["serialize_tensor"]))
def test_parse_tensor_reads_tensorflows_bytes(key):
    want = decode(OUT["tensors"][key])
    serialized = decode(OUT["serialize_tensor"][key]).item()
    dtype = tf.string if want.dtype == object else tf.as_dtype(want.dtype)
    check(tf.io.parse_tensor(serialized, dtype), want)


def test_parse_tensor_checks_the_dtype():
    with pytest.raises(tf.errors.InvalidArgumentError, match="float32.*int32|requested"):
        tf.io.parse_tensor(tf.io.serialize_tensor(tf.constant([1.0])), tf.int32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="TensorProto"):
        tf.io.parse_tensor(b"\xff\xff\xff", tf.float32)


def test_serialized_sparse_tensors_match_tensorflow():
    sparse = tf.SparseTensor([[0, 1], [2, 0]], tf.constant([1.5, 2.5]), [3, 4])
    check(tf.io.serialize_sparse(sparse), decode(OUT["serialize_sparse"]))
    many = tf.io.serialize_many_sparse(sparse)
    check(many, decode(OUT["serialize_many_sparse"]))
    restored = tf.io.deserialize_many_sparse(decode(OUT["serialize_many_sparse"]), tf.float32)
    check(restored, ("sparse", [np.array([[0, 1], [2, 0]]), np.array([1.5, 2.5], np.float32),
                                np.array([3, 4])]))
    with pytest.raises(TypeError, match="out_type"):
        tf.io.serialize_sparse(sparse, out_type=tf.variant)


def test_base64_matches_tensorflow_and_round_trips():
    data = [b"hi?>", b"", bytes(range(40))]
    check(tf.io.encode_base64(data), decode(OUT["encode_base64"]))
    check(tf.io.encode_base64([b"hi?>", b"a"], pad=True), decode(OUT["encode_base64_pad"]))
    check(tf.io.decode_base64(decode(OUT["encode_base64"])), np.array(data, dtype=object))
    check(tf.io.decode_base64(decode(OUT["encode_base64_pad"])),
          np.array([b"hi?>", b"a"], dtype=object))
    with pytest.raises(tf.errors.InvalidArgumentError, match="decode_base64"):
        tf.io.decode_base64(b"a")


def test_decode_compressed():
    records = [zlib.compress(b"abc"), zlib.compress(b"")]
    check(tf.io.decode_compressed(records, "ZLIB"), np.array([b"abc", b""], dtype=object))
    check(tf.io.decode_compressed(gzip.compress(b"xyz"), "GZIP"), np.array(b"xyz", object))
    check(tf.io.decode_compressed([b"plain"]), np.array([b"plain"], dtype=object))
    with pytest.raises(tf.errors.InvalidArgumentError, match="corrupt"):
        tf.io.decode_compressed(b"not zlib", "ZLIB")
    with pytest.raises(ValueError, match="compression_type"):
        tf.io.decode_compressed(b"", "BZ2")


def test_decode_csv_matches_tensorflow():
    records = FIXTURE["inputs"]["csv_records"]
    check(tf.io.decode_csv(records, [[0], [1.0], ["z"]]), decode(OUT["decode_csv"]))
    check(tf.io.decode_csv(["1;2;3;4"], [[0], [tf.constant(0.0, tf.float64)]],
                           field_delim=";", select_cols=[1, 3]),
          decode(OUT["decode_csv_select"]))
    check(tf.io.decode_csv(["NA,5", "3,NA"], [[-1], [-2]], na_value="NA"),
          decode(OUT["decode_csv_na"]))


def test_decode_csv_errors_and_tracing():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Expect 2 fields but have 3"):
        tf.io.decode_csv(["1,2,3"], [[0], [0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="required"):
        tf.io.decode_csv([",1"], [tf.int32, [0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="not a valid int32"):
        tf.io.decode_csv(["x,1"], [[0], [0]])
    with pytest.raises(ValueError, match="select_cols"):
        tf.io.decode_csv(["1,2"], [[0]], select_cols=[1, 0])

    @tf.function
    def parse(lines):
        return tf.io.decode_csv(lines, [[0.0], ["?"]])

    first, second = parse(tf.constant(["1.5,a", "2,"]))
    check(first, np.array([1.5, 2.0], np.float32))
    check(second, np.array([b"a", b"?"], dtype=object))


def test_decode_json_example_matches_tensorflow():
    json_example = ('{"features": {"feature": {"a": {"int64List": {"value": ["1", "2"]}}, '
                    '"b": {"floatList": {"value": [0.5]}}}}}')
    got = tf.io.decode_json_example([json_example])
    parsed = tf.io.parse_single_example(got[0], {"a": tf.io.FixedLenFeature([2], tf.int64),
                                                 "b": tf.io.FixedLenFeature([], tf.float32)})
    want = tf.io.parse_single_example(decode(OUT["decode_json_example"])[0],
                                      {"a": tf.io.FixedLenFeature([2], tf.int64),
                                       "b": tf.io.FixedLenFeature([], tf.float32)})
    check(parsed, {k: v.numpy() for k, v in want.items()})
    with pytest.raises(tf.errors.InvalidArgumentError, match="JSON"):
        tf.io.decode_json_example("{not json")


def _composite_specs():
    return {"r0": tf.io.RaggedFeature(tf.int64, "v"),
            "lens": tf.io.RaggedFeature(tf.int64, "v", [tf.io.RaggedFeature.RowLengths("lens")]),
            "splits": tf.io.RaggedFeature(tf.int64, "v",
                                          [tf.io.RaggedFeature.RowSplits("splits")]),
            "sp": tf.io.SparseFeature(["ix", "jx"], "val", tf.float32, [4, 3])}


def test_sparse_and_ragged_features_match_tensorflow():
    check(tf.io.parse_example(EXAMPLES, _composite_specs()),
          decode(OUT["parse_example_composite"]))
    check(tf.io.parse_single_example(EXAMPLES[0], _composite_specs()),
          decode(OUT["parse_single_example_composite"]))


def test_sequence_examples_match_tensorflow():
    context = {"n": tf.io.FixedLenFeature([], tf.int64)}
    sequence = {"tok": tf.io.VarLenFeature(tf.int64),
                "w": tf.io.FixedLenSequenceFeature([], tf.float32),
                "r": tf.io.RaggedFeature(tf.int64, "rag")}
    check(list(tf.io.parse_sequence_example(SEQUENCES, context, sequence)),
          decode(OUT["parse_sequence_example"]))
    check(list(tf.io.parse_single_sequence_example(SEQUENCES[0], context, sequence)),
          decode(OUT["parse_single_sequence_example"]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="required"):
        tf.io.parse_single_sequence_example(
            SEQUENCES[0], None, {"absent": tf.io.FixedLenSequenceFeature([], tf.int64)})


def test_files(tmp_path):
    path = str(tmp_path / "sub" / "a.txt")
    tf.io.write_file(path, "hello")
    check(tf.io.read_file(path), np.array(b"hello", dtype=object))
    (tmp_path / "sub" / "b.txt").write_bytes(b"x")
    pattern = str(tmp_path / "sub" / "*.txt")
    want = np.array([str(tmp_path / "sub" / n).encode() for n in ("a.txt", "b.txt")], object)
    check(tf.io.matching_files(pattern), want)
    variable = tf.io.match_filenames_once(pattern)
    check(variable.numpy(), want)
    with pytest.raises(tf.errors.NotFoundError, match="No such file"):
        tf.io.read_file(str(tmp_path / "missing"))

    @tf.function
    def copy(source, target):
        tf.io.write_file(target, tf.io.read_file(source))
        return tf.io.read_file(source)

    check(copy(tf.constant(path), tf.constant(str(tmp_path / "c.txt"))),
          np.array(b"hello", dtype=object))
    assert (tmp_path / "c.txt").read_bytes() == b"hello"


def _descriptor_set_file(tmp_path) -> str:
    from google.protobuf import descriptor_pb2

    field = descriptor_pb2.FieldDescriptorProto
    files = descriptor_pb2.FileDescriptorSet()
    proto = files.file.add(name="test_point.proto", package="demo", syntax="proto3")
    message = proto.message_type.add(name="Point")
    message.field.add(name="x", number=1, type=field.TYPE_FLOAT, label=field.LABEL_OPTIONAL)
    message.field.add(name="tags", number=2, type=field.TYPE_STRING, label=field.LABEL_REPEATED)
    message.field.add(name="ids", number=3, type=field.TYPE_INT64, label=field.LABEL_REPEATED)
    path = tmp_path / "point.desc"
    path.write_bytes(files.SerializeToString())
    return str(path)


def test_decode_and_encode_proto(tmp_path):
    source = _descriptor_set_file(tmp_path)
    sizes = np.array([[1, 2, 3], [0, 0, 1]], np.int32)
    values = [np.array([[1.5], [0.0]], np.float32),
              np.array([[b"a", b"b"], [b"", b""]], dtype=object),
              np.array([[1, 2, 3], [7, 0, 0]], np.int64)]
    encoded = tf.io.encode_proto(sizes, values, ["x", "tags", "ids"], "demo.Point",
                                 descriptor_source=source)
    got_sizes, got_values = tf.io.decode_proto(encoded, "demo.Point", ["x", "tags", "ids"],
                                               [tf.float32, tf.string, tf.int64],
                                               descriptor_source=source)
    check(got_sizes, sizes)
    check(got_values[0], values[0])
    check(got_values[1], values[1])
    check(got_values[2], values[2])
    # TensorFlow's own messages are known locally: TensorProto bytes TF wrote.
    serialized = decode(OUT["serialize_tensor"]["string"])
    sizes, (dtype_enum, strings) = tf.io.decode_proto(
        serialized[None], "tensorflow.TensorProto", ["dtype", "string_val"],
        [tf.int32, tf.string])
    check(dtype_enum, np.array([[7]], np.int32))
    check(strings, np.array([[b"a", b"bc"]], dtype=object))
    with pytest.raises(tf.errors.InvalidArgumentError, match="no field"):
        tf.io.decode_proto(encoded, "demo.Point", ["nope"], [tf.int32], descriptor_source=source)


def test_write_graph(tmp_path):
    @tf.function
    def double_relu(x):
        return tf.nn.relu(x) * 2.0

    double_relu(tf.ones([2]))
    pytest.importorskip("tensorboard")
    text_path = tf.io.write_graph(double_relu, str(tmp_path), "graph.pbtxt")
    assert 'op: "Placeholder"' in open(text_path).read()
    binary_path = tf.io.write_graph(double_relu, str(tmp_path / "bin"), "graph.pb",
                                    as_text=False)
    from tensorboard.compat.proto import graph_pb2

    graph_def = graph_pb2.GraphDef.FromString(open(binary_path, "rb").read())
    assert "Placeholder" in [node.op for node in graph_def.node]
    again = tf.io.write_graph(graph_def, str(tmp_path), "again.pb", as_text=False)
    assert graph_pb2.GraphDef.FromString(open(again, "rb").read()) == graph_def


def test_decode_jxl_gives_the_pixels_of_a_lossless_file():
    pytest.importorskip("pillow_jxl")
    import io

    from PIL import Image

    pixels = (np.arange(6 * 7 * 3) * 7 % 256).astype(np.uint8).reshape(6, 7, 3)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JXL", lossless=True)
    decoded = tf.io.decode_jxl(buffer.getvalue())
    assert decoded.dtype == tf.uint8
    np.testing.assert_array_equal(decoded.numpy(), pixels)
    rgba = tf.io.decode_jxl(buffer.getvalue(), channels=4).numpy()
    np.testing.assert_array_equal(rgba[..., :3], pixels)
    assert (rgba[..., 3] == 255).all()
    with pytest.raises(TypeError, match="uint8"):
        tf.io.decode_jxl(buffer.getvalue(), dtype=tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="not a decodable image"):
        tf.io.decode_jxl(b"not an image")
