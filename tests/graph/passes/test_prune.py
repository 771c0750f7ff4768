"""Pruning: only what the outputs or a side effect need survives."""

import numpy as np
from pass_helpers import Unchanged, prim_names, run_graph, trace_graph

import fluxion as tf
from fluxion.graph.passes.prune import prune


def test_drops_nodes_no_output_needs():
    def f(x):
        unused = tf.exp(x) * 3.0  # noqa: F841 - dead on purpose
        return tf.tanh(x)

    graph = trace_graph(f, ((3,), "float32"))
    before = Unchanged(graph)
    pruned = prune(graph)
    before.check()
    assert prim_names(graph) == ["exp", "mul", "tanh"]
    assert prim_names(pruned) == ["tanh"]
    x = np.array([0.1, -2.0, 3.0], np.float32)
    np.testing.assert_allclose(run_graph(pruned, x)[0], np.tanh(x))


def test_keeps_assignments_with_their_inputs_and_drops_unused_reads():
    v = tf.Variable([1.0, 2.0])
    w = tf.Variable([5.0])

    def f(x):
        w.read_value()  # a read nobody uses
        v.assign_add(x * 2.0)
        return x + 1.0

    graph = trace_graph(f, ((2,), "float32"))
    pruned = prune(graph)
    assert "assign_variable" in prim_names(pruned)
    assert prim_names(pruned).count("read_variable") == 1  # v's read feeds the assignment
    run_graph(pruned, np.array([1.0, 1.0], np.float32))
    np.testing.assert_allclose(v.numpy(), [3.0, 4.0])
    np.testing.assert_allclose(w.numpy(), [5.0])


def test_outputs_that_are_inputs_need_no_nodes():
    graph = trace_graph(lambda x: (x, tf.exp(x)), ((2,), "float32"))
    graph.outputs = graph.outputs[:1]
    assert prune(graph).nodes == []
