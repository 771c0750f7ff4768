"""Variables read, assigned and returned inside ``fluxion.function`` behave as in eager mode.

A property test: random programs over a few variables (reads, ``assign``, ``assign_add``,
``assign_sub``, assignments inside ``cond``, arithmetic, and returning variables
themselves, earlier reads or expressions) run once eagerly and once traced, call after
call.  Every call of
the traced function must return what the eager program returns at that call, and leave
the variables holding the same values.  The oracle is eager execution (NumPy kernels).
"""

import numpy as np
import pytest

import fluxion as tf
from fluxion import keras

N_VARIABLES = 3
N_CALLS = 4


def _random_program(rng: np.random.Generator) -> list[tuple]:
    """A list of statements; each is a tuple the interpreter below understands."""
    statements = []
    n_saved = 0
    for _ in range(int(rng.integers(1, 9))):
        kind = str(rng.choice(["assign", "assign_add", "assign_sub", "cond_assign",
                               "save_read", "save_expr"]))
        target = int(rng.integers(N_VARIABLES))
        source = int(rng.integers(N_VARIABLES))
        scale = float(rng.integers(-3, 4))
        statements.append((kind, target, source, scale))
        n_saved += kind in ("save_read", "save_expr")
    returned = []
    for _ in range(int(rng.integers(1, 5))):
        what = rng.choice(["variable", "saved", "expr"]) if n_saved else \
            rng.choice(["variable", "expr"])
        index = int(rng.integers(n_saved if what == "saved" else N_VARIABLES))
        returned.append((what, index))
    statements.append(("return", returned))
    return statements


def _run(statements, variables, x):
    """Interprets ``statements`` on ``variables`` with input ``x``; eager or traced alike."""
    saved = []
    for statement in statements:
        kind = statement[0]
        if kind == "return":
            out = []
            for what, index in statement[1]:
                if what == "variable":
                    out.append(variables[index])  # the variable object itself
                elif what == "saved":
                    out.append(saved[index])
                else:
                    out.append(variables[index] * 2.0 + x)
            return out
        _, target, source, scale = statement
        value = variables[source] * scale + x
        if kind == "assign":
            variables[target].assign(value)
        elif kind == "assign_add":
            variables[target].assign_add(value)
        elif kind == "assign_sub":
            variables[target].assign_sub(value)
        elif kind == "cond_assign":  # which assignment runs depends on the input
            tf.cond(x > 0, lambda t=target, v=value: variables[t].assign_add(v),
                    lambda t=target, v=value: variables[t].assign(v * 0.5))
        elif kind == "save_read":
            saved.append(variables[target].read_value())
        else:
            saved.append(variables[target] + variables[source] * scale)
    raise AssertionError("program without return")


def _fresh_variables():
    return [tf.Variable(np.float32(i + 1)) for i in range(N_VARIABLES)]


@pytest.mark.parametrize("seed", range(40))
def test_random_programs_traced_equal_eager(seed):
    rng = np.random.default_rng(seed)
    statements = _random_program(rng)
    inputs = [np.float32(v) for v in rng.integers(-2, 3, size=N_CALLS)]

    eager_vars = _fresh_variables()
    traced_vars = _fresh_variables()
    traced = tf.function(lambda x: _run(statements, traced_vars, x))
    for call, x in enumerate(inputs):
        expected = [float(np.asarray(v)) for v in _run(statements, eager_vars, tf.constant(x))]
        got = [float(np.asarray(v)) for v in traced(tf.constant(x))]
        assert got == expected, f"call {call}: program {statements}"
        assert [float(v.numpy()) for v in traced_vars] == \
            [float(v.numpy()) for v in eager_vars], f"call {call}: program {statements}"
    assert traced.experimental_get_tracing_count() == 1


def test_returned_variable_is_read_at_each_call():
    counter = tf.Variable(0.0)

    @tf.function
    def step(x):
        counter.assign_add(x)
        return counter

    assert [float(step(tf.constant(1.0))) for _ in range(3)] == [1.0, 2.0, 3.0]


def test_returned_variable_sees_assignments_made_outside():
    v = tf.Variable(3.0)
    read = tf.function(lambda: {"v": v, "twice": v * 2.0})
    assert float(read()["v"]) == 3.0
    v.assign(5.0)
    out = read()
    assert (float(out["v"]), float(out["twice"])) == (5.0, 10.0)


def test_read_before_assignment_keeps_old_value():
    v = tf.Variable(1.0)

    @tf.function
    def swap():
        old = v.read_value()
        v.assign(old + 10.0)
        return old, v

    old, new = swap()
    assert (float(old), float(new)) == (1.0, 11.0)
    old, new = swap()
    assert (float(old), float(new)) == (11.0, 21.0)


class _CountPositives(keras.metrics.Metric):
    """A metric whose ``result()`` returns its state variable itself."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.count = self.add_weight(name="count", shape=(), initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.count.assign_add(keras.ops.sum(keras.ops.cast(y_true > 0.5, "float32")))

    def result(self):
        return self.count


def test_keras_metric_returning_state_variable_reports_its_value():
    rng = np.random.default_rng(0)
    x = rng.random((64, 3)).astype("float32")
    y = (rng.random((64, 1)) > 0.5).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", metrics=[_CountPositives(name="positives")])
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert history.history["positives"] == [float(y.sum())] * 2
    result = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    assert result["positives"] == float(y.sum())
