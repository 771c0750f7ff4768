"""``tf.train`` beyond checkpoints: ``CheckpointView``, ``TrackableView``,
``checkpoints_iterator``, ``ExponentialMovingAverage``, ``Coordinator``, ``ClusterSpec``
and the cluster protos; expectations from ``fixtures/train_api.json`` (real TF)."""

from __future__ import annotations

import base64
import json
import os
import threading
import time

import numpy as np
import pytest

import fluxion as tf

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "fixtures", "train_api.json")) as _handle:
    FIXTURE = json.load(_handle)
TF_OBJECT_CHECKPOINT = os.path.join(HERE, "fixtures", "tf_checkpoints", "object", "ckpt-1")


def test_checkpoint_view_of_a_tensorflow_checkpoint():
    pytest.importorskip("google.protobuf")
    view = tf.train.CheckpointView(TF_OBJECT_CHECKPOINT)
    want = FIXTURE["checkpoint_view"]
    assert view.descendants() == want["descendants"]
    for node, children in want["children"].items():
        assert view.children(int(node)) == children
    with pytest.raises(ValueError, match="does not exist"):
        view.children(99)


class Leaf(tf.Module):
    def __init__(self, value):
        super().__init__()
        self.a = tf.Variable(value)


def test_checkpoint_view_match_and_diff(tmp_path):
    root = Leaf(1.0)
    root.child = Leaf(2.0)
    path = tf.train.Checkpoint(root).save(str(tmp_path / "ckpt"))
    view = tf.train.CheckpointView(path)
    other = Leaf(5.0)
    other.different = Leaf(6.0)
    matched, only_saved, only_live = view.diff(other)
    assert matched == view.match(other)
    assert matched[0] is other and matched[view.children(0)["a"]] is other.a
    child_id = view.children(0)["child"]
    assert child_id in only_saved and view.children(child_id)["a"] in only_saved
    assert any(obj is other.different for obj in only_live)
    assert any(obj is other.different.a for obj in only_live)


def test_trackable_view():
    root = Leaf(1.0)
    root.child = Leaf(2.0)
    view = tf.train.TrackableView(root)
    assert view.root is root
    assert view.children(root) == {"a": root.a, "child": root.child}
    descendants = view.descendants()
    assert descendants[0] is root and len(descendants) == 4
    assert any(obj is root.child.a for obj in descendants)


def test_checkpoints_iterator_yields_new_checkpoints(tmp_path):
    checkpoint = tf.train.Checkpoint(v=tf.Variable(1.0))
    manager = tf.train.CheckpointManager(checkpoint, str(tmp_path), max_to_keep=5)
    manager.save()

    def save_later():
        time.sleep(0.3)
        manager.save()

    saver = threading.Thread(target=save_later)
    saver.start()
    seen = list(tf.train.checkpoints_iterator(str(tmp_path), timeout=1.5))
    saver.join()
    assert seen == [str(tmp_path / "ckpt-1"), str(tmp_path / "ckpt-2")]
    calls = []
    assert list(tf.train.checkpoints_iterator(str(tmp_path / "none"), timeout=0.1,
                                              timeout_fn=lambda: calls.append(1) or
                                              len(calls) >= 2)) == []
    assert len(calls) == 2


@pytest.mark.parametrize("case", FIXTURE["ema"], ids=lambda c: f"decay{c['decay']}")
def test_exponential_moving_average_matches_tensorflow(case):
    ema = tf.train.ExponentialMovingAverage(case["decay"], num_updates=case["num_updates"])
    variable = tf.Variable(case["values"][0], name="w")
    shadows = []
    for value in case["values"]:
        variable.assign(value)
        ema.apply([variable])
        shadows.append(float(ema.average(variable).numpy()))
    np.testing.assert_allclose(shadows, case["shadows"], rtol=1e-6)
    if case["num_updates"] is None:  # the fixture's first EMA: TF uniquifies later names
        assert ema.average(variable).name == case["name"]
    assert ema.average_name(variable) == "w/ExponentialMovingAverage"
    assert ema.variables_to_restore() == {"w/ExponentialMovingAverage": variable}


def test_exponential_moving_average_traced_and_debiased():
    ema = tf.train.ExponentialMovingAverage(0.5)
    variable = tf.Variable(0.0)

    @tf.function
    def step(value):
        variable.assign(value)
        ema.apply([variable])

    step(tf.constant(0.0))
    step(tf.constant(4.0))
    np.testing.assert_allclose(ema.average(variable).numpy(), 2.0)
    debiased = tf.train.ExponentialMovingAverage(0.9, zero_debias=True)
    tensor = tf.constant([2.0, -4.0])
    debiased.apply([tensor])
    np.testing.assert_allclose(debiased.average(tensor).numpy(), [2.0, -4.0], rtol=1e-6)
    with pytest.raises(TypeError, match="float"):
        tf.train.ExponentialMovingAverage(0.9).apply([tf.Variable(1)])


def test_coordinator_stops_threads_and_reraises():
    coordinator = tf.train.Coordinator()
    counts = [0, 0]

    def work(index):
        with coordinator.stop_on_exception():
            while not coordinator.should_stop():
                counts[index] += 1
                if index == 1 and counts[1] == 3:
                    raise RuntimeError("worker 1 failed")
                time.sleep(0.01)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    with pytest.raises(RuntimeError, match="worker 1 failed"):
        coordinator.join(threads, stop_grace_period_secs=5)
    assert coordinator.joined and coordinator.should_stop() and counts[1] == 3
    coordinator.clear_stop()
    assert not coordinator.should_stop() and not coordinator.joined


def test_coordinator_clean_stop_and_stragglers():
    coordinator = tf.train.Coordinator()
    coordinator.request_stop(tf.errors.OutOfRangeError(None, None, "end of input"))
    coordinator.join([])  # an OutOfRangeError is a clean stop
    coordinator.raise_requested_exception()
    assert coordinator.wait_for_stop(0.01)
    stubborn = tf.train.Coordinator()
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    stubborn.register_thread(thread)
    stubborn.request_stop()
    with pytest.raises(RuntimeError, match="still running"):
        stubborn.join(stop_grace_period_secs=0.05)
    release.set()
    thread.join()


def test_cluster_spec_and_protos_match_tensorflow():
    pytest.importorskip("google.protobuf")
    spec = tf.train.ClusterSpec({"worker": ["w0:2222", "w1:2222"], "ps": {1: "ps1:2222"}})
    assert spec.jobs == ["worker", "ps"]
    assert spec.num_tasks("worker") == 2 and spec.task_indices("ps") == [1]
    assert spec.task_address("ps", 1) == "ps1:2222"
    assert spec.job_tasks("ps") == [None, "ps1:2222"]
    want_dict = FIXTURE["cluster_dict"]
    assert spec.as_dict() == {"worker": want_dict["worker"],
                              "ps": {int(k): v for k, v in want_dict["ps"].items()}}
    assert bool(spec) and not tf.train.ClusterSpec({})
    cluster_def = spec.as_cluster_def()
    assert base64.b64encode(cluster_def.SerializeToString(deterministic=True)).decode() == \
        FIXTURE["cluster_def"]
    assert tf.train.ClusterSpec(cluster_def) == spec
    assert tf.train.ClusterSpec(spec) == spec
    server = tf.train.ServerDef(cluster=cluster_def, job_name="worker", task_index=1,
                                protocol="grpc", port=2222)
    assert base64.b64encode(server.SerializeToString(deterministic=True)).decode() == \
        FIXTURE["server_def"]
    job = tf.train.JobDef(name="x", tasks={0: "a:1", 3: "b:2"})
    assert base64.b64encode(job.SerializeToString(deterministic=True)).decode() == \
        FIXTURE["job_def"]
    assert isinstance(tf.train.ClusterDef(), type(cluster_def))
    with pytest.raises(ValueError, match="No task with index 0"):
        spec.task_address("ps", 0)
    with pytest.raises(ValueError, match="No such job"):
        spec.num_tasks("chief")
