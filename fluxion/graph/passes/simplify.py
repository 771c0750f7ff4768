"""Algebraic simplification: nodes that compute nothing new are removed or shortened.

Each rule looks at one node (and, for compositions, at the node producing its input)
and returns what to do: a value that already holds the result (the node goes away), a
cheaper ``(primitive, inputs, attrs)`` to compute it, or None (keep the node).  A rule
only fires when the static shapes *prove* the result keeps its shape and dtype; with
unknown dimensions it keeps the node.

The rules:  ``x*1, 1*x, x+0, 0+x, x-0, x/1 -> x``;  ``neg(neg(x)) -> x``;
``transpose(transpose(x))`` -> one transpose (none for the identity permutation);
``reshape(reshape(x))`` -> one reshape; a reshape, ``*_like`` or cast that changes
nothing -> its input;  ``identity`` and ``stop_gradient`` -> their input (the graph
runs after differentiation, so stopping gradients has done its job);  ``x ** 2`` with a
scalar 2 -> ``square(x)`` (one multiply instead of a general power).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from fluxion.graph.ir import Graph, Node, Value, is_stateful
from fluxion.graph.passes.rewrite import Rewriter

Rule = Callable[[Node, list], object]


def simplify(graph: Graph) -> Graph:
    """Applies the rules of ``RULES`` to every node once, in order."""
    rewriter = Rewriter(graph)
    for node in graph.nodes:
        rule = RULES.get(node.prim.name)
        inputs = rewriter.inputs(node)
        result = None if rule is None or is_stateful(node) else rule(node, inputs)
        if result is None:
            rewriter.keep(node)
        elif isinstance(result, Value):
            rewriter.replace(node.outputs[0], result)
        else:
            prim, new_inputs, attrs = result
            rewriter.emit(prim, new_inputs, attrs, replacing=node)
    return rewriter.finish()


# --- shape and value facts -------------------------------------------------------------------
def _known(shape: tuple) -> bool:
    return None not in shape


def _same_aval(value: Value, out: Value) -> bool:
    """``value`` provably has ``out`` 's shape and dtype."""
    shape = tuple(value.aval.shape)
    return _known(shape) and shape == tuple(out.aval.shape) and value.aval.dtype is out.aval.dtype


def _is_constant(value: Value, number: int) -> bool:
    array = value.constant
    if array is None or array.size == 0 or array.flat[0] != number:  # cheap for big arrays
        return False
    return bool(np.all(array == number))


def _neutral(x: Value, c: Value, out: Value, number: int) -> bool:
    """``x op c`` is ``x`` itself: ``c`` is all ``number`` and broadcasting keeps x's shape."""
    if not _is_constant(c, number) or x.aval.dtype is not out.aval.dtype:
        return False
    shape = c.constant.shape
    if len(shape) <= len(x.aval.shape) and all(d == 1 for d in shape):
        return True  # size-1 dimensions never change another operand's shape
    return _same_aval(x, out)


# --- the rules -------------------------------------------------------------------------------
def _times_one(node: Node, inputs: list):
    x, y = inputs
    out = node.outputs[0]
    if _neutral(x, y, out, 1):
        return x
    if _neutral(y, x, out, 1):
        return y
    return None


def _plus_zero(node: Node, inputs: list):
    x, y = inputs
    out = node.outputs[0]
    if _neutral(x, y, out, 0):
        return x
    if _neutral(y, x, out, 0):
        return y
    return None


def _minus_zero(node: Node, inputs: list):
    x, y = inputs
    return x if _neutral(x, y, node.outputs[0], 0) else None


def _divided_by_one(node: Node, inputs: list):
    x, y = inputs
    if not (x.aval.dtype.is_floating or x.aval.dtype.is_complex):
        return None  # integer division gives floats
    return x if _neutral(x, y, node.outputs[0], 1) else None


def _producer(value: Value, name: str) -> Node | None:
    producer = value.producer
    if producer is not None and producer.prim.name == name and not is_stateful(producer):
        return producer
    return None


def _power_of_two(node: Node, inputs: list):
    x, exponent = inputs
    if exponent.constant is None or exponent.constant.size != 1 or \
            not _is_constant(exponent, 2) or not _neutral(x, exponent, node.outputs[0], 2):
        return None
    from fluxion.core.primitives.elementwise import square_p

    return square_p, [x], {}


def _double_negation(node: Node, inputs: list):
    inner = _producer(inputs[0], "neg")
    return inner.inputs[0] if inner is not None else None


def _transpose(node: Node, inputs: list):
    (x,) = inputs
    perm = tuple(node.attrs["perm"])
    inner = _producer(x, "transpose")
    if inner is not None:  # out[i] = inner[perm[i]] = x[inner_perm[perm[i]]]
        x = inner.inputs[0]
        perm = tuple(inner.attrs["perm"][axis] for axis in perm)
    if perm == tuple(range(len(perm))):
        return x
    if inner is None:
        return None
    return node.prim, [x], {**node.attrs, "perm": perm}


def _reshape(node: Node, inputs: list):
    (x,) = inputs
    inner = _producer(x, "reshape")
    if inner is not None:
        x = inner.inputs[0]
    if _same_aval(x, node.outputs[0]):
        return x
    if inner is None:
        return None
    return node.prim, [x], dict(node.attrs)


# Primitives whose result is their first input whenever the shape (and dtype) stays the
# same.  The memory plan and the executor use the same fact at concrete shapes.
SAME_SHAPE_IDENTITIES = frozenset({"reshape_like", "broadcast_like", "sum_to_like",
                                   "broadcast_to"})


def _first_if_unchanged(node: Node, inputs: list):
    """For ops whose result is their first input when the shape and dtype stay the same."""
    return inputs[0] if _same_aval(inputs[0], node.outputs[0]) else None


def _cast(node: Node, inputs: list):
    return inputs[0] if inputs[0].aval.dtype is node.attrs["dtype"] else None


def _pass_through(node: Node, inputs: list):
    return inputs[0]


RULES: dict[str, Rule] = {
    "mul": _times_one,
    "add": _plus_zero,
    "sub": _minus_zero,
    "div": _divided_by_one,
    "neg": _double_negation,
    "pow": _power_of_two,
    "transpose": _transpose,
    "reshape": _reshape,
    **{name: _first_if_unchanged for name in SAME_SHAPE_IDENTITIES},
    "cast": _cast,
    "identity": _pass_through,
    "stop_gradient": _pass_through,
}
