"""tf.compat.v1 state functions: scatter updates, initialization checks, templates,
scopes, partitioners, initializers and behaviour switches."""

import numpy as np
import pytest

import fluxion as fx
import fluxion.compat.v1 as tf
from fluxion.core.errors import FailedPreconditionError, OutOfRangeError

BASE = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], np.float32)
UPDATES = np.array([[2.0, 2.0], [10.0, 0.5]], np.float32)
SCATTERS = {
    "scatter_add": lambda b: b + [[0, 0], [0, 0], [0, 0]] + np.array(
        [[2, 2], [0, 0], [10, 0.5]]),
    "scatter_sub": lambda b: b - np.array([[2, 2], [0, 0], [10, 0.5]]),
    "scatter_mul": lambda b: b * np.array([[2, 2], [1, 1], [10, 0.5]]),
    "scatter_div": lambda b: b / np.array([[2, 2], [1, 1], [10, 0.5]]),
    "scatter_max": lambda b: np.where([[1], [0], [1]], np.maximum(b, [[2, 2], [0, 0],
                                                                     [10, 0.5]]), b),
    "scatter_min": lambda b: np.where([[1], [0], [1]], np.minimum(b, [[2, 2], [0, 0],
                                                                     [10, 0.5]]), b),
    "scatter_update": lambda b: np.array([[2, 2], [3, 4], [10, 0.5]]),
}


@pytest.mark.parametrize("name", sorted(SCATTERS))
def test_scatter_eager(name):
    v = fx.Variable(BASE)
    getattr(tf, name)(v, [0, 2], UPDATES)
    np.testing.assert_allclose(v.numpy(), SCATTERS[name](BASE), rtol=1e-6)


@pytest.mark.parametrize("name", sorted(SCATTERS))
def test_scatter_in_a_session(name):
    with tf.Graph().as_default():
        v = tf.Variable(BASE)
        op = getattr(tf, name)(v, [0, 2], UPDATES)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_allclose(sess.run(op), SCATTERS[name](BASE), rtol=1e-6)
            np.testing.assert_allclose(sess.run(v), SCATTERS[name](BASE), rtol=1e-6)


def test_scatter_nd_and_batch_scatter():
    v = fx.Variable(np.zeros((2, 2), np.float32))
    tf.scatter_nd_update(v, [[0, 1]], [3.0])
    tf.scatter_nd_add(v, [[0, 1], [1, 0]], [1.0, 2.0])
    tf.scatter_nd_sub(v, [[1, 0]], [0.5])
    np.testing.assert_allclose(v.numpy(), [[0.0, 4.0], [1.5, 0.0]])
    w = fx.Variable(np.zeros((2, 3), np.float32))
    tf.batch_scatter_update(w, [[0, 2], [1, 1]], [[1.0, 2.0], [3.0, 3.0]])
    np.testing.assert_allclose(w.numpy(), [[1.0, 0.0, 2.0], [0.0, 3.0, 0.0]])


def test_count_up_to():
    with tf.Graph().as_default():
        v = tf.Variable(0, dtype=tf.int32)
        step = tf.count_up_to(v, 2)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert [sess.run(step), sess.run(step)] == [0, 1]
            with pytest.raises(OutOfRangeError, match="limit of 2"):
                sess.run(step)


def test_initialization_checks():
    with tf.Graph().as_default():
        a = tf.Variable(1.0, name="a")
        b = tf.Variable(2.0, name="b")
        flag = tf.is_variable_initialized(a)
        report = tf.report_uninitialized_variables()
        check = tf.assert_variables_initialized()
        with tf.Session() as sess:
            assert not sess.run(flag)
            assert sorted(sess.run(report).tolist()) == [b"a", b"b"]
            with pytest.raises(FailedPreconditionError):
                sess.run(check)
            sess.run(a.initializer)
            assert sess.run(flag)
            assert sess.run(report).tolist() == [b"b"]
            sess.run(tf.initialize_all_tables())
            sess.run(b.initializer)
            sess.run(check)


def test_local_variable_and_collections():
    with tf.Graph().as_default():
        counter = tf.get_local_variable("counter", [], initializer=tf.zeros_initializer())
        assert counter in tf.local_variables() and counter not in tf.global_variables()
        assert counter not in tf.trainable_variables()
        tf.add_to_collections(["c1", "c2"], counter)
        assert tf.get_collection("c1") == [counter] == tf.get_collection("c2")
        assert tf.no_regularizer(counter) is None
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            assert sess.run(counter) == 0.0


def test_make_template_shares_variables():
    with tf.Graph().as_default():
        def scale(x):
            w = tf.get_variable("w", [], initializer=tf.constant_initializer(3.0))
            return x * w

        template = tf.make_template("scale", scale)
        y1 = template(tf.constant(1.0))
        y2 = template(tf.constant(2.0))
        assert [v.name for v in tf.global_variables()] == ["scale/w:0"]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert sess.run([y1, y2]) == [3.0, 6.0]


def test_scope_helpers():
    with tf.Graph().as_default():
        with tf.variable_op_scope([], "outer"):
            v = tf.get_variable("v", [1])
        assert v.name == "outer/v:0"
        with tf.op_scope([], "ops") as scope:
            assert scope.startswith("ops")
        with tf.container("box") as name:
            assert name == "box"
        with tf.colocate_with(v):
            w = tf.Variable(1.0, name="w")
        assert w.name == "w:0"


def test_partitioners():
    assert tf.fixed_size_partitioner(3)([10, 4]) == [3, 1]
    assert tf.fixed_size_partitioner(8, axis=1)([10, 4]) == [1, 4]
    # 4 float32 per row = 16 bytes; 40 bytes a shard fits 2 rows: 10 rows -> 5 shards.
    assert tf.variable_axis_size_partitioner(40)([10, 4], tf.float32) == [5, 1]
    assert tf.variable_axis_size_partitioner(40, max_shards=3)([10, 4]) == [3, 1]
    # 10x4 float32 = 160 bytes; slices of at least 64 bytes: 2 shards.
    assert tf.min_max_variable_partitioner(8, min_slice_size=64)([10, 4]) == [2, 1]
    with tf.Graph().as_default():
        parts = tf.create_partitioned_variables([5, 2], [2, 1], np.arange(10.0).reshape(5, 2),
                                                name="emb")
        assert [p.shape.as_list() for p in parts] == [[3, 2], [2, 2]]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_allclose(np.concatenate(sess.run(parts)),
                                       np.arange(10.0).reshape(5, 2))


def test_v1_initializers():
    ortho = tf.orthogonal_initializer(gain=2.0, seed=1)([4, 3]).numpy()
    np.testing.assert_allclose(ortho.T @ ortho, 4.0 * np.eye(3), atol=1e-5)
    wide = tf.orthogonal_initializer(seed=2)([2, 5]).numpy()
    np.testing.assert_allclose(wide @ wide.T, np.eye(2), atol=1e-5)
    scaled = tf.variance_scaling_initializer(scale=2.0, mode="fan_in",
                                             distribution="untruncated_normal", seed=3)
    draw = scaled([400, 300]).numpy()
    assert abs(draw.std() - np.sqrt(2.0 / 400)) < 0.005
    uniform = tf.variance_scaling_initializer(distribution="uniform", seed=4)([100, 50]).numpy()
    assert np.abs(uniform).max() <= np.sqrt(3.0 / 100) + 1e-6
    unit = tf.uniform_unit_scaling_initializer(factor=1.5, seed=5)([30, 20]).numpy()
    assert np.abs(unit).max() <= 1.5 * np.sqrt(3.0 / 30) + 1e-6
    assert unit.std() > 0.5 * 1.5 * np.sqrt(1.0 / 30)
    with pytest.raises(ValueError, match="mode"):
        tf.variance_scaling_initializer(mode="fan_bad")


def test_behaviour_switches_and_constants():
    assert tf.control_flow_v2_enabled() and tf.resource_variables_enabled()
    tf.disable_control_flow_v2()
    tf.disable_resource_variables()
    assert not tf.control_flow_v2_enabled() and not tf.resource_variables_enabled()
    tf.enable_control_flow_v2()
    tf.enable_resource_variables()
    assert tf.control_flow_v2_enabled() and tf.resource_variables_enabled()
    for switch in (tf.disable_tensor_equality, tf.enable_tensor_equality,
                   tf.disable_v2_tensorshape, tf.enable_v2_tensorshape):
        switch()
    assert tf.VERSION == "2.21.0" and tf.GRAPH_DEF_VERSION == 2474
    assert tf.MONOLITHIC_BUILD == 0 and tf.CXX11_ABI_FLAG == 1
