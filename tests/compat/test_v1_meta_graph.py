"""export_meta_graph / import_meta_graph and Saver's .meta files: a TF 1 graph saved,
rebuilt in a fresh graph, restored and trained on; the file parses as TensorFlow's."""

import numpy as np
import pytest

import fluxion.compat.v1 as tf


def _build_and_save(path):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        w = tf.Variable(np.float32([[1.0], [2.0]]), name="w")
        b = tf.get_variable("b", [1], initializer=tf.zeros_initializer())
        y = tf.add(tf.matmul(x, w), b, name="y")
        loss = tf.reduce_mean(tf.square(y - 1.0), name="loss")
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, name="train")
        tf.add_to_collection("train_op", train)
        tf.add_to_collection("outputs", y)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train, {x: [[1.0, 1.0]]})
            return tf.train.Saver().save(sess, path), sess.run([w, b])


def test_saver_writes_a_meta_file_that_import_rebuilds(tmp_path):
    path, (w_saved, b_saved) = _build_and_save(str(tmp_path / "model"))
    with tf.Graph().as_default() as graph:
        saver = tf.train.import_meta_graph(path + ".meta")
        x = graph.get_tensor_by_name("x:0")
        y = graph.get_tensor_by_name("y:0")
        assert tf.get_collection("outputs")[0].name == "y:0"
        assert [v.name for v in tf.trainable_variables()] == ["w:0", "b:0"]
        with tf.Session() as sess:
            saver.restore(sess, path)
            feed = {x: [[1.0, 1.0]]}
            expected = np.float32([[1.0, 1.0]]) @ w_saved + b_saved
            np.testing.assert_allclose(sess.run(y, feed), expected, rtol=1e-6)
            sess.run(tf.get_collection("train_op")[0], feed)
            step = 0.1 * 2 * (expected[0, 0] - 1.0)
            np.testing.assert_allclose(sess.run("w:0").ravel(), w_saved.ravel() - step,
                                       rtol=1e-5)
            sess.run(tf.global_variables_initializer())  # back to the initial values
            np.testing.assert_allclose(sess.run("w:0").ravel(), [1.0, 2.0])
            assert sess.run(graph.get_operation_by_name("train"), feed) is None


def test_export_text_and_import_scope(tmp_path):
    with tf.Graph().as_default():
        a = tf.placeholder_with_default(np.float32([3.0]), [1], name="a")
        tf.identity(a * 2.0, name="double")
        meta = tf.train.export_meta_graph(str(tmp_path / "g.pbtxt"), as_text=True)
    assert any(node.op == "PlaceholderWithDefault" for node in meta.graph_def.node)
    assert "node {" in (tmp_path / "g.pbtxt").read_text()
    with tf.Graph().as_default() as graph:
        assert tf.train.import_meta_graph(str(tmp_path / "g.pbtxt"),
                                          import_scope="imported") is None
        with tf.Session() as sess:
            assert sess.run(graph.get_tensor_by_name("imported/double:0")).tolist() == [6.0]


def test_python_functions_cannot_be_rebuilt(tmp_path):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [2], name="x")
        tf.py_func(lambda v: v * 2, [x], tf.float32, name="twice")
        tf.train.export_meta_graph(str(tmp_path / "py.meta"))
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="Python function"):
            tf.train.import_meta_graph(str(tmp_path / "py.meta"))


def test_saver_def_and_messages():
    saver_def = tf.train.Saver(var_list=[tf.Variable(1.0)], max_to_keep=3).as_saver_def()
    assert isinstance(saver_def, tf.train.SaverDef)
    assert saver_def.max_to_keep == 3 and saver_def.version == 2
    node = tf.NodeDef(name="n", op="Const")
    node.attr["dtype"].CopyFrom(tf.AttrValue(type=1))
    graph_def = tf.GraphDef()
    graph_def.node.append(node)
    meta = tf.MetaGraphDef(graph_def=graph_def)
    assert tf.MetaGraphDef.FromString(meta.SerializeToString()).graph_def.node[0].name == "n"
    assert tf.NameAttrList(name="f").name == "f"


def test_tensorflow_parses_fluxions_meta_file(tmp_path):
    meta_graph_pb2 = pytest.importorskip("tensorflow.core.protobuf.meta_graph_pb2")
    path, _ = _build_and_save(str(tmp_path / "model"))
    with open(path + ".meta", "rb") as handle:
        meta = meta_graph_pb2.MetaGraphDef.FromString(handle.read())
    ops = {node.name: node.op for node in meta.graph_def.node}
    assert ops["x"] == "Placeholder" and ops["w"] == "VarHandleOp"
    assert ops["y"] in ("Add", "AddV2", "add")
    assert meta.saver_def.version == 2
    assert list(meta.collection_def["outputs"].node_list.value) == ["y:0"]


def test_summary_protos_in_compat_v1():
    pytest.importorskip("tensorboard")
    histogram = tf.HistogramProto(min=0.0, max=2.0, num=3, sum=3.0)
    assert tf.HistogramProto.FromString(histogram.SerializeToString()).num == 3
    metadata = tf.SummaryMetadata(display_name="loss")
    summary = tf.Summary(value=[tf.Summary.Value(tag="t", histo=histogram,
                                                 metadata=metadata)])
    assert summary.value[0].metadata.display_name == "loss"
    assert tf.LogMessage(message="hi").message == "hi"
