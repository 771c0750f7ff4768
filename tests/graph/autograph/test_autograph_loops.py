"""AutoGraph's `while` and `for` loops, with break/continue/return: traced equals eager."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.graph.autograph.conditions import ConversionError
from fluxion.graph.autograph.undefined import UndefinedVariableError


def assert_same(fn, *args):
    eager = fn(*args)
    traced = tf.function(fn)(*args)
    for a, b in zip(tf.nest.flatten(eager), tf.nest.flatten(traced)):
        np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=1e-6)


def collatz_steps(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


@pytest.mark.parametrize("start", [1, 6, 27])
def test_while_on_a_tensor_with_loop_carried_variables(start):
    assert_same(collatz_steps, tf.constant(start))


def test_while_becomes_one_while_node_traced_once():
    f = tf.function(collatz_steps)
    f(tf.constant(6))
    f(tf.constant(7))
    assert f.experimental_get_tracing_count() == 1
    assert "while" in str(f.graph)


def test_for_over_range_with_a_tensor_bound_and_continue():
    def f(n):
        total = 0
        for i in range(n):
            if i % 3 == 0:
                continue
            total += i * i
        return total

    for n in (0, 1, 7, 10):
        assert_same(f, tf.constant(n))


def test_for_over_tf_range_with_start_and_negative_step():
    def f(a, b):
        s = tf.constant(0)
        for i in range(a, b, -2):
            s = s + i
        return s

    assert_same(f, tf.constant(9), tf.constant(0))
    assert_same(f, tf.constant(0), tf.constant(9))


def test_for_over_a_tensor_iterates_its_first_axis():
    def f(x):
        total = tf.zeros([3])
        for row in x:
            total += row * row
        return total

    assert_same(f, tf.reshape(tf.range(12.0), [4, 3]))
    traced = tf.function(f, input_signature=[tf.TensorSpec([None, 3], tf.float32)])
    np.testing.assert_allclose(traced(tf.ones([5, 3])), [5.0, 5.0, 5.0])


def test_break_out_of_a_while_and_a_for():
    def f(x):
        i = 0
        while True:
            x = x * 2.0
            i += 1
            if x > 100.0:
                break
        for j in tf.range(10):
            if j * j > i:
                break
            x = x + 1.0
        return x, i

    for value in (0.5, 3.0, 200.0):
        assert_same(f, tf.constant(value))


def test_return_from_inside_nested_loops():
    def find(matrix, target):
        for i in tf.range(tf.shape(matrix)[0]):
            for j in tf.range(tf.shape(matrix)[1]):
                if matrix[i, j] == target:
                    return i * 10 + j
        return -1

    m = tf.constant([[1, 2, 3], [4, 5, 6]])
    for target in (1, 5, 6, 9):
        assert_same(find, m, tf.constant(target))


def test_while_else_runs_when_no_break():
    def f(n):
        i = 0
        found = 0
        while i < n:
            if i == 7:
                found = 1
                break
            i += 1
        else:
            found = -1
        return found

    assert_same(f, tf.constant(10))
    assert_same(f, tf.constant(3))


def test_list_appends_in_a_tensor_loop_stack_into_a_tensor():
    def f(x):
        outputs = []
        for row in x:
            outputs.append(tf.reduce_sum(row) * 2.0)
        return tf.stack(outputs)

    assert_same(f, tf.ones([4, 3]))

    @tf.function
    def squares(n):
        items = []
        i = 0
        while i < n:
            items.append(i * i)
            i += 1
        return tf.stack(items)

    np.testing.assert_array_equal(squares(tf.constant(5)), [0, 1, 4, 9, 16])


def test_appending_to_a_python_list_in_a_python_loop_stays_python():
    @tf.function
    def f(x):
        pieces = []
        for i in range(3):  # a Python loop: unrolled, the list stays a list
            pieces.append(x * i)
        return pieces

    result = f(tf.constant(2.0))
    assert isinstance(result, list) and [float(t) for t in result] == [0.0, 2.0, 4.0]


def test_python_number_loop_variables_take_the_dtype_the_body_gives():
    def f(n):
        x = 0  # becomes float32: the body adds a float
        i = 0
        while i < n:
            x = x + 0.5
            i += 1
        return x

    assert_same(f, tf.constant(5))


def test_shapes_changing_across_iterations_are_relaxed():
    @tf.function
    def f(n):
        x = tf.ones([1])
        for _ in tf.range(n):
            x = tf.concat([x, x * 2.0], 0)
        return x

    np.testing.assert_allclose(f(tf.constant(2)), [1.0, 2.0, 2.0, 4.0])


def test_set_loop_options_maximum_iterations():
    @tf.function
    def f(x):
        while x < 1000.0:
            tf.autograph.experimental.set_loop_options(maximum_iterations=3)
            x = x + 1.0
        return x

    assert float(f(tf.constant(0.0))) == 3.0


def test_python_loop_with_a_tensor_break_guards_later_iterations():
    def f(x):
        n = 0
        for i in range(5):  # a Python range; the break depends on a tensor
            if x < i:
                break
            n += 1
        return n

    for value in (-1.0, 2.5, 10.0):
        assert_same(f, tf.constant(value))


def test_variable_defined_only_in_a_tensor_loop_is_undefined_after_it():
    @tf.function
    def f(n):
        for i in tf.range(n):
            last = i
        return last

    with pytest.raises(UndefinedVariableError, match=r"'last' is first assigned inside the "
                                                      r"loop at .*test_autograph_loops"):
        f(tf.constant(3))


def test_changing_a_loop_variable_dtype_names_the_variable():
    @tf.function
    def f(n):
        x = tf.constant(0)
        while x < n:
            x = tf.cast(x, tf.float32) + 1.5
        return x

    with pytest.raises(ConversionError, match=r"'x' is int32 before the loop at "
                                              r".*test_autograph_loops.py:\d+ but float32"):
        f(tf.constant(3))


def test_python_object_changed_by_a_tensor_loop_is_an_error():
    @tf.function
    def f(n):
        note = None
        i = 0
        while i < n:
            note = "visited"
            i += 1
        return note

    with pytest.raises(ConversionError, match="'note' is a NoneType before the loop"):
        f(tf.constant(2))


def test_for_over_a_dataset_runs_on_every_call():
    data = tf.data.Dataset.from_tensor_slices(np.arange(10, dtype="float32")).batch(3)
    total = tf.Variable(0.0)

    @tf.function
    def f():
        count = 0
        for batch in data:
            total.assign_add(tf.reduce_sum(batch))
            count += 1
            if count >= 3:
                break
        return count

    assert int(f()) == 3 and float(total.numpy()) == 36.0  # 0+..+8
    assert int(f()) == 3 and float(total.numpy()) == 72.0  # the loop runs again


def test_training_loop_over_a_dataset_in_a_function():
    w = tf.Variable([0.0, 0.0])
    xs = np.random.default_rng(0).normal(size=(32, 2)).astype("float32")
    ys = xs @ np.array([2.0, -1.0], "float32")
    data = tf.data.Dataset.from_tensor_slices((xs, ys)).batch(8)

    @tf.function
    def epoch():
        loss_sum = tf.constant(0.0)
        for x, y in data:
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((tf.linalg.matvec(x, w) - y) ** 2)
            w.assign_sub(0.1 * tape.gradient(loss, w))
            loss_sum += loss
        return loss_sum

    first = float(epoch())
    for _ in range(30):
        last = float(epoch())
    assert last < first * 0.01
    np.testing.assert_allclose(w.numpy(), [2.0, -1.0], atol=0.05)


def test_print_of_a_tensor_prints_on_every_call(capfd):
    @tf.function
    def f(x):
        print("tracing")  # no tensor: Python's print, at trace time only
        print("x =", x)
        return x + 1

    f(tf.constant(1))
    f(tf.constant(5))
    out = capfd.readouterr().out
    assert out.count("tracing") == 1
    assert "x = 1" in out and "x = 5" in out


def test_enumerate_and_zip_over_datasets_and_tensors():
    data = tf.data.Dataset.from_tensor_slices(np.arange(8, dtype="float32")).batch(2)
    labels = tf.data.Dataset.from_tensor_slices(np.arange(4, dtype="float32"))

    @tf.function
    def f(x):
        total = tf.constant(0.0)
        for step, batch in enumerate(data, 1):
            total += tf.reduce_sum(batch) * tf.cast(step, tf.float32)
        for _batch, label in zip(data, labels):
            total += label
        for i, row in enumerate(x):
            total += tf.reduce_sum(row) * tf.cast(i, tf.float32)
        return total

    # 1*1 + 2*5 + 3*9 + 4*13 = 90; labels 0+1+2+3 = 6; rows: 0*1 + 1*2 + 2*3 = 8
    x = tf.constant([[1.0], [2.0], [3.0]])
    assert float(f(x)) == 104.0
    traced = tf.function(f.python_function,
                         input_signature=[tf.TensorSpec([None, 1], tf.float32)])
    assert float(traced(x)) == 104.0


def test_real_tensorflow_agrees_on_loops_with_break_continue_return():
    real = pytest.importorskip("tensorflow")

    def make(lib):
        def f(n, x):
            total = lib.constant(0.0)
            for i in lib.range(n):
                if i % 3 == 0:
                    continue
                total += x * lib.cast(i, lib.float32)
                if total > 50.0:
                    break
            while total > 1.0:
                total = total / 2.0
                if total < 3.0:
                    total = total * 10.0
                    break
            if total > 20.0:
                return total - 20.0
            return total
        return lib.function(f)

    for n, x in [(0, 1.0), (5, 2.0), (20, 3.0), (7, -1.0)]:
        ours = float(make(tf)(tf.constant(n), tf.constant(x)))
        theirs = float(make(real)(real.constant(n), real.constant(x)))
        assert ours == pytest.approx(theirs)
