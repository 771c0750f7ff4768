"""tf.compat.v1 assertions and numeric checks: eagerly and in a Session graph."""

import numpy as np
import pytest

import fluxion as fx
import fluxion.compat.v1 as tf
from fluxion.core.errors import InvalidArgumentError

VALUE_CHECKS = [
    # (check, arguments that hold, arguments that fail)
    (tf.assert_greater_equal, ([2, 3], [2, 1]), ([2, 3], [3, 1])),
    (tf.assert_less_equal, ([2, 1], [2, 3]), ([2, 4], [2, 3])),
    (tf.assert_none_equal, ([1, 2], [3, 4]), ([1, 2], [1, 5])),
    (tf.assert_positive, ([1, 2],), ([0, 2],)),
    (tf.assert_negative, ([-1, -2],), ([-1, 0],)),
    (tf.assert_non_negative, ([0, 2],), ([-1, 2],)),
    (tf.assert_non_positive, ([0, -2],), ([1, -2],)),
    (tf.assert_near, ([1.0, 2.0], [1.0, 2.0 + 1e-7]), ([1.0, 2.0], [1.0, 2.1])),
]


@pytest.mark.parametrize("check,good,bad", VALUE_CHECKS,
                         ids=[c[0].__name__ for c in VALUE_CHECKS])
def test_value_checks_eager(check, good, bad):
    check(*[np.asarray(a, np.float32) for a in good])
    with pytest.raises(InvalidArgumentError):
        check(*[np.asarray(a, np.float32) for a in bad], message="custom")


@pytest.mark.parametrize("check,good,bad", VALUE_CHECKS,
                         ids=[c[0].__name__ for c in VALUE_CHECKS])
def test_value_checks_run_in_a_session(check, good, bad):
    with fx.compat.v1.Graph().as_default():
        x = tf.placeholder(tf.float32, [None])
        rest = [np.asarray(a, np.float32) for a in good[1:]]
        op = check(x, *rest)
        with tf.Session() as sess:
            sess.run(op, {x: np.asarray(good[0], np.float32)})
            if len(bad) == len(good) and all(np.array_equal(a, b) for a, b in
                                              zip(good[1:], bad[1:])):
                with pytest.raises(InvalidArgumentError):
                    sess.run(op, {x: np.asarray(bad[0], np.float32)})


def test_static_checks():
    tf.assert_integer(np.int32(3))
    with pytest.raises(TypeError, match="integer"):
        tf.assert_integer(np.float32(3.0))
    tf.assert_type(fx.constant(1.0), tf.float32)
    with pytest.raises(TypeError, match="int32"):
        tf.assert_type(fx.constant(1.0), tf.int32)
    assert tf.assert_scalar(fx.constant(2.0)).numpy() == 2.0
    with pytest.raises(ValueError, match="scalar"):
        tf.assert_scalar(fx.constant([2.0]))
    tf.assert_rank_at_least(np.zeros((2, 3)), 2)
    with pytest.raises(ValueError, match="at least 3"):
        tf.assert_rank_at_least(np.zeros((2, 3)), 3)
    tf.assert_rank_in(np.zeros((2,)), [1, 3])
    with pytest.raises(ValueError, match="rank in"):
        tf.assert_rank_in(np.zeros((2, 2)), [1, 3])
    assert tf.assert_same_float_dtype([fx.constant(1.0), fx.constant(2.0)]) == tf.float32
    assert tf.assert_same_float_dtype() == tf.float32
    with pytest.raises(ValueError):
        tf.assert_same_float_dtype([fx.constant(1.0), fx.constant(1.0, tf.float64)])
    with pytest.raises(ValueError):
        tf.assert_same_float_dtype([fx.constant(1)])
    tf.assert_proper_iterable([1, 2])
    for improper in (fx.constant([1]), np.zeros(2), "ab", 3):
        with pytest.raises(TypeError):
            tf.assert_proper_iterable(improper)
    assert tf.is_numeric_tensor(fx.constant(1.0))
    assert not tf.is_numeric_tensor(fx.constant("a")) and not tf.is_numeric_tensor(1.0)


def test_check_numerics():
    np.testing.assert_array_equal(tf.check_numerics(fx.constant([1.0, 2.0]), "ok").numpy(),
                                  [1.0, 2.0])
    with pytest.raises(InvalidArgumentError, match="bad values"):
        tf.check_numerics(fx.constant([1.0, np.inf]), "bad values")
    with pytest.raises(InvalidArgumentError, match="NaN"):
        tf.verify_tensor_all_finite(fx.constant([np.nan]), msg="verify")
    with fx.compat.v1.Graph().as_default():
        x = tf.placeholder(tf.float32, [2])
        y = tf.check_numerics(x * 2.0, "doubled")
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(y, {x: [1.0, 2.0]}), [2.0, 4.0])
            with pytest.raises(InvalidArgumentError, match="doubled"):
                sess.run(y, {x: [1.0, np.nan]})


def test_add_check_numerics_ops():
    with fx.compat.v1.Graph().as_default():
        x = tf.placeholder(tf.float32, [2])
        y = tf.log(x)
        check = tf.add_check_numerics_ops()
        with tf.Session() as sess:
            sess.run([y, check], {x: [1.0, 2.0]})
            with pytest.raises(InvalidArgumentError, match="NaN or Inf"):
                sess.run([y, check], {x: [0.0, 2.0]})
