"""Algebraic simplification rules of the elementwise and shape families.

Each rule is a primitive's ``simplify`` fact: ``rule(node, inputs)`` looks at one
graph node (and, for compositions, at the node producing its input) and returns a
value that already holds the result (the node goes away), a cheaper
``(primitive, inputs, attrs)`` computing it, or None (keep the node).
``fluxion.graph.passes.simplify`` applies them; it knows no primitive itself.  A rule
only fires when the static shapes *prove* the result keeps its shape and dtype; with
unknown dimensions it keeps the node.  Nodes and values are read by their attributes
only (``prim``, ``inputs``, ``attrs``, ``outputs``; ``aval``, ``constant``,
``producer``), so this module needs nothing from the graph package.

The rules:  ``x*1, 1*x, x+0, 0+x, x-0, x/1 -> x``;  ``neg(neg(x)) -> x``;
``transpose(transpose(x))`` -> one transpose (none for the identity permutation);
``reshape(reshape(x))`` -> one reshape; a reshape or cast that changes nothing -> its
input;  ``x ** 1 -> x`` and ``x ** 2 -> square(x)`` (one multiply instead of a
general power).  (``identity``, ``stop_gradient`` and the ``identity_when_same_shape``
primitives need no rule here: see ``fluxion.core.primitives.creation`` and the pass.)
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitives.elementwise import (
    add_p,
    cast_p,
    div_p,
    mul_p,
    neg_p,
    pow_p,
    square_p,
    sub_p,
)
from fluxion.core.primitives.shape import reshape_p, transpose_p


# --- shape and value facts -------------------------------------------------------------------
def known(shape: tuple) -> bool:
    return None not in shape


def same_aval(value, out) -> bool:
    """``value`` provably has ``out`` 's shape and dtype."""
    shape = tuple(value.aval.shape)
    return known(shape) and shape == tuple(out.aval.shape) and value.aval.dtype is out.aval.dtype


def is_constant(value, number: int) -> bool:
    array = value.constant
    if array is None or array.size == 0 or array.flat[0] != number:  # cheap for big arrays
        return False
    return bool(np.all(array == number))


def neutral(x, c, out, number: int) -> bool:
    """``x op c`` is ``x`` itself: ``c`` is all ``number`` and broadcasting keeps x's shape."""
    if not is_constant(c, number) or x.aval.dtype is not out.aval.dtype:
        return False
    shape = c.constant.shape
    if len(shape) <= len(x.aval.shape) and all(d == 1 for d in shape):
        return True  # size-1 dimensions never change another operand's shape
    return same_aval(x, out)


def producer_of(value, prim):
    """The node of ``prim`` that computed ``value`` (not a stateful one), or None."""
    producer = value.producer
    if producer is not None and producer.prim is prim and not producer.prim.stateful:
        return producer
    return None


# --- the rules -------------------------------------------------------------------------------
def _times_one(node, inputs: list):
    x, y = inputs
    out = node.outputs[0]
    if neutral(x, y, out, 1):
        return x
    if neutral(y, x, out, 1):
        return y
    return None


def _plus_zero(node, inputs: list):
    x, y = inputs
    out = node.outputs[0]
    if neutral(x, y, out, 0):
        return x
    if neutral(y, x, out, 0):
        return y
    return None


def _minus_zero(node, inputs: list):
    x, y = inputs
    return x if neutral(x, y, node.outputs[0], 0) else None


def _divided_by_one(node, inputs: list):
    x, y = inputs
    if not (x.aval.dtype.is_floating or x.aval.dtype.is_complex):
        return None  # integer division gives floats
    return x if neutral(x, y, node.outputs[0], 1) else None


def _small_power(node, inputs: list):
    """``x ** 1 -> x``; ``x ** 2 -> square(x)``, for a scalar constant exponent."""
    x, exponent = inputs
    if exponent.constant is None or exponent.constant.size != 1:
        return None
    if is_constant(exponent, 1) and neutral(x, exponent, node.outputs[0], 1):
        return x
    if is_constant(exponent, 2) and neutral(x, exponent, node.outputs[0], 2):
        return square_p, [x], {}
    return None


def _double_negation(node, inputs: list):
    inner = producer_of(inputs[0], neg_p)
    return inner.inputs[0] if inner is not None else None


def _transpose(node, inputs: list):
    (x,) = inputs
    perm = tuple(node.attrs["perm"])
    inner = producer_of(x, transpose_p)
    if inner is not None:  # out[i] = inner[perm[i]] = x[inner_perm[perm[i]]]
        x = inner.inputs[0]
        perm = tuple(inner.attrs["perm"][axis] for axis in perm)
    if perm == tuple(range(len(perm))):
        return x
    if inner is None:
        return None
    return node.prim, [x], {**node.attrs, "perm": perm}


def _reshape(node, inputs: list):
    (x,) = inputs
    inner = producer_of(x, reshape_p)
    if inner is not None:
        x = inner.inputs[0]
    if same_aval(x, node.outputs[0]):
        return x
    if inner is None:
        return None
    return node.prim, [x], dict(node.attrs)


def _cast(node, inputs: list):
    return inputs[0] if inputs[0].aval.dtype is node.attrs["dtype"] else None


for _prim, _rule in ((mul_p, _times_one), (add_p, _plus_zero), (sub_p, _minus_zero),
                     (div_p, _divided_by_one), (neg_p, _double_negation),
                     (pow_p, _small_power), (transpose_p, _transpose),
                     (reshape_p, _reshape), (cast_p, _cast)):
    _prim.simplify = _rule
