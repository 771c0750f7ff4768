"""AutoGraph's `if`, conditional expressions and `and`/`or`/`not`: traced equals eager."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.graph.autograph.undefined import UndefinedVariableError


def both(fn, *args):
    """(eager result, traced result) as NumPy values."""
    eager = fn(*args)
    traced = tf.function(fn)(*args)
    return tf.nest.map_structure(np.asarray, eager), tf.nest.map_structure(np.asarray, traced)


def assert_same(fn, *args):
    eager, traced = both(fn, *args)
    for a, b in zip(tf.nest.flatten(eager), tf.nest.flatten(traced)):
        np.testing.assert_allclose(b, a, rtol=1e-6)


def sign_label(x):
    if x > 0:
        y = x * 2.0
    elif x < -1:
        y = x - 10.0
    else:
        y = tf.zeros_like(x)
    return y


@pytest.mark.parametrize("value", [3.0, -0.5, -4.0])
def test_if_elif_else_on_a_tensor(value):
    assert_same(sign_label, tf.constant(value))


def test_a_tensor_if_becomes_one_cond_node():
    f = tf.function(sign_label)
    f(tf.constant(1.0))
    assert "cond" in str(f.graph)


def test_python_conditions_stay_python():
    def f(x, flag):
        if flag:  # a Python bool: only one branch is traced
            return x + 1.0
        return tf.this_attribute_does_not_exist  # never traced, so never looked up

    f = tf.function(f)
    assert float(f(tf.constant(1.0), True)) == 2.0
    assert "cond" not in str(f.graph)


def test_variable_assigned_in_one_branch_is_fine_if_unused_after():
    def f(x):
        if x > 0:
            unused = x * 3.0  # noqa: F841 - defined on one path only, never read
        return x

    assert_same(f, tf.constant(2.0))


def test_variable_assigned_in_one_branch_then_used_names_it():
    @tf.function
    def f(x):
        if x > 0:
            y = x
        return y

    with pytest.raises(UndefinedVariableError, match=r"'y' is assigned only in the true "
                                                      r"branch.*test_autograph_conditionals"):
        f(tf.constant(1.0))


def test_python_numbers_merge_with_tensors_by_dtype():
    def f(x):
        if x > 0:
            y = 1  # a Python int against a float32 tensor: becomes float32
        else:
            y = x * 2.0
        count = 0
        if x > 5:
            count = 1
        return y, count

    for value in (2.0, -3.0, 7.0):
        assert_same(f, tf.constant(value))


def test_nested_structures_in_branches():
    def f(x):
        if tf.reduce_sum(x) > 0:
            pair = (x, {"s": x * 2.0})
        else:
            pair = (-x, {"s": x * 0.0})
        return pair

    assert_same(f, tf.constant([1.0, 2.0]))
    assert_same(f, tf.constant([-1.0, -2.0]))


def test_branches_with_different_shapes_merge_to_unknown_dimensions():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def f(x):
        if tf.size(x) > 2:
            y = x[:2]
        else:
            y = tf.concat([x, x], 0)
        return y

    np.testing.assert_allclose(f(tf.constant([1.0, 2.0, 3.0])), [1.0, 2.0])
    np.testing.assert_allclose(f(tf.constant([5.0])), [5.0, 5.0])


def test_return_inside_branches():
    def f(x):
        if x > 10:
            return x * 0.0
        if x > 0:
            return x + 100.0
        return -x

    for value in (20.0, 3.0, -2.0):
        assert_same(f, tf.constant(value))


def test_conditional_expression_and_logic():
    def f(x, y):
        a = x if x > y else y
        b = 1.0 if (x > 0 and y > 0) or not x < 5 else -1.0
        c = tf.cast(x > 0 or y > 0, tf.float32)
        return a, b, c

    for x, y in [(1.0, 2.0), (-1.0, 3.0), (6.0, -1.0), (-2.0, -3.0)]:
        assert_same(f, tf.constant(x), tf.constant(y))


def test_and_is_lazy_on_a_tensor_condition():
    def f(x, i):
        # The second operand would index out of range when the first is false.
        if i < 3 and tf.gather(x, i) > 0:
            return 1
        return 0

    f = tf.function(f)
    x = tf.constant([1.0, -1.0, 2.0])
    assert [int(f(x, tf.constant(i))) for i in range(5)] == [1, 0, 1, 0, 0]


def test_number_condition_uses_truthiness_and_non_scalar_is_an_error():
    def f(x):
        if x:  # a float scalar: compared with 0, as Python does
            return 1
        return 0

    assert_same(f, tf.constant(0.0))
    assert_same(f, tf.constant(2.5))

    @tf.function
    def g(x):
        if x > 0:
            return x
        return -x

    with pytest.raises(TypeError, match=r"test_autograph_conditionals.py:\d+.*scalar"):
        g(tf.constant([1.0, 2.0]))


def test_variables_assigned_in_branches():
    v = tf.Variable(0.0)

    @tf.function
    def f(x):
        if x > 0:
            v.assign_add(x)
        else:
            v.assign_sub(1.0)
        return v.read_value()

    assert float(f(tf.constant(2.0))) == 2.0
    assert float(f(tf.constant(-5.0))) == 1.0


def test_real_tensorflow_agrees_on_a_branchy_function():
    real = pytest.importorskip("tensorflow")

    def make(lib):
        def f(x):
            if lib.reduce_sum(x) > 1.0:
                y = x * 2.0
            elif lib.reduce_max(x) < 0.0:
                y = -x
            else:
                y = x + 1.0
            return y
        return lib.function(f)

    for values in ([1.0, 2.0], [-1.0, -2.0], [0.2, 0.3]):
        ours = make(tf)(tf.constant(values)).numpy()
        theirs = make(real)(real.constant(values)).numpy()
        np.testing.assert_allclose(ours, theirs)
