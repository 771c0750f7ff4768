"""Constant folding: nodes computable at compile time become constants.

A non-stateful node whose inputs are all constants runs once, now, with its own kernel
(``prim.impl``), and its outputs become constant values.  A few primitives read only
the *shape* of some inputs (``fill_like``, ``shape``, the ``*_like`` ops the autodiff
walker emits); they fold as soon as those inputs' static shapes are fully known, which
turns the constant seed of a gradient (``ones_like(loss)``) and its broadcasts into
constants.  Results larger than ``MAX_ELEMENTS`` stay in the graph, so folding never
holds big arrays in memory; a kernel that fails is left to fail (with its proper
error) when the graph runs.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.shape_rules import num_elements
from fluxion.graph.ir import Graph, Node, Value, constant_value, is_stateful
from fluxion.graph.passes.rewrite import Rewriter

MAX_ELEMENTS = 1_000_000


def constant_folding(graph: Graph, max_elements: int = MAX_ELEMENTS) -> Graph:
    """Replaces every foldable node's outputs with constants computed now."""
    rewriter = Rewriter(graph)
    for node in graph.nodes:
        inputs = rewriter.inputs(node)
        results = None if is_stateful(node) else _fold(node, inputs, max_elements)
        if results is None:
            rewriter.keep(node)
            continue
        for old, array in zip(node.outputs, results):
            rewriter.replace(old, constant_value(array))
    return rewriter.finish()


def _fold(node: Node, inputs: list[Value], max_elements: int) -> list[np.ndarray] | None:
    """The node's output arrays, or None when it cannot or should not be folded."""
    shape_only = node.prim.shape_only
    arrays = []
    for position, value in enumerate(inputs):
        if value.is_constant:
            arrays.append(value.constant)
        elif position in shape_only and _known(value.aval.shape):
            # A stand-in with the right shape and dtype that costs no memory.
            arrays.append(np.broadcast_to(np.zeros((), value.aval.dtype.np_dtype),
                                          value.aval.shape))
        else:
            return None
    sizes = [num_elements(out.aval.shape) for out in node.outputs]
    if any(size is None for size in sizes) or sum(sizes) > max_elements:
        return None
    attrs = {k: v for k, v in node.attrs.items() if not k.startswith("_")}  # as the executor
    try:
        with np.errstate(all="ignore"):
            result = node.prim.impl(*arrays, **attrs)
    except Exception:  # noqa: BLE001 - the node stays; it raises its own error at run time
        return None
    results = list(result) if node.prim.multiple_results else [result]
    if len(results) != len(node.outputs):
        return None
    results = [np.asarray(r) for r in results]
    for array, out in zip(results, node.outputs):
        if array.dtype != out.aval.dtype.np_dtype or not _matches(array.shape, out.aval.shape):
            return None  # the kernel disagrees with the shape rule: keep the node
    return results


def _known(shape: tuple) -> bool:
    return None not in shape


def _matches(shape: tuple, static: tuple) -> bool:
    return len(shape) == len(static) and all(s is None or s == d for d, s in zip(shape, static))
