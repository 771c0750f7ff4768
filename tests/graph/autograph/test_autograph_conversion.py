"""AutoGraph's conversion machinery: recursion, caching, the public API, errors."""

import logging

import numpy as np
import pytest
from helpers_for_conversion import Accumulator, Child, clipped_double  # noqa: I001

import fluxion as tf
from fluxion import keras
from fluxion.graph.autograph import conversion
from fluxion.graph.symbolic import SymbolicTensorError


def test_called_user_functions_are_converted_recursively():
    @tf.function
    def f(x):
        return clipped_double(x) + 1.0

    assert float(f(tf.constant(3.0))) == 7.0
    assert float(f(tf.constant(30.0))) == 11.0


def test_callable_objects_and_super_calls_are_converted():
    @tf.function
    def f(x):
        return Accumulator(5.0)(tf.abs(x)), Child().scale(x)

    total, scaled = f(tf.constant(2.0))
    assert float(total) == 6.0 and float(scaled) == 6.0
    total, scaled = f(tf.constant(-1.5))
    assert float(scaled) == 1.5


def test_methods_decorated_with_function():
    class Model:
        def __init__(self):
            self.w = tf.Variable(2.0)

        @tf.function
        def __call__(self, x):
            if x > 0:
                return x * self.w
            return x

    model = Model()
    assert float(model(tf.constant(3.0))) == 6.0
    assert float(model(tf.constant(-3.0))) == -3.0


def test_library_code_is_not_converted():
    assert not conversion.is_user_code(tf.reduce_sum)
    assert not conversion.is_user_code(np.asarray)
    assert not conversion.is_user_code(logging.getLogger)
    assert conversion.is_user_code(clipped_double)


def test_closures_see_later_changes_and_nonlocal_writes():
    scale = 2.0
    calls = []

    def outer():
        counter = 0

        @tf.function
        def f(x):
            nonlocal counter
            calls.append(1)  # a closure's list: appended to as is, at trace time
            if x > 0:
                y = x * scale
            else:
                y = x
            counter += 1
            return y

        return f, lambda: counter

    f, count = outer()
    assert float(f(tf.constant(1.0))) == 2.0
    assert count() == 1 and calls == [1]


def test_global_declarations_survive_conversion():
    @tf.function
    def f(x):
        global GLOBAL_TRACES
        GLOBAL_TRACES = GLOBAL_TRACES + 1
        if x > 0:
            return x
        return -x

    global GLOBAL_TRACES
    GLOBAL_TRACES = 0
    assert float(f(tf.constant(-4.0))) == 4.0
    assert GLOBAL_TRACES == 1


def test_autograph_false_turns_conversion_off():
    def f(x):
        if x > 0:
            return x
        return -x

    with pytest.raises(SymbolicTensorError, match="autograph=False"):
        tf.function(f, autograph=False)(tf.constant(1.0))
    assert float(tf.function(f)(tf.constant(-1.0))) == 1.0


def test_do_not_convert_runs_the_function_as_is():
    @tf.autograph.experimental.do_not_convert
    def helper(x):
        if x > 0:
            return x
        return -x

    @tf.function
    def f(x):
        return helper(x)

    with pytest.raises(SymbolicTensorError, match="do_not_convert"):
        f(tf.constant(1.0))
    assert float(helper(tf.constant(-2.0))) == 2.0  # eagerly it just runs


def test_to_code_shows_the_generated_source():
    def f(x):
        while x < 10:
            x = x * 2
        return x

    code = tf.autograph.to_code(f)
    assert "ag__.while_stmt" in code and "def loop_body" in code
    compile(code, "<to_code>", "exec")  # valid Python


def test_to_graph_converts_for_use_in_a_graph():
    def f(x):
        if x > 0:
            return x * 10.0
        return x

    converted = tf.autograph.to_graph(f)
    assert float(converted(tf.constant(2.0))) == 20.0  # eagerly: same as f
    traced = tf.function(converted, autograph=False)
    assert float(traced(tf.constant(-2.0))) == -2.0
    assert float(traced(tf.constant(3.0))) == 30.0


def test_set_verbosity_logs_the_converted_source(caplog):
    def f(x):
        if x > 0:
            x = x + 1
        return x

    tf.autograph.set_verbosity(3)
    try:
        with caplog.at_level(logging.INFO, logger="fluxion.autograph"):
            tf.function(f)(tf.constant(1))
    finally:
        tf.autograph.set_verbosity(0)
    assert "ag__.if_stmt" in caplog.text


def test_trace_prints_at_trace_time_only(capsys):
    @tf.function
    def f(x):
        tf.autograph.trace("tracing with", 1)
        return x

    f(tf.constant(1))
    f(tf.constant(2))
    assert capsys.readouterr().out.count("tracing with 1") == 1


def test_functions_without_source_run_unconverted_with_a_warning(caplog):
    namespace = {}
    exec("def f(x):\n    return x + 1\n", {"tf": tf}, namespace)
    with caplog.at_level(logging.WARNING, logger="fluxion.autograph"):
        assert float(tf.function(namespace["f"])(tf.constant(1.0))) == 2.0
    assert "could not convert" in caplog.text


def test_errors_in_converted_code_name_the_users_line():
    @tf.function
    def f(x):
        y = x * 2.0
        if y > 0:
            z = tf.reshape(y, [3])  # the failing line
        else:
            z = y
        return z

    line = f.python_function.__code__.co_firstlineno + 4
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=rf"(?s)reshape.*called at .*test_autograph_conversion.py:{line}\b"):
        f(tf.constant(1.0))


def test_keras_layer_call_with_tensor_control_flow_trains_under_fit():
    class SignFlip(keras.layers.Layer):
        def call(self, x):
            if tf.reduce_sum(x) > 0:
                y = x * 2.0
            else:
                y = -x
            return y

    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.flip = SignFlip()
            self.dense = keras.layers.Dense(1)

        def call(self, x):
            return self.dense(self.flip(x))

    model = Net()
    model.compile("sgd", "mse")
    x = np.ones((16, 3), "float32")
    history = model.fit(x, np.ones((16, 1), "float32"), epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    kernel = model.dense.kernel.numpy()
    expected = x[:2] @ kernel + model.dense.bias.numpy()  # the negative branch: -(-x)
    np.testing.assert_allclose(model.predict(-x[:2], verbose=0), expected, rtol=1e-5)


def test_lambdas_and_cond_while_loop_branches_are_converted():
    def helper(x):
        if x > 0:
            return x * 2.0
        return -x

    @tf.function
    def f(x, y):
        scale = lambda v: v if v > 1.0 else v * 100.0  # noqa: E731 - the case under test
        a = tf.cond(y > 0, lambda: helper(x), lambda: helper(-x))
        _, c = tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s + helper(x - 1.0)),
                             (0, 0.0))
        return a, scale(x), c

    assert [float(v) for v in f(tf.constant(0.5), tf.constant(1.0))] == [1.0, 50.0, 1.5]
    assert [float(v) for v in f(tf.constant(3.0), tf.constant(-1.0))] == [3.0, 3.0, 12.0]


def test_two_lambdas_on_one_line_are_told_apart():
    @tf.function
    def f(x):
        first, second = (lambda v: v if v > 0 else -v), (lambda v: v * 2.0 if v > 0 else v)
        return first(x), second(x)

    assert [float(v) for v in f(tf.constant(-3.0))] == [3.0, -3.0]
    assert [float(v) for v in f(tf.constant(2.0))] == [2.0, 4.0]
