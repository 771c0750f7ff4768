"""The ``tf`` names that behave differently inside a TF 1 graph.

In TF 1 graph mode ``control_dependencies``, ``group`` and ``no_op`` are the graph's own
operations and ``hessians`` differentiates a graph tensor symbolically; eagerly and inside
``tf.function`` ops already run in program order, so the first three only check their
arguments, and ``hessians`` takes a function computing ``ys`` instead.
"""

from __future__ import annotations

import builtins
import contextlib

import numpy as np

from fluxion.core.tape import GradientTape
from fluxion.core.tensor import Tensor
from fluxion.graph.v1 import graph as v1_graph
from fluxion.graph.v1.gradients import gradients
from fluxion.ops.array_ops import reshape, stack, unstack
from fluxion.ops.reduce_ops import reduce_sum

__all__ = ["control_dependencies", "group", "no_op", "hessians"]


def _graph_mode() -> bool:
    return not v1_graph.executing_eagerly_outside_functions()


def control_dependencies(control_inputs):
    """A context in whose ops run after ``control_inputs`` (``tf.control_dependencies``)."""
    if _graph_mode():
        return v1_graph.control_dependencies(control_inputs)
    return contextlib.nullcontext()


def group(*inputs, name=None):
    """An op that runs ``inputs``; eagerly and in functions they already ran: None."""
    if _graph_mode():
        return v1_graph.group(*inputs, name=name)
    return None


def no_op(name=None):
    """An op that does nothing (None outside TF 1 graphs)."""
    if _graph_mode():
        return v1_graph.no_op(name=name)
    return None


def hessians(ys, xs, gate_gradients=False, aggregation_method=None,
             name="hessians") -> list:
    """The Hessian of ``sum(ys)`` with respect to each of ``xs`` (shape ``x.shape * 2``).

    As in TF, ``ys`` is a tensor of a TF 1 graph; eagerly, pass a function computing
    ``ys`` instead (it is run under nested tapes).
    """
    xs = list(xs) if isinstance(xs, (list, builtins.tuple)) else [xs]
    if callable(ys):
        return [_hessian_eager(ys, x) for x in xs]
    if not _graph_mode():
        raise RuntimeError("tf.hessians is not supported when eager execution is enabled; "
                           "pass a function computing ys, or use nested GradientTapes")
    results = []
    for x in xs:
        (grad,) = gradients(reduce_sum(ys), [x])
        rows = unstack(reshape(grad, [-1]))
        hessian = stack([gradients(row, [x])[0] for row in rows])
        results.append(reshape(hessian, x.shape.as_list() * 2))
    return results


def _hessian_eager(fn, x) -> Tensor:
    with GradientTape(persistent=True) as outer:
        outer.watch(x)
        with GradientTape() as inner:
            inner.watch(x)
            total = reduce_sum(fn())
        flat = reshape(inner.gradient(total, x), [-1])
        rows = [flat[i] for i in range(int(np.prod(x.shape.as_list())))]
    hessian = stack([outer.gradient(r, x) for r in rows])
    return reshape(hessian, x.shape.as_list() * 2)
