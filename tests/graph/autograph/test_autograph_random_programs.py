"""Property test: random programs with tensor-dependent control flow, traced == eager.

``random_programs`` writes each program's source; it is saved to a file (AutoGraph
reads source code) and run eagerly as plain Python, and traced with fluxion.function
(AutoGraph converts it into cond / while_loop).  Values and gradients must agree.
"""

import importlib.util

import numpy as np
import pytest
from random_programs import generate  # noqa: I001

import fluxion as tf

SEEDS = range(60)


def load(seed: int, directory, appends: bool = True):
    path = directory / f"random_program_{seed}.py"
    path.write_text("import fluxion as tf\n\n\n" + generate(seed, appends))
    spec = importlib.util.spec_from_file_location(f"random_program_{seed}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.prog


def inputs(rng):
    return (tf.constant(rng.uniform(-1, 1), tf.float32), tf.constant(rng.uniform(-1, 1),
                                                                      tf.float32),
            tf.constant(int(rng.integers(0, 5)), tf.int32),
            tf.constant(rng.uniform(-1, 1, size=3), tf.float32))


def as_number(value):
    return np.asarray(value.numpy() if hasattr(value, "numpy") else value, dtype=np.float64)


@pytest.mark.parametrize("seed", SEEDS)
def test_random_program_traced_equals_eager(seed, tmp_path):
    prog = load(seed, tmp_path)
    traced = tf.function(prog)
    rng = np.random.default_rng(seed)
    for _ in range(3):
        args = inputs(rng)
        eager_value, eager_count = prog(*args)
        traced_value, traced_count = traced(*args)
        np.testing.assert_allclose(as_number(traced_value), as_number(eager_value),
                                   rtol=1e-5, atol=1e-6, err_msg=generate(seed))
        assert as_number(traced_count) == as_number(eager_count), generate(seed)
    assert traced.experimental_get_tracing_count() == 1  # one graph for every input


def gradients_of(prog):
    def grads(x, y, n, vec):
        with tf.GradientTape() as tape:
            tape.watch([x, y])
            value, _ = prog(x, y, n, vec)
        return tape.gradient(value, [x, y],
                             unconnected_gradients=tf.UnconnectedGradients.ZERO)
    return grads


@pytest.mark.parametrize("seed", SEEDS)
def test_random_program_gradients_traced_equal_eager(seed, tmp_path):
    prog = load(seed, tmp_path)
    grads = gradients_of(prog)
    traced = tf.function(grads)
    rng = np.random.default_rng(1000 + seed)
    for _ in range(2):
        args = inputs(rng)
        eager = [as_number(g) for g in grads(*args)]
        graph = [as_number(g) for g in traced(*args)]
        np.testing.assert_allclose(graph, eager, rtol=1e-4, atol=1e-5, err_msg=generate(seed))
