"""Common-subexpression elimination: a computation done twice is done once."""

import numpy as np
from pass_helpers import Unchanged, apply_node, prim_names, run_graph, trace_graph

import fluxion as tf
from fluxion.core.primitive import REGISTRY, Aval
from fluxion.core.tensor import TensorRef
from fluxion.graph.ir import Graph, Value, constant_value
from fluxion.graph.passes.cse import cse
from fluxion.graph.passes.prune import prune

P = REGISTRY


def test_duplicate_nodes_and_constants_merge():
    def f(x, y):
        a = tf.exp(x) * 2.0  # each 2.0 is its own captured constant
        b = tf.exp(x) * 2.0
        return a + b, tf.exp(y)

    graph = trace_graph(f, ((3,), "float32"), ((3,), "float32"))
    before = Unchanged(graph)
    merged = prune(cse(graph))
    before.check()
    assert prim_names(graph) == ["exp", "mul", "exp", "mul", "add", "exp"]
    assert prim_names(merged) == ["exp", "mul", "add", "exp"]
    add = merged.nodes[2]
    assert add.inputs[0] is add.inputs[1]
    x = np.array([0.0, 1.0, -1.0], np.float32)
    y = np.array([2.0, 3.0, 4.0], np.float32)
    for got, want in zip(run_graph(merged, x, y), run_graph(graph, x, y)):
        np.testing.assert_array_equal(got, want)


def test_different_attributes_or_inputs_do_not_merge():
    def f(x):
        return (tf.reduce_sum(x, axis=0), tf.reduce_sum(x, axis=1), tf.reduce_sum(x, axis=0),
                x * 2.0, x * 3.0, x * tf.constant(2.0, tf.float32))

    merged = prune(cse(trace_graph(f, ((2, 3), "float32"))))
    assert prim_names(merged) == ["reduce_sum", "reduce_sum", "mul", "mul"]
    assert merged.outputs[0] is merged.outputs[2]
    assert merged.outputs[3] is merged.outputs[5]


def test_constants_equal_only_in_dtype_shape_and_bytes():
    graph = Graph(name="hand")
    x = Value(Aval((2,), tf.float32))
    graph.inputs.append(x)
    outs = []
    for array in (np.float32(0.0), np.float32(-0.0), np.array([0.0], np.float32),
                  np.float32(0.0)):
        outs += apply_node(graph, P["add"], x, constant_value(array))
    graph.outputs = outs
    merged = cse(graph)
    assert len(merged.nodes) == 3  # 0.0 twice merges; -0.0 and [0.0] differ
    assert merged.outputs[0] is merged.outputs[3]


def test_attributes_compare_by_type_and_sign():
    graph = Graph(name="hand")
    x = Value(Aval((2,), tf.float32))
    graph.inputs.append(x)
    outs = []
    for value in (0.0, -0.0, 0, False, 0.0):
        outs += apply_node(graph, P["fill_like"], x, value=value)
    graph.outputs = outs
    merged = cse(graph)
    assert len(merged.nodes) == 4
    assert merged.outputs[0] is merged.outputs[4]


def test_stateful_nodes_never_merge():
    v = tf.Variable([1.0, 2.0])
    graph = Graph(name="hand")
    ref = TensorRef(v)
    (first,) = apply_node(graph, P["read_variable"], variable=ref)
    (one,) = apply_node(graph, P["add"], first, constant_value(np.float32(1.0)))
    apply_node(graph, P["assign_variable"], one, variable=ref)
    (second,) = apply_node(graph, P["read_variable"], variable=ref)
    graph.outputs = [first, second]
    merged = cse(graph)
    assert prim_names(merged) == prim_names(graph)
    old, new = run_graph(merged)
    np.testing.assert_array_equal(old, [1.0, 2.0])
    np.testing.assert_array_equal(new, [2.0, 3.0])


def test_merging_exposes_further_merges_downstream():
    def f(x):
        return tf.tanh(tf.exp(x) + 1.0) - tf.tanh(tf.exp(x) + 1.0)

    merged = prune(cse(trace_graph(f, ((3,), "float32"))))
    assert prim_names(merged) == ["exp", "add", "tanh", "sub"]
