"""fluxion.function: tracing, signatures and retracing, variables, side effects, gradients."""

import sys
import warnings

import numpy as np
import pytest

import fluxion as tf


def test_traces_once_per_signature_and_reuses_the_graph():
    calls = []

    @tf.function
    def f(x, y):
        calls.append(1)  # a Python side effect: runs at trace time only
        return x * y + 1.0

    a = tf.constant([1.0, 2.0])
    np.testing.assert_allclose(f(a, a).numpy(), [2.0, 5.0])
    np.testing.assert_allclose(f(a + 1, a).numpy(), [3.0, 7.0])
    assert len(calls) == 1 and f.experimental_get_tracing_count() == 1
    f(tf.constant([1.0, 2.0, 3.0]), tf.constant([1.0, 2.0, 3.0]))  # new shape: retrace
    f(tf.constant([1, 2]), tf.constant([1, 2]))  # new dtype: retrace
    assert f.experimental_get_tracing_count() == 3


def test_python_values_are_part_of_the_signature():
    @tf.function
    def scale(x, factor):
        return x * factor

    x = tf.constant([1.0])
    assert float(scale(x, 2.0)[0]) == 2.0 and float(scale(x, 3.0)[0]) == 3.0
    assert scale(x, 2.0).numpy()[0] == 2.0
    assert scale.experimental_get_tracing_count() == 2


def test_input_signature_gives_one_trace_and_rejects_other_inputs():
    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
    def double(x):
        return x * 2.0

    assert double(tf.ones([3, 2])).shape == (3, 2)
    assert double(tf.ones([5, 2])).shape == (5, 2)
    assert double(np.ones([1, 2], np.float32)).shape == (1, 2)
    assert double.experimental_get_tracing_count() == 1
    with pytest.raises(TypeError, match=r"input_signature.*float32\(None, 2\)"):
        double(tf.ones([3, 3]))
    with pytest.raises(TypeError, match="input_signature"):
        double(tf.ones([3, 2], tf.float64))


def test_reduce_retracing_generalises_the_varying_dimension():
    @tf.function(reduce_retracing=True)
    def total(x):
        return tf.reduce_sum(x)

    for n in range(1, 6):
        assert float(total(tf.ones([n, 2]))) == 2.0 * n
    assert total.experimental_get_tracing_count() == 2
    assert total.graph.inputs[0].aval.shape == (None, 2)


def test_excessive_retracing_warns_once_and_names_the_cause():
    @tf.function
    def f(x, n):
        return x * n

    x = tf.constant(1.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for n in range(8):
            f(x, float(n))
    messages = [str(w.message) for w in caught if "retracing" in str(w.message)]
    assert len(messages) == 1
    assert "Python argument #1 changed value" in messages[0]


def test_variables_are_captured_by_reference():
    v = tf.Variable(2.0)

    @tf.function
    def times_v(x):
        return x * v

    assert float(times_v(tf.constant(3.0))) == 6.0
    v.assign(10.0)
    assert float(times_v(tf.constant(3.0))) == 30.0
    assert times_v.experimental_get_tracing_count() == 1


def test_assignments_take_effect_in_order():
    v = tf.Variable(1.0)

    @tf.function
    def update():
        v.assign(5.0)
        v.assign_add(2.0)
        first = v.read_value()
        v.assign_sub(1.0)
        return first, v.read_value()

    first, second = update()
    assert float(first) == 7.0 and float(second) == 6.0 and float(v) == 6.0
    update()
    assert float(v) == 6.0


def test_variable_creation_only_on_first_trace():
    holder = {}

    @tf.function
    def make(x):
        holder.setdefault(len(holder), tf.Variable(1.0))
        return x + 1.0

    make(tf.constant(1.0))
    with pytest.raises(ValueError, match="first trace"):
        make(tf.constant([1.0, 2.0]))

    class Lazy:
        def __init__(self):
            self.v = None

        @tf.function
        def __call__(self, x):
            if self.v is None:
                self.v = tf.Variable(tf.ones(x.shape))
            return x * self.v

    layer = Lazy()
    np.testing.assert_allclose(layer(tf.constant([2.0, 3.0])).numpy(), [2.0, 3.0])
    np.testing.assert_allclose(layer(tf.constant([4.0, 5.0])).numpy(), [4.0, 5.0])


def test_fluxion_print_runs_every_call(capsys):
    @tf.function
    def f(x):
        print("tracing")
        tf.print("value:", x, output_stream=sys.stdout)
        return x

    f(tf.constant(1))
    f(tf.constant(2))
    out = capsys.readouterr().out
    assert out.count("tracing") == 1
    assert "value: 1" in out and "value: 2" in out


def test_gradient_tape_inside_a_function_matches_eager():
    w = tf.Variable([[1.0, -2.0], [0.5, 3.0]])
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])

    def loss_and_grad(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.nn.relu(x @ w) ** 2)
        return loss, tape.gradient(loss, w)

    eager_loss, eager_grad = loss_and_grad(x)
    traced_loss, traced_grad = tf.function(loss_and_grad)(x)
    np.testing.assert_allclose(traced_loss.numpy(), eager_loss.numpy(), rtol=1e-6)
    np.testing.assert_allclose(traced_grad.numpy(), eager_grad.numpy(), rtol=1e-6)


def test_second_order_gradients_inside_a_function():
    @tf.function
    def second(x):
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                y = x * x * x
            dy = inner.gradient(y, x)
        return outer.gradient(dy, x)

    assert float(second(tf.constant(2.0))) == 12.0


def test_training_step_updates_variables():
    w = tf.Variable(tf.zeros([3, 1]))
    xs = tf.constant(np.random.default_rng(0).normal(size=(64, 3)).astype(np.float32))
    ys = xs @ tf.constant([[1.0], [-2.0], [0.5]])

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((x @ w - y) ** 2)
        w.assign_sub(0.1 * tape.gradient(loss, w))
        return loss

    losses = [float(step(xs, ys)) for _ in range(200)]
    assert losses[-1] < 1e-4 < losses[0]
    np.testing.assert_allclose(w.numpy()[:, 0], [1.0, -2.0, 0.5], atol=1e-2)


def test_python_bool_on_a_symbolic_tensor_names_the_line_and_the_fix():
    @tf.function(autograph=False)
    def branchy(x):
        if x > 0:  # not allowed in a graph without AutoGraph
            return x
        return -x

    with pytest.raises(TypeError, match=r"test_function.py:\d+.*fluxion.cond"):
        branchy(tf.constant(1.0))


def test_kwargs_nested_structures_and_python_outputs():
    @tf.function
    def f(inputs, scale=1.0):
        return {"sum": inputs["a"] + inputs["b"] * scale, "label": "ok", "pair": (inputs["a"], 3)}

    out = f({"a": tf.constant(1.0), "b": tf.constant(2.0)}, scale=3.0)
    assert float(out["sum"]) == 7.0 and out["label"] == "ok" and out["pair"][1] == 3


def test_get_concrete_function_and_introspection():
    @tf.function
    def f(x):
        return tf.nn.relu(x) * 2.0

    concrete = f.get_concrete_function(tf.TensorSpec([None, 4], tf.float32))
    np.testing.assert_allclose(concrete(tf.constant([[-1.0, 1.0, 2.0, -3.0]])).numpy(),
                               [[0.0, 2.0, 4.0, 0.0]])
    assert f.experimental_get_tracing_count() == 1
    text = str(f.graph)
    assert "relu" in text and "float32[?, 4]" in text
    assert "digraph" in f.graph.to_dot()
    source = f.python_source()
    assert source.startswith("def run(") and "# relu" in source


def test_run_functions_eagerly():
    seen = []

    @tf.function
    def f(x):
        seen.append(x.numpy())  # only possible eagerly
        return x

    tf.config.run_functions_eagerly(True)
    try:
        f(tf.constant(1.0))
        f(tf.constant(2.0))
    finally:
        tf.config.run_functions_eagerly(False)
    assert seen == [1.0, 2.0] and f.experimental_get_tracing_count() == 0


def test_methods_get_one_function_per_instance():
    class Scaler:
        def __init__(self, factor):
            self.factor = factor

        @tf.function
        def __call__(self, x):
            return x * self.factor

    a, b = Scaler(2.0), Scaler(3.0)
    assert float(a(tf.constant(1.0))) == 2.0 and float(b(tf.constant(1.0))) == 3.0


def test_symbolic_tensor_errors_are_clear():
    @tf.function
    def f(x):
        return x.numpy()

    with pytest.raises(TypeError, match="symbolic"):
        f(tf.constant(1.0))


def test_random_ops_draw_anew_each_call():
    tf.random.set_seed(3)

    @tf.function
    def draw():
        return tf.random.uniform([4])

    first, second = draw().numpy(), draw().numpy()
    assert not np.array_equal(first, second)


def test_concat_gradient_with_unknown_sizes():
    @tf.function(input_signature=[tf.TensorSpec([None, 2]), tf.TensorSpec([None, 2])])
    def grads(a, b):
        with tf.GradientTape() as tape:
            tape.watch([a, b])
            y = tf.reduce_sum(tf.concat([a, b], 0) ** 2)
        return tape.gradient(y, [a, b])

    ga, gb = grads(tf.ones([2, 2]), tf.fill([1, 2], 3.0))
    np.testing.assert_allclose(ga.numpy(), np.full((2, 2), 2.0))
    np.testing.assert_allclose(gb.numpy(), np.full((1, 2), 6.0))
