"""``fused_elementwise``: a chain of ufunc applications run as one node into one buffer.

The fusion pass (``fluxion.graph.passes.fusion``) replaces a chain such as
``multiply -> add -> tanh`` with one node of this primitive.  Its ``program``
attribute lists the steps, each a ufunc name and its operands: an input position, or
``ACCUMULATOR``, the previous step's result.  Every step computes into the same
buffer with ``out=``, so no intermediate array is allocated.

The record tells the rest of the system how to treat such a node:

- ``codegen`` expands it, at concrete shapes, into one ``np.<ufunc>(..., out=...)``
  line per step in the executor's generated source (the kernel below does the same
  when shapes are unknown);
- ``in_place`` gives the inputs whose buffer may hold the result (those only the
  first step reads), and ``in_place_exclusive`` forbids it when another input views
  that buffer (a later step would read it after the first overwrote it);
- ``describe`` is the comment of its line: the steps' names.

Fusion runs after differentiation, so the primitive needs no gradient.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.dtypes import DType
from fluxion.core.primitive import Aval, define
from fluxion.core.shape_rules import broadcast_shapes

ACCUMULATOR = -1  # an operand reference to the previous step's result


def _fused_kernel(*arrays: np.ndarray, program: tuple, dtype: DType,
                  out: np.ndarray | None = None) -> np.ndarray:
    # Elementwise steps commute with broadcasting, so every step can compute at the
    # final shape: broadcasting all inputs gives it.
    if out is None:
        out = np.empty(np.broadcast_shapes(*(a.shape for a in arrays)), dtype.np_dtype)
    for name, operands in program:
        getattr(np, name)(*[out if i == ACCUMULATOR else arrays[i] for i in operands], out=out)
    return out


def _fused_rule(*avals: Aval, program: tuple, dtype: DType) -> Aval:
    used = {i for _, operands in program for i in operands if i != ACCUMULATOR}
    if not program or used != set(range(len(avals))):
        raise ValueError(f"a fused_elementwise program must use each of its {len(avals)} "
                         f"inputs, got the program {program!r}")
    if any(ACCUMULATOR in operands for _, operands in program[:1]):
        raise ValueError("the first step of a fused_elementwise program has no accumulator")
    return Aval(broadcast_shapes(*(a.shape for a in avals)), dtype)


def in_place_positions(node) -> tuple[int, ...]:
    """Inputs of a fused node whose buffer may hold the result: read by the first step only.

    A later step reads its operands after the first has overwritten the buffer.
    """
    program = node.attrs["program"]
    later = {i for _, operands in program[1:] for i in operands}
    return tuple(i for i in program[0][1] if i != ACCUMULATOR and i not in later)


def describe(node) -> str:
    """The comment of a fused node's line: its steps."""
    return "fused_elementwise: " + ", ".join(name for name, _ in node.attrs["program"])


def source_lines(node, args: list[str], out: str, target: int | None,
                 avals: dict) -> list[str] | None:
    """A fused elementwise chain as one ufunc call per step, all into one buffer.

    The buffer is the dead input ``target`` when the memory plan found one, else the
    first step's own result when it already has the final shape (known here, from
    concrete shapes), else ``np.empty`` of the final shape.  None (use the kernel)
    when the shapes are not all known.
    """
    program = node.attrs["program"]
    final = avals.get(node.outputs[0].id)
    if final is None or None in final.shape:
        return None
    final_shape = tuple(final.shape)

    def call(name: str, operands: tuple, into: str | None) -> str:
        text = ", ".join(out if i == ACCUMULATOR else args[i] for i in operands)
        return f"np.{name}({text}" + (f", out={into})" if into else ")")

    label = f"  # {describe(node)}"
    first_name, first_operands = program[0]
    if target is not None:
        lines = [f"    {out} = {call(first_name, first_operands, args[target])}{label}"]
    elif final_shape and _broadcast([node.inputs[i] for i in first_operands],
                                    avals) == final_shape:
        lines = [f"    {out} = {call(first_name, first_operands, None)}{label}"]
    else:  # the first step's result would be smaller (it broadcasts later), or a scalar
        dtype = final.dtype.np_dtype
        if dtype is None or np.dtype(dtype.name) != dtype:
            return None
        lines = [f"    {out} = np.empty({final_shape!r}, {dtype.name!r}){label}",
                 f"    {call(first_name, first_operands, out)}"]
    lines += [f"    {call(name, operands, out)}" for name, operands in program[1:]]
    return lines


def _broadcast(values: list, avals: dict) -> tuple | None:
    shapes = [avals[v.id].shape if v.id in avals else v.aval.shape for v in values]
    if any(None in shape for shape in shapes):
        return None
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        return None


fused_elementwise_p = define(
    "fused_elementwise", _fused_kernel, _fused_rule, fresh_output=True,
    in_place=in_place_positions, in_place_exclusive=True, codegen=source_lines,
    describe=describe)
