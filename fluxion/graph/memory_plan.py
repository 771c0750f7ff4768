"""The memory plan: which elementwise kernels may write into a dead input's buffer.

A buffer is an array some kernel allocated while the graph runs (a ``fresh_output``
primitive).  Views of it (reshape, transpose, slices: any non-fresh output) share it.
A buffer is dead after the last use of every value that shares it; graph outputs and
values kept by a kernel (``retains_inputs``: stored into a variable) never die.  A
node whose record allows it (an ``elementwise_ufunc``, or ``in_place`` positions) may
then compute into the buffer of one of its inputs (``out=``) when that buffer dies at
this node and has exactly the node's concrete output shape and dtype.  The output then
shares the buffer, so a chain of elementwise ops allocates once.  Only a buffer's
owning array is ever a target, never a view of it (views may be read-only or strided);
with ``in_place_exclusive`` (a fused elementwise node), only a buffer no other input
of the node views.
"""

from __future__ import annotations

from fluxion.core.primitive import Aval
from fluxion.graph.ir import Graph

FOREVER = 1 << 62


def last_uses(graph: Graph) -> dict[int, int]:
    """For each value id, the index of the last node using it (FOREVER for outputs)."""
    last: dict[int, int] = {}
    for index, node in enumerate(graph.nodes):
        keeps = node.prim.retains_inputs
        shape_only = node.prim.shape_only
        for position, value in enumerate(node.inputs):
            if position in shape_only:
                continue  # only its shape is read, which an in-place write keeps
            # a value stored in a variable stays live after later uses
            last[value.id] = FOREVER if keeps or last.get(value.id) == FOREVER else index
    for value in graph.outputs:
        last[value.id] = FOREVER
    return last


def unchanged_at_these_shapes(node, avals: dict[int, Aval]) -> bool:
    """Whether ``node`` returns its first input as it is, at these concrete shapes.

    The trace cannot prove that when a dimension is unknown (the batch size); a
    specialisation can, and the executor then writes no line for the node, only an alias.
    """
    if not node.prim.identity_when_same_shape:
        return False
    source, result = avals.get(node.inputs[0].id), avals.get(node.outputs[0].id)
    return (source is not None and result is not None and None not in source.shape
            and tuple(source.shape) == tuple(result.shape) and source.dtype is result.dtype)


def _in_place_positions(node) -> tuple[int, ...]:
    """The inputs whose buffer the node's kernel may compute into (``out=``)."""
    prim = node.prim
    if callable(prim.in_place):
        return prim.in_place(node)
    if prim.in_place:
        return prim.in_place
    ufunc = prim.elementwise_ufunc
    if (ufunc is not None and prim.impl is ufunc and not node.attrs
            and not prim.multiple_results and len(node.inputs) == ufunc.nin):
        return tuple(range(len(node.inputs)))
    return ()


def plan_in_place(graph: Graph, avals: dict[int, Aval]) -> dict[int, int]:
    """Maps node index -> input position whose buffer the node may overwrite."""
    last = last_uses(graph)
    group_of: dict[int, int] = {}  # value id -> buffer group id
    group_end: dict[int, int] = {}  # group id -> index of its last use
    owners: set[int] = set()  # values that are their buffer's whole, writable array
    plan: dict[int, int] = {}

    def join(value_id: int, group: int) -> None:
        group_of[value_id] = group
        group_end[group] = max(group_end[group], last.get(value_id, -1))

    for index, node in enumerate(graph.nodes):
        positions = _in_place_positions(node)
        target = _choose_target(index, node, positions, avals, group_of, group_end, owners) \
            if positions else None
        if target is not None:
            plan[index] = target
            join(node.outputs[0].id, group_of[node.inputs[target].id])
            owners.add(node.outputs[0].id)
            continue
        if node.prim.fresh_output:
            for value in node.outputs:
                group_of[value.id] = value.id
                group_end[value.id] = last.get(value.id, -1)
                owners.add(value.id)
        else:  # a view: its outputs share their inputs' buffers
            groups = {group_of[v.id] for position, v in enumerate(node.inputs)
                      if v.id in group_of and position not in node.prim.shape_only}
            if len(groups) == 1:
                group = groups.pop()
                for value in node.outputs:
                    join(value.id, group)
                if node.inputs[0].id in owners and unchanged_at_these_shapes(node, avals):
                    owners.add(node.outputs[0].id)  # an alias of the whole array
            else:  # a view of several buffers: keep them all, never overwrite
                for group in groups:
                    group_end[group] = FOREVER
    return plan


def _choose_target(index, node, positions, avals, group_of, group_end, owners):
    out = avals.get(node.outputs[0].id)
    if out is None or None in out.shape or len(out.shape) == 0:
        return None
    for position in positions:
        value = node.inputs[position]
        group = group_of.get(value.id)
        if group is None or group_end[group] != index or value.id not in owners:
            continue  # not ours, still live, or a view (maybe read-only) of a buffer
        if node.prim.in_place_exclusive and any(
                group_of.get(other.id) == group for other in node.inputs if other is not value):
            continue  # a later step would read a view of the overwritten buffer
        aval = avals.get(value.id)
        if aval is not None and tuple(aval.shape) == tuple(out.shape) and aval.dtype is out.dtype:
            return position
    return None
