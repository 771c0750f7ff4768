"""Op and tensor names in a TF 1 graph, as TensorFlow gives them."""

import numpy as np
import pytest

import fluxion.compat.v1 as tf
from fluxion.core import context


@pytest.fixture(autouse=True)
def graph_mode():
    tf.disable_v2_behavior()
    yield
    tf.enable_v2_behavior()
    tf.reset_default_graph()
    assert context.tracer is None


def test_default_names_counters_and_name_argument():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.Variable(np.ones((3, 2), np.float32), name="w")
    first, second = tf.matmul(x, w), tf.matmul(x, w)
    mean, loss = tf.reduce_mean(first), tf.reduce_mean(second, name="loss")
    total = first + second
    output = tf.identity(total, name="output")
    with tf.name_scope("block"):
        hidden = tf.nn.relu(total)
        again = tf.nn.relu(total)
    names = [t.name for t in (first, second, mean, loss, total, output, hidden, again)]
    assert names == ["MatMul:0", "MatMul_1:0", "Mean:0", "loss:0", "add:0", "output:0",
                     "block/Relu:0", "block/Relu_1:0"]
    assert first.op.name == "MatMul" and first.op.type == "MatMul"
    assert x.op.name == "x" and x.op.type == "Placeholder"
    assert first.op.inputs[0] is not None and first.op.outputs[0].name == "MatMul:0"


def test_get_operations_and_lookups_by_name():
    x = tf.placeholder(tf.float32, [None, 2], name="inputs")
    w = tf.Variable(np.full((2, 1), 2.0, np.float32), name="weights")
    tf.identity(tf.matmul(x, w), name="prediction")
    graph = tf.get_default_graph()
    names = [op.name for op in graph.get_operations()]
    assert names[0] == "inputs" and "MatMul" in names and "prediction" in names
    assert len(names) == len(set(names))
    assert graph.get_operation_by_name("prediction").type == "Identity"
    prediction = graph.get_tensor_by_name("prediction:0")
    with tf.Session() as session:
        session.run(tf.global_variables_initializer())
        got = session.run(prediction, {graph.get_tensor_by_name("inputs:0"): [[1.0, 3.0]]})
        assert session.run("prediction:0", {"inputs:0": [[1.0, 1.0]]}).tolist() == [[4.0]]
        assert session.run("weights:0").tolist() == [[2.0], [2.0]]
    assert got.tolist() == [[8.0]]


def test_variable_scopes_prefix_op_names():
    with tf.variable_scope("layer"):
        w = tf.get_variable("w", [2], initializer=tf.ones_initializer())
        y = tf.reduce_sum(w * 2.0)
    assert w.name == "layer/w:0" and y.name == "layer/Sum:0"
