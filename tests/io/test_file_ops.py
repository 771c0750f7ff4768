"""tf.io file ops and web-safe base64, against the file system and TF's encodings."""

import numpy as np
import pytest

import fluxion as fx
import fluxion.compat.v1 as tf


def test_read_write_and_match(tmp_path):
    fx.io.write_file(str(tmp_path / "sub" / "a.txt"), b"alpha")
    fx.io.write_file(str(tmp_path / "sub" / "b.txt"), "beta")
    assert fx.io.read_file(str(tmp_path / "sub" / "a.txt")).numpy() == b"alpha"
    found = fx.io.matching_files(str(tmp_path / "sub" / "*.txt")).numpy().tolist()
    assert found == [str(tmp_path / "sub" / n).encode() for n in ("a.txt", "b.txt")]
    assert fx.io.matching_files(str(tmp_path / "none*")).numpy().size == 0
    assert getattr(tf.read_file, "__wrapped__", tf.read_file) is fx.io.read_file
    with tf.Graph().as_default():
        files = tf.train.match_filenames_once(str(tmp_path / "sub" / "*.txt"))
        assert files in tf.local_variables()
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            assert len(sess.run(files)) == 2


def test_base64_matches_tensorflow():
    # tf.io.encode_base64 under TensorFlow 2.21 gives these (web-safe, unpadded).
    encoded = fx.io.encode_base64(["hello?>", b"\xff\xfe"]).numpy().tolist()
    assert encoded == [b"aGVsbG8_Pg", b"__4"]
    assert fx.io.encode_base64(["ab"], pad=True).numpy().tolist() == [b"YWI="]
    assert fx.io.decode_base64(encoded).numpy().tolist() == [b"hello?>", b"\xff\xfe"]


def test_write_graph(tmp_path):
    pytest.importorskip("tensorboard")
    with tf.Graph().as_default() as graph:
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        tf.reduce_sum(x * 2.0, name="total")
        text = fx.io.write_graph(graph, str(tmp_path), "graph.pbtxt")
        binary = fx.io.write_graph(graph, str(tmp_path), "graph.pb", as_text=False)
    content = open(text).read()
    assert "node" in content and "Placeholder" in content
    assert np.fromfile(binary, np.uint8).size > 0
