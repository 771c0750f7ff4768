"""MonitoredTrainingSession: initialize or restore, hooks, stop at a step, checkpoints."""

import os

import numpy as np
import pytest

import fluxion.compat.v1 as tf
from fluxion.core import context

pytest.importorskip("google.protobuf")


@pytest.fixture(autouse=True)
def graph_mode():
    tf.disable_v2_behavior()
    yield
    tf.enable_v2_behavior()
    tf.reset_default_graph()
    assert context.tracer is None


def _build():
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 1])
    w = tf.Variable(np.zeros((1, 1), np.float32), name="w")
    step = tf.train.get_or_create_global_step()
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - 2 * x))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    return x, w, step, train


class Recorder(tf.train.SessionRunHook):
    def __init__(self, fetch):
        self.fetch, self.seen, self.calls = fetch, [], []

    def begin(self):
        self.calls.append("begin")

    def after_create_session(self, session, coord):
        self.calls.append("created")

    def before_run(self, run_context):
        return tf.train.SessionRunArgs(self.fetch)

    def after_run(self, run_context, run_values):
        self.seen.append(run_values.results)

    def end(self, session):
        self.calls.append("end")


def test_trains_until_the_step_saves_and_resumes(tmp_path):
    folder = str(tmp_path)
    x, w, step, train = _build()
    recorder = Recorder(step)
    feed = {x: np.ones((4, 1), np.float32)}
    runs = 0
    with tf.train.MonitoredTrainingSession(
            checkpoint_dir=folder, save_checkpoint_steps=5,
            hooks=[tf.train.StopAtStepHook(last_step=12), recorder]) as session:
        while not session.should_stop():
            session.run(train, feed)
            runs += 1
        with pytest.raises(RuntimeError, match="should_stop"):
            session.run(train, feed)
    assert runs == 12 and len(recorder.seen) == 12  # one value per run, in step order
    assert recorder.seen == sorted(recorder.seen) and recorder.seen[-1] in (11, 12)
    assert recorder.calls == ["begin", "created", "end"]
    saved = sorted(n[:-6] for n in os.listdir(folder) if n.endswith(".index"))
    assert saved == ["model.ckpt-0", "model.ckpt-10", "model.ckpt-12", "model.ckpt-5"]
    assert tf.train.latest_checkpoint(folder).endswith("model.ckpt-12")

    x, w, step, train = _build()  # a new program: restores, then three more steps
    feed = {x: np.ones((4, 1), np.float32)}
    with tf.train.MonitoredTrainingSession(
            checkpoint_dir=folder, hooks=[tf.train.StopAtStepHook(num_steps=3)]) as session:
        assert session.run(step) == 12
        while not session.should_stop():
            session.run(train, feed)
    latest = tf.train.latest_checkpoint(folder)
    assert latest.endswith("model.ckpt-15")
    # gradient descent on (w - 2)^2 from 0 with rate 0.1: w = 2 (1 - 0.8^n)
    np.testing.assert_allclose(tf.train.load_variable(latest, "w"), [[2 * (1 - 0.8 ** 15)]],
                               rtol=1e-5)


def test_hooks_need_a_global_step_and_one_stop_rule():
    with pytest.raises(ValueError, match="num_steps or last_step"):
        tf.train.StopAtStepHook()
    tf.Variable(1.0)
    with pytest.raises(RuntimeError, match="global step"):
        tf.train.MonitoredTrainingSession(hooks=[tf.train.StopAtStepHook(last_step=1)])
