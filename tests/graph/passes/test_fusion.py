"""Elementwise fusion: ufunc chains become one node computing into one buffer."""

import numpy as np
import pytest
from pass_helpers import Unchanged, apply_node, prim_names, run_graph, trace_graph

import fluxion as tf
from fluxion.core.primitive import REGISTRY, Aval
from fluxion.graph.executor import CompiledGraph
from fluxion.graph.ir import Graph, Value, constant_value
from fluxion.graph.passes.fusion import fused_elementwise_p, fusion

rng = np.random.default_rng(0)


def _fused(fn, *specs):
    graph = trace_graph(fn, *specs)
    before = Unchanged(graph)
    result = fusion(graph)
    before.check()
    return graph, result


def _body(source: str) -> list[str]:
    return [line.strip() for line in source.splitlines()[1:-1]]


def test_a_chain_becomes_one_node_with_a_program():
    graph, fused = _fused(lambda x, w, b: tf.tanh(x * w + b),
                          ((4, 3), "float32"), ((3,), "float32"), ((4, 3), "float32"))
    assert prim_names(fused) == ["fused_elementwise"]
    node = fused.nodes[0]
    assert node.inputs == fused.inputs
    assert node.attrs["program"] == (("multiply", (0, 1)), ("add", (-1, 2)), ("tanh", (-1,)))
    assert node.outputs[0].aval == graph.outputs[0].aval
    arrays = [rng.standard_normal(s).astype(np.float32) for s in ((4, 3), (3,), (4, 3))]
    np.testing.assert_allclose(run_graph(fused, *arrays)[0],
                               np.tanh(arrays[0] * arrays[1] + arrays[2]), rtol=1e-6)


def test_the_generated_code_writes_every_step_into_one_buffer():
    _, fused = _fused(lambda x, y: tf.exp(tf.abs(x - y) * 0.5), ((8, 5), "float32"),
                      ((8, 5), "float32"))
    compiled = CompiledGraph(fused)
    x, y = (rng.standard_normal((8, 5)).astype(np.float32) for _ in range(2))
    np.testing.assert_allclose(compiled(x, y)[0], np.exp(np.abs(x - y) * 0.5), rtol=1e-6)
    body = _body(compiled.python_source())
    assert body[0].startswith("v") and "subtract(a0, a1)" in body[0]
    assert "fused_elementwise: subtract, absolute, multiply, exp" in body[0]
    out = body[0].split(" = ")[0]
    assert body[1:] == [f"absolute({out}, out={out})",
                        f"multiply({out}, c{fused.nodes[0].inputs[2].id}, out={out})",
                        f"exp({out}, out={out})"]


def test_a_dead_input_buffer_holds_the_result():
    def f(x, y):
        product = tf.matmul(x, y)  # a fresh buffer, dead after the chain
        return tf.exp(product + 1.0) * 2.0

    _, fused = _fused(f, ((3, 3), "float32"), ((3, 3), "float32"))
    compiled = CompiledGraph(fused)
    x, y = (rng.standard_normal((3, 3)).astype(np.float32) for _ in range(2))
    np.testing.assert_allclose(compiled(x, y)[0], np.exp(x @ y + 1.0) * 2.0, rtol=1e-6)
    body = _body(compiled.python_source())
    product = body[0].split(" = ")[0]
    assert body[1].endswith(f"out={product})  # fused_elementwise: add, exp, multiply")
    assert "xp.empty" not in compiled.python_source()


def test_a_buffer_another_input_views_is_not_overwritten():
    def f(x):
        square = tf.matmul(x, x)  # fresh; its transpose is a view of the same buffer
        return tf.exp((square + 1.0) * tf.transpose(square))

    _, fused = _fused(f, ((3, 3), "float32"))
    x = rng.standard_normal((3, 3)).astype(np.float32)
    s = x @ x
    np.testing.assert_allclose(run_graph(fused, x)[0], np.exp((s + 1.0) * s.T), rtol=1e-6)


def test_scalar_chains_compute_into_a_zero_dimensional_buffer():
    _, fused = _fused(lambda x: tf.sqrt(tf.reduce_sum(x) * 2.0 + 1.0), ((4,), "float32"))
    compiled = CompiledGraph(fused)
    x = np.arange(4, dtype=np.float32)
    out = compiled(x)[0]
    np.testing.assert_allclose(out, np.sqrt(x.sum() * 2.0 + 1.0))
    assert np.asarray(out).dtype == np.float32
    assert "xp.empty((), 'float32')" in compiled.python_source()


def test_unknown_dimensions_are_expanded_per_specialisation():
    _, fused = _fused(lambda x: tf.exp(x) * 2.0 - 1.0, ((None, 2), "float32"))
    compiled = CompiledGraph(fused)
    for n in (1, 5):
        x = rng.standard_normal((n, 2)).astype(np.float32)
        np.testing.assert_allclose(compiled(x)[0], np.exp(x) * 2.0 - 1.0, rtol=1e-6)
    assert "out=" in compiled.python_source()


def _exp_used_twice(x):
    e = tf.exp(x)
    return tf.sin(e + 1.0) * e


@pytest.mark.parametrize("fn, spec, names", [
    # a value two nodes use ends a chain: only add -> sin -> multiply fuses
    (_exp_used_twice, ((3,), "float32"), ["exp", "fused_elementwise"]),
    # a dtype change ends the chain
    (lambda x: tf.exp(x) > 1.0, ((3,), "float32"), ["exp", "greater"]),
    # a link that broadcasts its input would repeat the first step
    (lambda x: tf.exp(x) + tf.ones([4, 3]), ((3,), "float32"), ["exp", "add"]),
    # kernels that are not ufuncs, or carry attributes
    (lambda x: tf.nn.relu(x) + 1.0, ((3,), "float32"), ["relu", "add"]),
    (lambda x: tf.cast(x, tf.float64) * 2.0, ((3,), "float32"), ["cast", "mul"]),
])
def test_what_does_not_fuse(fn, spec, names):
    graph, fused = _fused(fn, spec)
    assert prim_names(fused) == names
    x = rng.standard_normal(spec[0]).astype(np.float32)
    np.testing.assert_allclose(run_graph(fused, x)[0], run_graph(graph, x)[0], rtol=1e-6)


def _exp_and_more(x):
    e = tf.exp(x)
    return e, e * 2.0 + 1.0


def test_a_graph_output_ends_the_chain():
    graph, fused = _fused(_exp_and_more, ((3,), "float32"))
    assert prim_names(fused) == ["exp", "fused_elementwise"]
    x = np.array([0.0, 1.0, 2.0], np.float32)
    for got, want in zip(run_graph(fused, x), run_graph(graph, x)):
        np.testing.assert_allclose(got, want, rtol=1e-6)


def _square_of_exp(x):
    e = tf.exp(x)
    return tf.sin(e * e)


def test_a_value_read_twice_by_the_next_step_still_fuses():
    graph, fused = _fused(_square_of_exp, ((3,), "float32"))
    assert prim_names(fused) == ["fused_elementwise"]
    assert fused.nodes[0].attrs["program"] == (("exp", (0,)), ("multiply", (-1, -1)),
                                               ("sin", (-1,)))
    x = np.array([0.0, 1.0, 2.0], np.float32)
    np.testing.assert_allclose(run_graph(fused, x)[0], np.sin(np.exp(x) ** 2), rtol=1e-6)


def test_the_kernel_alone_computes_with_broadcasting():
    program = (("multiply", (0, 1)), ("add", (-1, 2)))
    a, b, c = np.ones((4, 1)), np.arange(3.0), np.full((4, 3), 2.0)
    got = fused_elementwise_p.impl(a, b, c, program=program, dtype=tf.float64)
    np.testing.assert_array_equal(got, a * b + c)
    aval = fused_elementwise_p.shape_rule(Aval((None, 1), tf.float64), Aval((3,), tf.float64),
                                          Aval((4, 3), tf.float64), program=program,
                                          dtype=tf.float64)
    assert aval == Aval((4, 3), tf.float64)
    with pytest.raises(ValueError, match="must use each of its 2 inputs"):
        fused_elementwise_p.shape_rule(Aval((3,), tf.float64), Aval((3,), tf.float64),
                                       program=(("exp", (0,)),), dtype=tf.float64)


def test_a_chain_whose_first_step_broadcasts_allocates_the_final_shape():
    # Fusion never builds this (the first link would broadcast), but the code path that
    # allocates with np.empty must still be right for programs built by hand.
    graph = Graph(name="hand")
    x = Value(Aval((3,), tf.float32))
    y = Value(Aval((2, 3), tf.float32))
    graph.inputs += [x, y]
    two = constant_value(np.float32(2.0))
    program = (("multiply", (0, 1)), ("add", (-1, 2)))
    graph.outputs = apply_node(graph, fused_elementwise_p, x, two, y, program=program,
                               dtype=tf.float32)
    compiled = CompiledGraph(graph)
    xs, ys = np.arange(3, dtype=np.float32), np.ones((2, 3), np.float32)
    np.testing.assert_array_equal(compiled(xs, ys)[0], xs * 2.0 + ys)
    assert "xp.empty((2, 3), 'float32')" in compiled.python_source()


def test_assignments_survive_and_read_the_fused_result():
    v = tf.Variable([1.0, 2.0, 3.0])
    counter = tf.Variable(0)

    @tf.function
    def step(x):
        v.assign_sub(0.5 * (x * 2.0 + 1.0))
        counter.assign_add(1)
        return v.read_value() * 3.0

    x = tf.constant([1.0, 0.0, -1.0])
    first = step(x)
    np.testing.assert_allclose(first.numpy(), ([1.0, 2.0, 3.0] - 0.5 * np.array([3, 1, -1])) * 3)
    step(x)
    np.testing.assert_allclose(v.numpy(), [1.0, 2.0, 3.0] - np.array([3.0, 1.0, -1.0]))
    assert int(counter.numpy()) == 2
    names = prim_names(step.graph)
    assert names.count("assign_variable") == 2 and "fused_elementwise" in names
    assert REGISTRY["fused_elementwise"] is fused_elementwise_p
