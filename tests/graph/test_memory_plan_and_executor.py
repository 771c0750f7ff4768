"""The executor's generated code and the in-place memory plan."""

import numpy as np

import fluxion as tf
from fluxion.core.primitive import Aval
from fluxion.graph.executor import CompiledGraph, propagate_shapes
from fluxion.graph.ir import Graph
from fluxion.graph.memory_plan import plan_in_place
from fluxion.graph.tracer import Tracer, tracing


def trace(fn, *avals):
    tracer = Tracer(Graph(name="t"))
    inputs = [tracer.add_input(Aval(shape, tf.as_dtype(dtype))) for shape, dtype in avals]
    with tracing(tracer):
        out = fn(*inputs)
    tracer.graph.outputs = [tracer.value_of(o) for o in (out if isinstance(out, tuple) else (out,))]
    return tracer.graph


def test_dead_elementwise_buffers_are_reused():
    graph = trace(lambda x: tf.tanh(tf.exp(x * 2.0) + 1.0), ((4, 3), "float32"))
    plan = plan_in_place(graph, propagate_shapes(graph, [(4, 3)]))
    assert len(plan) == 3  # exp, add and tanh write into the previous buffer
    x = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    (out,) = CompiledGraph(graph)(x)
    np.testing.assert_allclose(out, np.tanh(np.exp(x * 2) + 1), rtol=1e-6)


def test_inputs_views_and_outputs_are_never_overwritten():
    graph = trace(lambda x: (tf.reshape(x * 2.0, [-1]) + 1.0, x * 3.0), ((2, 2), "float32"))
    compiled = CompiledGraph(graph)
    x = np.ones((2, 2), np.float32)
    first, second = compiled(x)
    np.testing.assert_array_equal(x, np.ones((2, 2)))  # the caller's array is untouched
    np.testing.assert_array_equal(first, np.full(4, 3.0))
    np.testing.assert_array_equal(second, np.full((2, 2), 3.0))
    assert "out=a0" not in compiled.python_source()


def test_values_stored_in_variables_are_not_overwritten():
    v = tf.Variable(np.zeros(3, np.float32))

    @tf.function
    def f(x):
        v.assign(x * 2.0)
        return v.read_value() * 3.0 + 1.0

    x = tf.constant([1.0, 2.0, 3.0])
    for _ in range(2):
        np.testing.assert_allclose(f(x).numpy(), [7.0, 13.0, 19.0])
        np.testing.assert_allclose(v.numpy(), [2.0, 4.0, 6.0])


def test_one_specialisation_per_input_shape_and_no_retrace():
    @tf.function(input_signature=[tf.TensorSpec([None, 2])])
    def f(x):
        return tf.reduce_sum(x * x + 1.0, axis=1)

    for n in (3, 5, 3):
        np.testing.assert_allclose(f(tf.ones([n, 2])).numpy(), np.full(n, 4.0))
    concrete = f.get_concrete_function()
    assert f.experimental_get_tracing_count() == 1
    assert len(concrete._compiled._runners) == 2
    assert "def run(a0):" in concrete.python_source()


def _bias_relu_step(x, b):
    """A bias add, relu, and the gradients of both, as fit's step computes them."""
    with tf.GradientTape() as tape:
        tape.watch([x, b])
        y = tf.nn.relu(x + b)
        loss = tf.reduce_sum(y * y)
    return tuple(tape.gradient(loss, [x, b]))


def test_shape_only_uses_keep_no_buffer_alive():
    # The gradient of ``x + b`` sums to ``x`` 's shape: a use of ``x`` that reads only its
    # shape.  It must not keep ``x * 2`` alive, so the add and the relu can run in place.
    def fn(x, b):
        return _bias_relu_step(x * 2.0, b)

    graph = trace(fn, ((None, 4), "float32"), ((4,), "float32"))
    compiled = CompiledGraph(graph)
    rng = np.random.default_rng(0)
    x, b = rng.normal(size=(8, 4)).astype(np.float32), rng.normal(size=4).astype(np.float32)
    dx, db = compiled(x, b)
    y = np.maximum(2 * x + b, 0)
    np.testing.assert_allclose(dx, 2 * y, rtol=1e-6)  # with respect to x * 2
    np.testing.assert_allclose(db, (2 * y).sum(axis=0), rtol=1e-5)
    source = compiled.python_source()
    assert "# add" in source and "out=" in source.split("# add")[0].splitlines()[-1]
    relu_line = next(line for line in source.splitlines() if line.endswith("# relu"))
    assert "out=" in relu_line
    relu_grad_line = next(line for line in source.splitlines() if line.endswith("# relu_grad"))
    assert "out=" in relu_grad_line


def test_like_ops_that_change_nothing_at_these_shapes_are_aliases():
    graph = trace(lambda x, b: _bias_relu_step(x, b), ((None, 4), "float32"), ((4,), "float32"))
    compiled = CompiledGraph(graph)
    compiled(np.ones((3, 4), np.float32), np.ones(4, np.float32))
    source = compiled.python_source()
    # the batch dimension is unknown in the trace; at (3, 4) the sum over the bias's
    # broadcast still runs, the no-op sum back to x's own shape does not
    assert source.count("# sum_to_like") == 1


def test_values_no_later_node_reads_are_freed_while_the_graph_runs():
    import tracemalloc

    def chain(x):  # 12 reversals, each a fresh 4 MB array nothing overwrites in place
        outputs = []
        for step in range(12):
            x = tf.reverse(x, [step % 2])
            if step == 5:
                outputs.append(x)  # a graph output in the middle stays alive
        return tuple(outputs) + (x,)

    graph = trace(chain, ((1000, 1000), "float32"))
    compiled = CompiledGraph(graph)
    x = np.random.default_rng(0).normal(size=(1000, 1000)).astype(np.float32)
    compiled(x)  # specialise first: codegen's own allocations are not measured
    tracemalloc.start()
    try:
        middle, last = compiled(x)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * x.nbytes  # the live values only (was 12 arrays: all kept to the end)
    np.testing.assert_array_equal(middle, x[::-1, ::-1])  # three reversals of each axis
    np.testing.assert_array_equal(last, x)
    assert "del " in compiled.python_source()
