"""Common-subexpression elimination: a computation done twice is done once.

Two non-stateful nodes with the same primitive, the same input values and equal
attributes compute the same outputs: the first is kept and later uses of the second
read the first's outputs.  Small constants are first deduplicated by value (dtype,
shape and bytes), so ``x * 2.0`` traced twice, with two captured ``2.0`` s, is found
twice too.  Stateful nodes are never merged: two reads of a variable around an
assignment differ.
"""

from __future__ import annotations

import math

from fluxion.graph.ir import Graph, Value, is_stateful
from fluxion.graph.passes.rewrite import Rewriter

SMALL_CONSTANT = 4096  # elements; bigger constants are compared by identity only


def cse(graph: Graph) -> Graph:
    """Merges duplicate constants and duplicate non-stateful nodes."""
    rewriter = Rewriter(graph)
    constants: dict[tuple, Value] = {}  # (dtype, shape, bytes) -> the first such constant
    visited: set[int] = set()
    seen: dict[tuple, list[Value]] = {}  # node key -> the first such node's outputs
    for node in graph.nodes:
        for value in node.inputs:
            if value.is_constant and value.id not in visited:
                visited.add(value.id)
                _dedupe_constant(rewriter, constants, value)
        inputs = rewriter.inputs(node)
        key = None if is_stateful(node) else _node_key(node, inputs)
        earlier = None if key is None else seen.get(key)
        if earlier is not None:
            for old, new in zip(node.outputs, earlier):
                rewriter.replace(old, new)
            continue
        kept = rewriter.keep(node)
        if key is not None:
            seen[key] = kept.outputs
    return rewriter.finish()


def _dedupe_constant(rewriter: Rewriter, constants: dict, value: Value) -> None:
    array = value.constant
    if array.size > SMALL_CONSTANT or array.dtype.hasobject:
        return
    key = (array.dtype.str, array.shape, array.tobytes())
    first = constants.setdefault(key, value)
    if first is not value:
        rewriter.replace(value, first)


def _node_key(node, inputs: list) -> tuple | None:
    try:
        attrs = tuple(sorted((name, _freeze(v)) for name, v in node.attrs.items()))
        key = (node.prim, tuple(v.id for v in inputs), attrs)
        hash(key)
    except TypeError:  # an unhashable attribute: never merge
        return None
    return key


def _freeze(value):
    """A key equal only for attributes that are truly the same (``1 != 1.0 != True``)."""
    if isinstance(value, tuple):
        return (tuple, tuple(_freeze(v) for v in value))
    if isinstance(value, float) and (value == 0 or math.isnan(value)):
        return (float, repr(value))  # -0.0 differs from 0.0; NaN equals itself
    return (type(value), value)
