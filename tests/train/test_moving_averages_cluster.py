"""tf.train.ExponentialMovingAverage (eager and TF 1 graphs), ClusterSpec and
checkpoints_iterator, against NumPy recurrences."""

import threading
import time

import numpy as np
import pytest

import fluxion as fx
import fluxion.compat.v1 as tf


def test_ema_eager():
    w = fx.Variable([1.0, 2.0])
    ema = fx.train.ExponentialMovingAverage(0.9)
    ema.apply([w])
    expected = np.array([1.0, 2.0])
    for value in ([3.0, 3.0], [5.0, 0.0]):
        w.assign(value)
        ema.apply([w])
        expected = expected - 0.1 * (expected - np.array(value))
    np.testing.assert_allclose(ema.average(w).numpy(), expected, rtol=1e-6)
    assert ema.average_name(w).endswith("/ExponentialMovingAverage")
    with pytest.raises(TypeError):
        ema.apply([fx.Variable([1])])


def test_ema_in_a_graph_with_num_updates():
    with tf.Graph().as_default():
        w = tf.Variable(0.0, name="w")
        step = tf.train.get_or_create_global_step()
        ema = tf.train.ExponentialMovingAverage(0.99, num_updates=step)
        train = tf.group(tf.assign_add(w, 1.0), tf.assign_add(step, 1))
        with tf.control_dependencies([train]):
            update = ema.apply([w])
        shadow = ema.average(w)
        assert shadow.name == "w/ExponentialMovingAverage:0"
        assert "w/ExponentialMovingAverage" in ema.variables_to_restore()
        assert tf.moving_average_variables() == [w]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            expected, value = 0.0, 0.0
            for n in range(3):
                sess.run(update)
                value += 1.0
                # num_updates is read in the same run as its increment: n or n + 1.
                got = sess.run(shadow)
                decays = [min(0.99, (1 + k) / (10 + k)) for k in (n, n + 1)]
                options = [expected - (1 - d) * (expected - value) for d in decays]
                assert min(abs(got - o) for o in options) < 1e-6
                expected = got


def test_cluster_spec():
    spec = fx.train.ClusterSpec({"worker": ["w0:1", "w1:1"], "ps": {3: "p3:1"}})
    assert sorted(spec.jobs) == ["ps", "worker"] and spec.num_tasks("worker") == 2
    assert spec.task_indices("ps") == [3] and spec.task_address("worker", 1) == "w1:1"
    assert spec.as_dict() == {"worker": ["w0:1", "w1:1"], "ps": {3: "p3:1"}}
    assert spec.job_tasks("ps") == [None, None, None, "p3:1"]
    assert fx.train.ClusterSpec(spec) == spec and bool(spec)
    with pytest.raises(ValueError):
        spec.num_tasks("chief")
    with pytest.raises(TypeError):
        fx.train.ClusterSpec(["w0"])
    setter = tf.train.replica_device_setter(cluster=spec)

    class Op:
        type, device = "VariableV2", ""

    assert setter(Op()) == "/job:ps/task:0"


def test_checkpoints_iterator(tmp_path):
    checkpoint = fx.train.Checkpoint(v=fx.Variable(1.0))

    def write_later():
        time.sleep(0.3)
        checkpoint.save(str(tmp_path / "ckpt"))

    writer = threading.Thread(target=write_later)
    writer.start()
    found = list(fx.train.checkpoints_iterator(str(tmp_path), timeout=1.5))
    writer.join()
    assert found == [str(tmp_path / "ckpt-1")]
