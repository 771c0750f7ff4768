"""TF 1 session hooks, session creators and checkpoint helpers, in monitored sessions."""

import os

import numpy as np
import pytest

import fluxion.compat.v1 as tf


def _model():
    step = tf.train.get_or_create_global_step()
    w = tf.Variable(2.0, name="w")
    loss = tf.square(w - 1.0)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    return step, w, loss, train


def test_timer():
    timer = tf.train.SecondOrStepTimer(every_steps=3)
    assert timer.should_trigger_for_step(0)
    timer.update_last_triggered_step(0)
    assert not timer.should_trigger_for_step(2) and timer.should_trigger_for_step(3)
    assert timer.update_last_triggered_step(3)[1] == 3 and timer.last_triggered_step() == 3
    with pytest.raises(ValueError):
        tf.train.SecondOrStepTimer()


def test_logging_nan_final_ops_and_feed_hooks():
    with tf.Graph().as_default():
        step, w, loss, train = _model()
        scale = tf.placeholder_with_default(1.0, [])
        scaled = loss * scale
        logging_hook = tf.train.LoggingTensorHook({"loss": loss}, every_n_iter=2, at_end=True)
        final = tf.train.FinalOpsHook(w)
        feeds = tf.train.FeedFnHook(lambda: {scale: 3.0})
        hooks = [logging_hook, final, feeds, tf.train.NanTensorHook(loss),
                 tf.train.StopAtStepHook(last_step=5)]
        with tf.train.MonitoredSession(hooks=hooks) as sess:
            values = []
            while not sess.should_stop():
                values.append(sess.run([train, scaled, loss])[1:])
        assert len(values) == 5
        assert all(np.isclose(s, 3 * v) for s, v in values)  # the feed hook fed 3
        assert len(logging_hook.logged) == 4  # steps 0, 2, 4 and at the end
        assert logging_hook.logged[0].startswith("loss = ")
        assert final.final_ops_values == pytest.approx(2.0 - 0.2 * sum(
            0.8 ** i for i in range(5)), rel=1e-5)


def test_nan_hook_raises_or_stops():
    with tf.Graph().as_default():
        tf.train.get_or_create_global_step()
        x = tf.placeholder(tf.float32, [])
        with tf.train.MonitoredSession(hooks=[tf.train.NanTensorHook(x)]) as sess:
            sess.run(x, {x: 1.0})
            with pytest.raises(tf.train.NanLossDuringTrainingError, match="NaN loss"):
                sess.run(x, {x: np.nan})
        with tf.train.MonitoredSession(hooks=[tf.train.NanTensorHook(x, False)]) as sess:
            sess.run(x, {x: np.nan})
            assert sess.should_stop()


def test_step_counter_summary_saver_and_profiler(tmp_path):
    with tf.Graph().as_default():
        step, w, loss, train = _model()
        tf.summary.scalar("loss", loss)
        counter = tf.train.StepCounterHook(every_n_steps=2, output_dir=str(tmp_path))
        saver = tf.train.SummarySaverHook(save_steps=2, output_dir=str(tmp_path))
        profiler = tf.train.ProfilerHook(save_steps=2, output_dir=str(tmp_path))
        with tf.train.MonitoredSession(hooks=[counter, saver, profiler,
                                              tf.train.StopAtStepHook(last_step=6)]) as sess:
            while not sess.should_stop():
                sess.run(train)
        assert counter.rates and all(rate > 0 for _, rate in counter.rates)
        assert any(name.startswith("timeline-") for name in os.listdir(tmp_path))
        tf.summary.FileWriterCache.clear()
        events = [f for f in os.listdir(tmp_path) if "tfevents" in f]
        tags = {value.tag for f in events
                for event in tf.train.summary_iterator(str(tmp_path / f))
                for value in event.summary.value}
        assert {"loss", "global_step/sec"} <= tags


def test_global_step_waiter_and_listener(tmp_path):
    calls = []

    class Listener(tf.train.CheckpointSaverListener):
        def before_save(self, session, step):
            calls.append(("before", step))

        def after_save(self, session, step):
            calls.append(("after", step))

    with tf.Graph().as_default():
        step, w, loss, train = _model()
        hooks = [tf.train.GlobalStepWaiterHook(0),
                 tf.train.CheckpointSaverHook(str(tmp_path), save_steps=2,
                                              listeners=[Listener()]),
                 tf.train.StopAtStepHook(last_step=3)]
        with tf.train.MonitoredSession(hooks=hooks) as sess:
            while not sess.should_stop():
                sess.run(train)
    assert ("before", 0) in calls and ("after", 2) in calls and ("after", 3) in calls


def test_scaffold_chief_and_singular_sessions(tmp_path):
    with tf.Graph().as_default():
        step, w, loss, train = _model()
        scaffold = tf.train.Scaffold()
        creator = tf.train.ChiefSessionCreator(scaffold=scaffold,
                                               checkpoint_dir=str(tmp_path))
        with tf.train.MonitoredSession(session_creator=creator) as sess:
            assert sess.run(w) == 2.0
            sess.run(train)
            scaffold.saver.save(sess._session, str(tmp_path / "model.ckpt"), global_step=1)
            assert len(sess.run(scaffold.ready_op)) == 0
    with tf.Graph().as_default():
        step, w, loss, train = _model()
        with tf.train.SingularMonitoredSession(checkpoint_dir=str(tmp_path)) as sess:
            assert sess.run(w) == pytest.approx(1.8)  # restored, not initialized
            assert sess.raw_session() is not None
        # A worker waits for a chief to make the model ready; none here: it times out.
        with pytest.raises(tf.errors.DeadlineExceededError, match="not ready"):
            tf.train.MonitoredSession(
                session_creator=tf.train.WorkerSessionCreator(max_wait_secs=0))
    with pytest.raises(TypeError):
        tf.train.SessionCreator().create_session()


def test_session_manager(tmp_path):
    with tf.Graph().as_default():
        step, w, loss, train = _model()
        manager = tf.train.SessionManager()
        sess = manager.prepare_session(init_op=tf.global_variables_initializer())
        assert sess.run(w) == 2.0
        path = tf.train.Saver().save(sess, str(tmp_path / "m"))
        sess, restored = manager.recover_session(saver=tf.train.Saver(),
                                                 checkpoint_filename_with_path=path)
        assert restored and sess.run(w) == 2.0
        with pytest.raises(RuntimeError):
            manager.prepare_session()


def test_checkpoint_helpers(tmp_path):
    with tf.Graph().as_default():
        step, w, loss, train = _model()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train)
            path = tf.train.Saver().save(sess, str(tmp_path / "model.ckpt"))
    assert tf.train.checkpoint_exists(path)
    assert len(tf.train.get_checkpoint_mtimes([path, path + "-missing"])) == 1
    reader = tf.train.NewCheckpointReader(path)
    assert reader.get_tensor("w") == pytest.approx(1.8)
    state = tf.train.generate_checkpoint_state_proto(str(tmp_path), "model.ckpt")
    assert state.model_checkpoint_path == str(tmp_path / "model.ckpt")
    assert state.all_model_checkpoint_paths == [str(tmp_path / "model.ckpt")]
    with tf.Graph().as_default():
        with tf.variable_scope("new"):
            w_new = tf.get_variable("w", [], initializer=tf.zeros_initializer())
        other = tf.Variable(5.0, name="other")
        tf.train.init_from_checkpoint(path, {"/": "new/"})
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert sess.run(w_new) == pytest.approx(1.8) and sess.run(other) == 5.0
    with tf.Graph().as_default():
        w_again = tf.Variable(0.0, name="w")
        tf.train.warm_start(path, vars_to_warm_start="w")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert sess.run(w_again) == pytest.approx(1.8)
    tf.train.remove_checkpoint(path)
    assert not tf.train.checkpoint_exists(path)


def test_warm_start_remaps_a_vocabulary(tmp_path):
    (tmp_path / "old.txt").write_text("a\nb\nc\n")
    (tmp_path / "new.txt").write_text("c\nz\na\n")
    with tf.Graph().as_default():
        emb = tf.Variable(np.float32([[1, 1], [2, 2], [3, 3]]), name="emb")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            path = tf.train.Saver().save(sess, str(tmp_path / "vocab.ckpt"))
    with tf.Graph().as_default():
        emb = tf.Variable(np.zeros((3, 2), np.float32), name="emb")
        info = tf.train.VocabInfo(str(tmp_path / "new.txt"), 3, 0, str(tmp_path / "old.txt"))
        tf.train.warm_start(path, "emb", var_name_to_vocab_info={"emb": info})
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_array_equal(sess.run(emb), [[3, 3], [0, 0], [1, 1]])


def test_loop_helpers():
    with tf.Graph().as_default():
        tf.train.assert_global_step(tf.train.get_or_create_global_step())
        with pytest.raises(TypeError):
            tf.train.assert_global_step(tf.Variable(1.0))
    assert tf.train.replica_device_setter(ps_tasks=0) is None
    setter = tf.train.replica_device_setter(ps_tasks=2)

    class Op:
        def __init__(self, kind):
            self.type, self.device = kind, ""

    assert [setter(Op("VariableV2")) for _ in range(3)] == \
        ["/job:ps/task:0", "/job:ps/task:1", "/job:ps/task:0"]
    assert setter(Op("MatMul")) == "/job:worker"
    steps = []

    class Supervisor:
        stops = iter([False, False, True])

        def managed_session(self, master):
            import contextlib

            return contextlib.nullcontext("session")

        def should_stop(self):
            return next(self.stops)

    tf.train.basic_train_loop(Supervisor(), lambda sess, n: steps.append((sess, n)), args=(1,))
    assert steps == [("session", 1), ("session", 1)]
