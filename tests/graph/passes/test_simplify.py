"""Algebraic simplification: nodes that compute nothing new disappear."""

import numpy as np
import pytest
from pass_helpers import Unchanged, prim_names, run_graph, trace_graph

import fluxion as tf
from fluxion.graph.passes.prune import prune
from fluxion.graph.passes.simplify import simplify

rng = np.random.default_rng(0)


def _simplified(fn, *specs):
    graph = trace_graph(fn, *specs)
    before = Unchanged(graph)
    result = prune(simplify(graph))
    before.check()
    arrays = [rng.standard_normal(shape).astype(dtype) if None not in shape
              else rng.standard_normal((6,) + tuple(shape[1:])).astype(dtype)
              for shape, dtype in specs]
    for got, want in zip(run_graph(result, *arrays), run_graph(graph, *arrays)):
        np.testing.assert_array_equal(got, want)
    return result


@pytest.mark.parametrize("fn", [
    lambda x: x * 1.0, lambda x: 1.0 * x, lambda x: x + 0.0, lambda x: 0.0 + x,
    lambda x: x - 0.0, lambda x: x / 1.0, lambda x: x * tf.ones([1, 1]),
    lambda x: tf.ones([3]) * x, lambda x: tf.negative(-x), lambda x: tf.identity(x),
    lambda x: tf.stop_gradient(x), lambda x: tf.cast(x, tf.float32),
    lambda x: tf.transpose(tf.transpose(x)), lambda x: tf.transpose(x, [0, 1]),
    lambda x: tf.reshape(x, [2, 3]), lambda x: tf.reshape(tf.reshape(x, [-1]), [2, 3]),
])
def test_neutral_operations_vanish(fn):
    result = _simplified(fn, ((2, 3), "float32"))
    assert result.nodes == []
    assert result.outputs == result.inputs


@pytest.mark.parametrize("fn, spec", [
    (lambda x: x * tf.ones([3]), ((None, 3), "float32")),  # the output shape is not proven
    (lambda x: x * tf.ones([2, 3]), ((3,), "float32")),  # broadcasting grows x
    (lambda x: x * tf.ones([1]), ((), "float32")),  # ... even from a scalar
    (lambda x: x * 2.0, ((3,), "float32")),
    (lambda x: x + 1.0, ((3,), "float32")),
    (lambda x: 1.0 - x, ((3,), "float32")),
    (lambda x: 1.0 / x, ((3,), "float32")),
    (lambda x: x * tf.constant([1.0, 2.0]), ((2,), "float32")),
    (lambda x: tf.reshape(x, [3, 2]), ((2, 3), "float32")),
    (lambda x: tf.reshape(x, [-1, 3]), ((None, 3), "float32")),
])
def test_operations_that_change_something_stay(fn, spec):
    graph = trace_graph(fn, spec)
    assert prim_names(_simplified(fn, spec)) == prim_names(graph)


def test_integer_division_by_one_keeps_the_cast_to_float():
    graph = prune(simplify(trace_graph(lambda x: x / 1, ((3,), "int32"))))
    assert prim_names(graph) == ["cast"]  # int32 / int32 is float64, as in TF
    assert graph.outputs[0].aval.dtype.name == "float64"


def test_transposes_compose_into_one():
    result = _simplified(lambda x: tf.transpose(tf.transpose(x, [1, 2, 0]), [0, 2, 1]),
                         ((2, 3, 4), "float32"))
    assert prim_names(result) == ["transpose"]
    assert result.nodes[0].attrs["perm"] == (1, 0, 2)
    assert result.nodes[0].inputs[0] is result.inputs[0]


def test_reshapes_compose_into_the_last_one():
    result = _simplified(lambda x: tf.reshape(tf.reshape(x, [6, 4]), [-1, 2, 2]),
                         ((None, 4), "float32"))
    assert prim_names(result) == ["reshape"]
    assert result.nodes[0].attrs["shape"] == (-1, 2, 2)
    assert result.nodes[0].inputs[0] is result.inputs[0]
    assert result.outputs[0].aval.shape == (6, 2, 2)  # keeps what the trace knew


def test_rules_see_through_earlier_replacements():
    result = _simplified(lambda x: tf.transpose(tf.identity(tf.transpose(x * 1.0))),
                         ((2, 3), "float32"))
    assert prim_names(result) == []


def test_like_ops_of_equal_shapes_vanish():
    from fluxion.core.primitives.broadcast import broadcast_like, sum_to_like

    result = _simplified(lambda x, y: sum_to_like(broadcast_like(x, y), y) * 2.0,
                         ((2, 3), "float32"), ((2, 3), "float32"))
    assert prim_names(result) == ["mul"]
    kept = _simplified(lambda x, y: sum_to_like(x, y), ((2, 3), "float32"), ((3,), "float32"))
    assert prim_names(kept) == ["sum_to_like"]


def test_graph_outputs_follow_replacements():
    graph = trace_graph(lambda x: (x * 1.0, tf.exp(x) + 0.0), ((2,), "float32"))
    result = prune(simplify(graph))
    assert result.outputs[0] is result.inputs[0]
    assert result.outputs[1] is result.nodes[0].outputs[0]
    assert prim_names(result) == ["exp"]


def test_power_of_two_becomes_square():
    graph = trace_graph(lambda x: x ** 2, ((3,), "float32"))
    assert prim_names(prune(simplify(graph))) == ["square"]
    graph = trace_graph(lambda x: x ** 3, ((3,), "float32"))
    assert prim_names(prune(simplify(graph))) == ["pow"]


def test_power_of_one_vanishes():
    result = _simplified(lambda x: tf.pow(x, 1.0), ((2, 3), "float32"))
    assert result.nodes == [] and result.outputs == result.inputs
    result = _simplified(lambda x: x ** 1, ((3,), "float32"))
    assert result.nodes == []
    # broadcasting against a bigger exponent grows x: the power stays
    graph = trace_graph(lambda x: x ** tf.ones([2, 3]), ((3,), "float32"))
    assert prim_names(prune(simplify(graph))) == ["pow"]
