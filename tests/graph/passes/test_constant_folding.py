"""Constant folding: nodes computable at compile time become constants."""

import numpy as np
from pass_helpers import Unchanged, apply_node, prim_names, run_graph, trace_graph

import fluxion as tf
from fluxion.core.primitive import REGISTRY, Aval
from fluxion.graph.ir import Graph, Value, constant_value
from fluxion.graph.passes.constant_folding import constant_folding
from fluxion.graph.passes.prune import prune

P = REGISTRY


def _graph_on(x_aval=None) -> tuple[Graph, Value | None]:
    graph = Graph(name="hand")
    x = None
    if x_aval is not None:
        x = Value(x_aval)
        graph.inputs.append(x)
    return graph, x


def test_folds_a_chain_of_constant_nodes_and_keeps_results():
    graph, x = _graph_on(Aval((3,), tf.float32))
    a = constant_value(np.array([1.0, 2.0, 3.0], np.float32))
    two = constant_value(np.float32(2.0))
    (doubled,) = apply_node(graph, P["mul"], a, two)
    (shifted,) = apply_node(graph, P["add"], doubled, a)
    (out,) = apply_node(graph, P["mul"], x, shifted)
    graph.outputs = [out]
    before = Unchanged(graph)
    folded = prune(constant_folding(graph))
    before.check()
    assert prim_names(folded) == ["mul"]
    constant = folded.nodes[0].inputs[1]
    assert constant.is_constant and constant.aval == Aval((3,), tf.float32)
    np.testing.assert_array_equal(constant.constant, [3.0, 6.0, 9.0])
    xs = np.array([1.0, -1.0, 0.5], np.float32)
    np.testing.assert_array_equal(run_graph(folded, xs)[0], run_graph(graph, xs)[0])


def test_folds_nodes_with_several_outputs_and_constant_graph_outputs():
    graph, _ = _graph_on()
    a = constant_value(np.arange(6, dtype=np.int32))
    left, right = apply_node(graph, P["split"], a, sizes=(2, 4), axis=0)
    graph.outputs = [right, left]
    folded = constant_folding(graph)
    assert folded.nodes == []
    assert all(v.is_constant for v in folded.outputs)
    got = run_graph(folded)
    np.testing.assert_array_equal(got[0], [2, 3, 4, 5])
    np.testing.assert_array_equal(got[1], [0, 1])


def test_shape_only_inputs_fold_when_their_static_shape_is_known():
    def f(x):
        return tf.ones_like(x) * 3.0 + x, tf.shape(x)

    graph = trace_graph(f, ((2, 3), "float32"))
    folded = prune(constant_folding(graph))
    assert "fill_like" not in prim_names(folded) and "shape" not in prim_names(folded)
    assert prim_names(folded) == ["add"]
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    out, shape = run_graph(folded, x)
    np.testing.assert_array_equal(out, x + 3.0)
    np.testing.assert_array_equal(shape, [2, 3])


def test_unknown_dimensions_are_not_folded():
    graph = trace_graph(lambda x: tf.ones_like(x) + x, ((None, 3), "float32"))
    assert prim_names(constant_folding(graph)) == prim_names(graph)
    x = np.ones((4, 3), np.float32)
    np.testing.assert_array_equal(run_graph(constant_folding(graph), x)[0], x + 1)


def test_big_results_stay_in_the_graph():
    graph, x = _graph_on(Aval((1000,), tf.float32))
    big = constant_value(np.ones(1000, np.float32))
    (doubled,) = apply_node(graph, P["add"], big, big)
    (out,) = apply_node(graph, P["add"], x, doubled)
    graph.outputs = [out]
    assert prim_names(constant_folding(graph, max_elements=999)) == ["add", "add"]
    assert prim_names(constant_folding(graph, max_elements=1000)) == ["add"]


def test_stateful_nodes_are_never_folded():
    v = tf.Variable([1.0, 2.0])

    def f():
        v.assign(tf.constant([3.0, 4.0]))
        return v.read_value() * 2.0

    graph = trace_graph(f)
    folded = constant_folding(graph)
    assert prim_names(folded).count("assign_variable") == 1
    run_graph(folded)
    np.testing.assert_array_equal(v.numpy(), [3.0, 4.0])


def test_a_failing_kernel_is_left_to_fail_at_run_time():
    graph, _ = _graph_on()
    a = constant_value(np.arange(6, dtype=np.float32))
    (out,) = apply_node(graph, P["reshape"], a, shape=(3, 2))
    out_node = graph.nodes[0]
    out_node.attrs = {"shape": (4, 2)}  # a broken node the shape rule never saw
    graph.outputs = [out]
    assert prim_names(constant_folding(graph)) == ["reshape"]


def test_function_results_are_unchanged_by_folding():
    @tf.function
    def f(x):
        scale = tf.reduce_sum(tf.ones_like(x)) / 4.0
        return x * scale + tf.cast(tf.shape(x)[0], tf.float32)

    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(f(x).numpy(), (x.numpy() * 1.0 + 2.0))
    assert "fill_like" not in prim_names(f.graph) and "shape" not in prim_names(f.graph)
