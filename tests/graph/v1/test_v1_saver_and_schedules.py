"""TF 1 Saver (TensorFlow's V2 format both ways), the RMSProp/Adagrad/Adadelta optimizers
against NumPy, learning-rate schedules, variables initialized from graph tensors, and
TF 1's argument spellings."""

import math
import os

import numpy as np
import pytest

import fluxion.compat.v1 as tf
from fluxion.core import context
from fluxion.train import tensor_bundle

pytest.importorskip("google.protobuf")
SAVER_FIXTURE = os.path.join(os.path.dirname(__file__), "..", "..", "train", "fixtures",
                             "tf_checkpoints", "saver", "model.ckpt")


@pytest.fixture(autouse=True)
def graph_mode():
    tf.disable_v2_behavior()
    yield
    tf.enable_v2_behavior()
    tf.reset_default_graph()
    assert context.tracer is None


def test_saver_round_trip_numbering_and_max_to_keep(tmp_path):
    w = tf.Variable(tf.random_normal([3, 2]), name="w")
    with tf.variable_scope("layer"):
        b = tf.get_variable("b", [2], initializer=tf.ones_initializer())
    step = tf.train.get_or_create_global_step()
    bump = tf.assign_add(step, 1)
    saver = tf.train.Saver(max_to_keep=2)
    paths = []
    with tf.Session() as session:
        session.run(tf.global_variables_initializer())
        for _ in range(3):
            session.run(bump)
            paths.append(saver.save(session, str(tmp_path / "model.ckpt"), global_step=step))
        saved_w = session.run(w)
    assert paths == [str(tmp_path / f"model.ckpt-{i}") for i in (1, 2, 3)]
    assert not tensor_bundle.exists(paths[0]) and saver.last_checkpoints == paths[1:]
    assert tf.train.latest_checkpoint(str(tmp_path)) == paths[-1]
    assert dict(tf.train.list_variables(paths[-1])) == {"w": [3, 2], "layer/b": [2],
                                                        "global_step": []}
    with tf.Session() as session:
        saver.restore(session, paths[-1])  # no initializer needed
        restored_w, restored_b, restored_step = session.run([w, b, step])
    np.testing.assert_array_equal(restored_w, saved_w)
    np.testing.assert_array_equal(restored_b, [1.0, 1.0])
    assert restored_step == 3


def test_saver_restores_a_checkpoint_written_by_tensorflow():
    w1 = tf.Variable(np.zeros((3, 4), np.float32), name="w1")
    b1 = tf.Variable(np.zeros(4, np.int32), name="layer/b1")
    reader = tf.train.load_checkpoint(SAVER_FIXTURE)
    with tf.Session() as session:
        tf.train.Saver().restore(session, SAVER_FIXTURE)
        got_w, got_b = session.run([w1, b1])
    np.testing.assert_array_equal(got_w, reader.get_tensor("w1"))
    np.testing.assert_array_equal(got_b, [0, 1, 2, 3])


def test_saver_errors(tmp_path):
    tf.Variable(1.0, name="v")
    saver = tf.train.Saver()
    with tf.Session() as session:
        with pytest.raises(ValueError, match="None"):
            saver.restore(session, None)
        with pytest.raises(tf.errors.NotFoundError, match="nothing"):
            saver.restore(session, str(tmp_path / "nothing"))
        with pytest.raises(tf.errors.NotFoundError, match="Key v not found"):
            saver.restore(session, SAVER_FIXTURE)


def _one_variable_steps(optimizer, grads, start):
    v = tf.Variable(np.array(start, np.float32), name="v")
    g = tf.placeholder(tf.float32, [len(start)])
    train = optimizer.apply_gradients([(g, v)])
    values = []
    with tf.Session() as session:
        session.run(tf.global_variables_initializer())
        for grad in grads:
            session.run(train, {g: grad})
            values.append(session.run(v))
    return values


GRADS = [np.array([0.5, -1.0], np.float32), np.array([0.25, 2.0], np.float32)]


def test_rmsprop_matches_numpy_with_momentum_and_centered():
    for centered in (False, True):
        tf.reset_default_graph()
        got = _one_variable_steps(tf.train.RMSPropOptimizer(0.1, decay=0.9, momentum=0.5,
                                                            epsilon=1e-6, centered=centered),
                                  GRADS, [1.0, 2.0])
        var, ms, mg, mom = np.array([1.0, 2.0]), np.ones(2), np.zeros(2), np.zeros(2)
        for grad, value in zip(GRADS, got):
            ms = 0.9 * ms + 0.1 * grad ** 2
            mg = 0.9 * mg + 0.1 * grad
            denominator = ms - mg ** 2 if centered else ms
            mom = 0.5 * mom + 0.1 * grad / np.sqrt(denominator + 1e-6)
            var = var - mom
            np.testing.assert_allclose(value, var, rtol=1e-5)


def test_adagrad_and_adadelta_match_numpy():
    got = _one_variable_steps(tf.train.AdagradOptimizer(0.1, initial_accumulator_value=0.2),
                              GRADS, [1.0, 2.0])
    var, accum = np.array([1.0, 2.0]), np.full(2, 0.2)
    for grad, value in zip(GRADS, got):
        accum = accum + grad ** 2
        var = var - 0.1 * grad / np.sqrt(accum)
        np.testing.assert_allclose(value, var, rtol=1e-5)
    tf.reset_default_graph()
    got = _one_variable_steps(tf.train.AdadeltaOptimizer(1.0, rho=0.9, epsilon=1e-3),
                              GRADS, [1.0, 2.0])
    var, accum, accum_update = np.array([1.0, 2.0]), np.zeros(2), np.zeros(2)
    for grad, value in zip(GRADS, got):
        accum = 0.9 * accum + 0.1 * grad ** 2
        update = np.sqrt(accum_update + 1e-3) / np.sqrt(accum + 1e-3) * grad
        accum_update = 0.9 * accum_update + 0.1 * update ** 2
        var = var - update
        np.testing.assert_allclose(value, var, rtol=1e-5)


def test_learning_rate_schedules_follow_the_global_step():
    step = tf.train.get_or_create_global_step()
    set_step = tf.placeholder(tf.int64, [])
    assign = tf.assign(step, set_step)
    schedules = {
        "exp": (tf.train.exponential_decay(0.1, step, 10, 0.5),
                lambda s: 0.1 * 0.5 ** (s / 10)),
        "exp_stair": (tf.train.exponential_decay(0.1, step, 10, 0.5, staircase=True),
                      lambda s: 0.1 * 0.5 ** (s // 10)),
        "natural": (tf.train.natural_exp_decay(0.1, step, 10, 0.5),
                    lambda s: 0.1 * math.exp(-0.5 * s / 10)),
        "inverse": (tf.train.inverse_time_decay(0.1, step, 10, 0.5),
                    lambda s: 0.1 / (1 + 0.5 * s / 10)),
        "poly": (tf.train.polynomial_decay(0.1, step, 20, 0.01, power=2.0),
                 lambda s: (0.1 - 0.01) * (1 - min(s, 20) / 20) ** 2 + 0.01),
        "poly_cycle": (tf.train.polynomial_decay(0.1, step, 20, 0.01, cycle=True),
                       lambda s: (0.1 - 0.01) * (1 - s / (20 * max(math.ceil(s / 20), 1)))
                       + 0.01),
        "cosine": (tf.train.cosine_decay(0.1, step, 20, alpha=0.1),
                   lambda s: 0.1 * (0.9 * 0.5 * (1 + math.cos(math.pi * min(s, 20) / 20))
                                    + 0.1)),
        "piecewise": (tf.train.piecewise_constant(step, [5, 15], [1.0, 0.5, 0.1]),
                      lambda s: 1.0 if s <= 5 else 0.5 if s <= 15 else 0.1),
    }
    with tf.Session() as session:
        session.run(tf.global_variables_initializer())
        for s in (0, 5, 7, 15, 25, 33):
            session.run(assign, {set_step: s})
            for name, (tensor, formula) in schedules.items():
                assert np.isclose(session.run(tensor), formula(s), rtol=1e-5), (name, s)


def test_schedules_are_functions_when_eager():
    tf.enable_v2_behavior()
    tf.reset_default_graph()
    step = tf.Variable(10, dtype=tf.int64)
    schedule = tf.train.exponential_decay(0.1, step, 10, 0.5)
    assert callable(schedule) and np.isclose(float(schedule()), 0.05)
    step.assign(20)
    assert np.isclose(float(schedule()), 0.025)
    tf.disable_v2_behavior()


def test_variable_initialized_from_a_random_graph_op_resamples_per_initializer_run():
    w = tf.Variable(tf.random_normal([50]), name="w")
    with tf.Session() as session:
        session.run(w.initializer)
        first = session.run(w)
        np.testing.assert_array_equal(session.run(w), first)  # a variable keeps its value
        session.run(w.initializer)
        assert not np.array_equal(session.run(w), first)
    with pytest.raises(ValueError, match="not fully known"):
        tf.Variable(tf.placeholder(tf.float32, [None, 2]) * 2.0)


def test_reduce_over_an_unknown_rank_placeholder_reduces_what_is_fed():
    x = tf.placeholder(tf.float32)
    total = tf.reduce_sum(x * 2.0)
    biggest = tf.reduce_max(x)
    with tf.Session() as session:
        assert session.run(total, {x: 3.0}) == 6.0
        assert session.run(total, {x: [[1.0, 2.0], [3.0, 4.0]]}) == 20.0
        assert session.run(biggest, {x: [1.0, 7.0, 2.0]}) == 7.0


def test_tf1_argument_spellings():
    x = np.array([[1.0, 5.0], [7.0, 2.0]], np.float32)
    with tf.Session() as session:
        got = session.run([
            tf.reduce_sum(x, reduction_indices=1, keep_dims=True),
            tf.reduce_mean(x, reduction_indices=[0]),
            tf.argmax(x, dimension=1), tf.arg_min(x, 0),
            tf.expand_dims(x, dim=0), tf.squeeze(np.ones((1, 2, 1)), squeeze_dims=[0]),
            tf.div(7, 2), tf.div(7.0, 2.0), tf.to_float(3), tf.to_int64(2.9),
        ])
    np.testing.assert_array_equal(got[0], [[6.0], [9.0]])
    np.testing.assert_array_equal(got[1], [4.0, 3.5])
    np.testing.assert_array_equal(got[2], [1, 0])
    np.testing.assert_array_equal(got[3], [0, 1])
    assert got[4].shape == (1, 2, 2) and got[5].shape == (2, 1)
    assert got[6] == 3 and got[7] == 3.5 and got[8].dtype == np.float32 and got[9] == 2
    with pytest.raises(ValueError, match="both 'axis' and 'reduction_indices'"):
        tf.reduce_sum(x, axis=0, reduction_indices=0)


def test_initializer_aliases_and_collections():
    v = tf.Variable(3.0, name="v")
    tf.add_to_collection("model_variables", v)
    assert tf.model_variables() == [v] and tf.moving_average_variables() == []
    with tf.Session() as session:
        session.run([tf.initialize_variables([v]), tf.initialize_local_variables(),
                     tf.tables_initializer()])
        assert session.run(v) == 3.0
