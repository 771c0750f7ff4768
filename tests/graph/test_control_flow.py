"""cond, while_loop, case and switch_case: eager and traced values, gradients, errors."""

from __future__ import annotations

import collections

import numpy as np
import pytest

import fluxion as tf
from fluxion.graph.control_flow import case, cond, switch_case, while_loop


def _nodes(fn, name):
    return [node for node in fn.graph.nodes if node.prim.name == name]


def _grad(f, x):
    """d f(x) / dx for a scalar function of a scalar, with a tape."""
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    return tape.gradient(y, x)


def _finite_difference(f, x, eps=1e-4):
    return (float(f(tf.constant(x + eps, tf.float64)))
            - float(f(tf.constant(x - eps, tf.float64)))) / (2 * eps)


# --- cond ----------------------------------------------------------------------------------------
def test_cond_eager_runs_the_chosen_branch_only():
    ran = []
    assert cond(True, lambda: ran.append("t") or 1, lambda: ran.append("f") or 2) == 1
    assert float(cond(tf.constant(False), lambda: 1.0, lambda: tf.constant(2.0))) == 2.0
    assert ran == ["t"]


def test_cond_traced_is_one_node_and_matches_numpy():
    @tf.function
    def f(x):
        return cond(tf.reduce_sum(x) > 0, lambda: x * x, lambda: -x)

    for value in ([1.0, 2.0], [-3.0, 1.0]):
        x = np.array(value, np.float32)
        expected = x * x if x.sum() > 0 else -x
        np.testing.assert_allclose(f(tf.constant(x)).numpy(), expected)
    assert len(_nodes(f, "cond")) == 1
    assert "cond(" in str(f.graph)


def test_cond_nested_structures_and_captures():
    @tf.function
    def f(x, y):
        return cond(x > y, lambda: {"a": (x, y * 2), "b": x + 1},
                    lambda: {"a": (y, x), "b": tf.constant(0.0)})

    out = f(tf.constant(3.0), tf.constant(1.0))
    assert [float(v) for v in out["a"]] == [3.0, 2.0] and float(out["b"]) == 4.0
    out = f(tf.constant(0.0), tf.constant(1.0))
    assert [float(v) for v in out["a"]] == [1.0, 0.0] and float(out["b"]) == 0.0


def test_cond_result_shape_is_most_specific_compatible():
    @tf.function
    def f(x):
        return cond(x[0] > 0, lambda: x, lambda: tf.concat([x, x], 0))

    concrete = f.get_concrete_function(tf.TensorSpec([3], tf.float32))
    assert concrete.graph.outputs[0].aval.shape == (None,)
    assert f(tf.constant([1.0, 2.0, 3.0])).shape == [3]
    assert f(tf.constant([-1.0, 2.0, 3.0])).shape == [6]


def test_cond_branch_structure_mismatch_is_a_clear_error():
    f = tf.function(lambda x: cond(x > 0, lambda: (x, x), lambda: x))
    with pytest.raises(ValueError, match="true_fn and false_fn must return the same structure"):
        f(tf.constant(1.0))


def test_cond_branch_dtype_mismatch_names_both():
    f = tf.function(lambda x: cond(x > 0, lambda: x, lambda: tf.cast(x, tf.float64)))
    with pytest.raises(TypeError, match="float32 in true_fn but float64 in false_fn"):
        f(tf.constant(1.0))


def test_cond_bad_predicate_and_functions():
    with pytest.raises(TypeError, match="'true_fn' must be callable"):
        cond(True, 1, lambda: 2)
    with pytest.raises(TypeError, match="pred must be a boolean"):
        tf.function(lambda x: cond(x, lambda: 1.0, lambda: 2.0))(tf.constant(1))
    with pytest.raises(ValueError, match="pred must be a scalar"):
        tf.function(lambda x: cond(x > 0, lambda: 1.0, lambda: 2.0))(tf.constant([1.0, 2.0]))


def test_python_if_on_symbolic_tensor_points_to_cond():
    def f(x):
        if x > 0:
            return x
        return -x

    with pytest.raises(TypeError, match="fluxion.cond"):
        tf.function(f, autograph=False)(tf.constant(1.0))
    assert float(tf.function(f)(tf.constant(-2.0))) == 2.0  # AutoGraph converts it


def _piecewise(x):
    return cond(x > 0, lambda: x * x * x, lambda: tf.sin(x) * 2.0)


@pytest.mark.parametrize("x", [1.5, -0.7])
def test_cond_gradients_eager_and_traced(x):
    analytic = 3 * x * x if x > 0 else 2 * np.cos(x)
    np.testing.assert_allclose(float(_grad(_piecewise, x)), analytic, rtol=1e-5)
    traced = tf.function(lambda v: _grad(_piecewise, v))
    np.testing.assert_allclose(float(traced(x)), analytic, rtol=1e-5)
    np.testing.assert_allclose(_finite_difference(_piecewise, x), analytic, rtol=1e-4)


@pytest.mark.parametrize("x", [1.5, -0.7])
def test_cond_second_derivative_traced(x):
    @tf.function
    def second(v):
        with tf.GradientTape() as outer:
            outer.watch(v)
            with tf.GradientTape() as inner:
                inner.watch(v)
                y = _piecewise(v)
            dy = inner.gradient(y, v)
        return dy, outer.gradient(dy, v)

    dy, d2y = second(tf.constant(x))
    np.testing.assert_allclose(float(dy), 3 * x * x if x > 0 else 2 * np.cos(x), rtol=1e-5)
    np.testing.assert_allclose(float(d2y), 6 * x if x > 0 else -2 * np.sin(x), rtol=1e-5)
    assert len(_nodes(second, "cond")) >= 2  # the forward cond and its gradient conds


def test_cond_gradient_with_respect_to_captured_variable():
    v = tf.Variable(3.0)

    @tf.function
    def f(x):
        with tf.GradientTape() as tape:
            y = cond(x > 0, lambda: v * x, lambda: v * v)
        return tape.gradient(y, v)

    assert float(f(tf.constant(2.0))) == 2.0
    assert float(f(tf.constant(-2.0))) == 6.0


def test_cond_assigns_variables_in_a_branch():
    v = tf.Variable(1.0)

    @tf.function
    def f(x):
        cond(x > 0, lambda: v.assign_add(x), lambda: v)
        return v.read_value() * 1.0

    assert float(f(tf.constant(2.0))) == 3.0
    assert float(f(tf.constant(-5.0))) == 3.0
    assert float(v.numpy()) == 3.0


# --- while_loop ----------------------------------------------------------------------------------
def test_while_loop_eager_and_structures():
    i, x = while_loop(lambda i, x: i < 3, lambda i, x: (i + 1, x * 2.0), (0, 1.0))
    assert int(i) == 3 and float(x) == 8.0
    Point = collections.namedtuple("Point", "i x")
    out = while_loop(lambda i, x: i < 2, lambda i, x: Point(i + 1, x + 1.0), Point(0, 0.0))
    assert isinstance(out, Point) and float(out.x) == 2.0
    (single,) = while_loop(lambda i: i < 4, lambda i: i + 1, [0])
    assert int(single) == 4
    assert int(while_loop(lambda i: i < 30, lambda i: i + 1, [0], maximum_iterations=5)[0]) == 5


def test_while_loop_traced_is_one_node_and_matches_numpy():
    @tf.function
    def f(x, n):
        return while_loop(lambda i, y: i < n, lambda i, y: (i + 1, y * x), [0, tf.ones_like(x)])

    x = np.array([1.5, -2.0], np.float32)
    i, y = f(tf.constant(x), tf.constant(3))
    assert int(i) == 3
    np.testing.assert_allclose(y.numpy(), x ** 3, rtol=1e-6)
    assert len(_nodes(f, "while")) == 1
    i, y = f(tf.constant(x), tf.constant(0))
    np.testing.assert_allclose(y.numpy(), [1.0, 1.0])


def test_while_loop_maximum_iterations_and_shape_invariants_traced():
    @tf.function
    def capped(x, n):
        return while_loop(lambda i: i < 100.0, lambda i: i + 1, [x], maximum_iterations=n)

    assert float(capped(tf.constant(0.0), tf.constant(4))[0]) == 4.0

    @tf.function
    def doubling(x):
        return while_loop(lambda v: tf.shape(v)[0] < 5, lambda v: tf.concat([v, v], 0), [x],
                          shape_invariants=[tf.TensorShape([None])])

    assert doubling(tf.constant([1.0]))[0].shape == [8]


def test_while_loop_errors():
    with pytest.raises(TypeError, match="dtype float32 but has dtype float64"):
        tf.function(lambda x: while_loop(lambda i: i < 3.0,
                                         lambda i: tf.cast(i, tf.float64) + 1, [x]))(
            tf.constant(0.0))
    with pytest.raises(TypeError, match="dtype int32 but has dtype float32"):
        while_loop(lambda i: i < 3, lambda i: tf.cast(i, tf.float32) + 1, [0])
    with pytest.raises(ValueError, match="shape_invariants"):
        tf.function(lambda x: while_loop(lambda v: tf.reduce_sum(v) < 3.0,
                                         lambda v: tf.concat([v, v], 0), [x]))(
            tf.constant([1.0]))
    with pytest.raises(ValueError, match="structure of loop_vars"):
        tf.function(lambda x: while_loop(lambda i: i < 3.0, lambda i: (i, i), [x]))(
            tf.constant(0.0))
    with pytest.raises(TypeError, match="cond must return a scalar boolean"):
        tf.function(lambda x: while_loop(lambda i: i, lambda i: i + 1, [x]))(tf.constant(0.0))
    with pytest.raises(ValueError, match="'loop_vars' must be provided"):
        while_loop(lambda: True, lambda: (), [])


def _power(x, n=4):
    """x ** n by repeated multiplication."""
    _, y = while_loop(lambda i, y: i < n, lambda i, y: (i + 1, y * x), [0, tf.ones_like(x)])
    return y


def _halve_until_small(x):
    """Halves x until it is below 1: the iteration count depends on the input."""
    (y,) = while_loop(lambda v: v > 1.0, lambda v: [v * 0.5], [x])
    return y * y


@pytest.mark.parametrize("fn, x, analytic", [
    (_power, 1.3, 4 * 1.3 ** 3),
    (_halve_until_small, 5.0, 2 * 5.0 / 64),  # three halvings: y = x / 8, d(y^2)/dx = 2x/64
])
def test_while_loop_gradients_eager_and_traced(fn, x, analytic):
    np.testing.assert_allclose(float(_grad(fn, x)), analytic, rtol=1e-5)
    traced = tf.function(lambda v: _grad(fn, v))
    np.testing.assert_allclose(float(traced(x)), analytic, rtol=1e-5)
    np.testing.assert_allclose(_finite_difference(fn, x), analytic, rtol=1e-4)


def test_while_loop_gradient_through_captured_tensor_and_second_order():
    @tf.function
    def f(x, a):
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch([x, a])
                _, y = while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * x + a),
                                  [0, tf.ones_like(x)])
            dx, da = inner.gradient(y, [x, a])
        return y, dx, da, outer.gradient(dx, x)

    x, a = 1.5, 0.5
    y, dx, da, dxx = f(tf.constant(x), tf.constant(a))
    # y = x^3 + a x^2 + a x + a
    np.testing.assert_allclose(float(y), x ** 3 + a * x * x + a * x + a, rtol=1e-6)
    np.testing.assert_allclose(float(dx), 3 * x * x + 2 * a * x + a, rtol=1e-5)
    np.testing.assert_allclose(float(da), x * x + x + 1, rtol=1e-5)
    np.testing.assert_allclose(float(dxx), 6 * x + 2 * a, rtol=1e-5)


def test_while_loop_assigns_variables_in_the_body():
    total = tf.Variable(0.0)

    @tf.function
    def f(n):
        while_loop(lambda i: i < n, lambda i: (total.assign_add(tf.cast(i, tf.float32)),
                                               i + 1)[1], [0])
        return total.read_value() + 0.0

    assert float(f(tf.constant(4))) == 6.0
    assert float(total.numpy()) == 6.0


def test_cond_inside_while_and_while_inside_cond_gradients():
    def collatz_like(x):
        def body(i, y):
            return i + 1, cond(y > 2.0, lambda: y * 0.5, lambda: y * 3.0)
        return while_loop(lambda i, y: i < 4, body, [0, x])[1]

    def branchy(x):
        return cond(x > 0, lambda: _power(x, 3), lambda: x)

    for fn, x in ((collatz_like, 5.0), (branchy, 1.2), (branchy, -1.0)):
        eager = float(_grad(fn, x))
        traced = float(tf.function(lambda v, fn=fn: _grad(fn, v))(x))
        np.testing.assert_allclose(traced, eager, rtol=1e-5)
        np.testing.assert_allclose(_finite_difference(fn, x), eager, rtol=1e-4)


# --- case and switch_case ------------------------------------------------------------------------
def _classify(x):
    return case([(x < 0, lambda: tf.constant(-1)), (x > 10, lambda: tf.constant(10))],
                default=lambda: tf.constant(0))


@pytest.mark.parametrize("x, expected", [(-5, -1), (5, 0), (50, 10)])
def test_case_eager_and_traced(x, expected):
    assert int(_classify(tf.constant(x))) == expected
    assert int(tf.function(_classify)(tf.constant(x))) == expected


def test_case_first_true_wins_and_runtime_checks():
    pairs = [(tf.constant(True), lambda: 1), (tf.constant(True), lambda: 2)]
    assert case(pairs, default=lambda: 3) == 1
    with pytest.raises(tf.errors.InvalidArgumentError, match="exclusive"):
        case(pairs, default=lambda: 3, exclusive=True)
    with pytest.raises(tf.errors.InvalidArgumentError, match="none of the conditions"):
        case([(tf.constant(False), lambda: 1)])

    @tf.function
    def f(x):
        return case([(x > 0, lambda: x), (x > 1, lambda: x * 2)], exclusive=True)

    assert int(f(tf.constant(1))) == 1
    with pytest.raises(tf.errors.InvalidArgumentError, match="exclusive"):
        f(tf.constant(5))
    with pytest.raises(tf.errors.InvalidArgumentError, match="none of the conditions"):
        f(tf.constant(-5))


def test_switch_case_eager_and_traced():
    branches = [lambda: tf.constant(10), lambda: tf.constant(20), lambda: tf.constant(30)]
    traced = tf.function(lambda i: switch_case(i, branches))
    for index, expected in ((0, 10), (1, 20), (2, 30), (7, 30), (-1, 30)):
        assert int(switch_case(tf.constant(index), branches)) == expected
        assert int(traced(tf.constant(index))) == expected
    with_default = tf.function(lambda i: switch_case(i, {0: lambda: tf.constant(1)},
                                                     default=lambda: tf.constant(9)))
    assert int(with_default(tf.constant(3))) == 9
    assert int(with_default(tf.constant(0))) == 1


def test_random_draws_and_prints_inside_branches_and_loops():
    @tf.function
    def noisy(x):
        return cond(x > 0, lambda: tf.random.uniform([2]), lambda: tf.zeros([2]))

    first, second = noisy(tf.constant(1.0)).numpy(), noisy(tf.constant(1.0)).numpy()
    assert not np.array_equal(first, second)  # the stream state advances through the cond
    np.testing.assert_array_equal(noisy(tf.constant(-1.0)).numpy(), [0.0, 0.0])

    def announce(x):
        tf.print("positive")
        return x

    @tf.function
    def loud(x):
        return cond(x > 0, lambda: announce(x), lambda: -x)

    assert float(loud(tf.constant(2.0))) == 2.0
    assert len(_nodes(loud, "stateful_cond")) == 1  # kept in place by graph passes
