"""Elementwise fusion: a chain of ufunc nodes becomes one node writing one buffer.

A chain is a run of nodes whose kernels are NumPy ufuncs (no attributes, one output),
each feeding the next and used by nothing else: ``tanh(x * w + b)`` is
``multiply -> add -> tanh``.  The chain becomes one node of the ``fused_elementwise``
primitive whose ``program`` attribute lists the steps, each a ufunc name and its
operands (an input position, or ``ACCUMULATOR``: the previous step's result).  It runs
with a single output buffer, every step computing into it with ``out=`` (through the
active backend's kernel of the step's primitive: ``step_kernel``), so no
intermediate array is ever allocated.  The executor expands a fused node into one
line per step (``fluxion.graph.executor``); the kernel below does the same for
specialisations whose shapes are unknown.

Only links that keep the shape and dtype are fused: a step whose result a later
step broadcasts (``exp(a[n]) + b[m, n]``) would otherwise be computed ``m`` times
over.  Fusion runs after differentiation, so the primitive needs no gradient.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.dtypes import DType
from fluxion.core.primitive import REGISTRY, Aval, Primitive, define
from fluxion.core.shape_rules import broadcast_shapes
from fluxion.graph.ir import Graph, Node, Value, is_stateful
from fluxion.graph.passes.rewrite import Rewriter

ACCUMULATOR = -1  # an operand reference to the previous step's result


# --- the primitive ---------------------------------------------------------------------------
def _fused_kernel(*arrays: np.ndarray, program: tuple, dtype: DType,
                  out: np.ndarray | None = None) -> np.ndarray:
    # Elementwise steps commute with broadcasting, so every step can compute at the
    # final shape: broadcasting all inputs gives it.
    if out is None:
        out = np.empty(np.broadcast_shapes(*(a.shape for a in arrays)), dtype.np_dtype)
    for name, operands in program:
        step_kernel(name)(*[out if i == ACCUMULATOR else arrays[i] for i in operands], out=out)
    return out


_ufunc_primitives: dict[str, Primitive] = {}


def step_kernel(name: str):
    """The kernel a fused step called ``name`` (a NumPy ufunc's name) runs: the active
    backend's kernel of the primitive whose NumPy kernel is that ufunc."""
    prim = _ufunc_primitives.get(name)
    if prim is None:
        for candidate in REGISTRY.values():
            kernel = candidate.kernel
            if isinstance(kernel, np.ufunc) and kernel.__name__ == name and (
                    prim is None or candidate.name == name):
                prim = candidate
        if prim is None:
            raise ValueError(f"no primitive has the NumPy ufunc {name!r} as its kernel")
        _ufunc_primitives[name] = prim
    return prim.impl


def _fused_rule(*avals: Aval, program: tuple, dtype: DType) -> Aval:
    used = {i for _, operands in program for i in operands if i != ACCUMULATOR}
    if not program or used != set(range(len(avals))):
        raise ValueError(f"a fused_elementwise program must use each of its {len(avals)} "
                         f"inputs, got the program {program!r}")
    if any(ACCUMULATOR in operands for _, operands in program[:1]):
        raise ValueError("the first step of a fused_elementwise program has no accumulator")
    return Aval(broadcast_shapes(*(a.shape for a in avals)), dtype)


fused_elementwise_p = define("fused_elementwise", _fused_kernel, _fused_rule, fresh_output=True)


def in_place_positions(node: Node) -> tuple[int, ...]:
    """Inputs of a fused node whose buffer may hold the result: read by the first step only.

    A later step reads its operands after the first has overwritten the buffer.
    """
    program = node.attrs["program"]
    later = {i for _, operands in program[1:] for i in operands}
    return tuple(i for i in program[0][1] if i != ACCUMULATOR and i not in later)


# --- the pass --------------------------------------------------------------------------------
def fusion(graph: Graph) -> Graph:
    """Replaces every chain of two or more fusable nodes with one ``fused_elementwise``."""
    chains = find_chains(graph)
    if not chains:
        return graph
    tails = {chain[-1]: chain for chain in chains}
    inner = {index for chain in chains for index in chain[:-1]}
    rewriter = Rewriter(graph)
    for index, node in enumerate(graph.nodes):
        if index in inner:
            continue  # computed by the fused node at the chain's tail
        chain = tails.get(index)
        if chain is None:
            rewriter.keep(node)
            continue
        inputs, program = chain_program([graph.nodes[i] for i in chain])
        attrs = {"program": program, "dtype": node.outputs[0].aval.dtype}
        rewriter.emit(fused_elementwise_p, [rewriter.value(v) for v in inputs], attrs,
                      replacing=node)
    return rewriter.finish()


def is_fusable(node: Node) -> bool:
    """A plain ufunc application: no attributes, one output, reachable as ``np.<name>``.

    The primitive's NumPy kernel decides; a backend's override of a ufunc primitive
    accepts ``out=`` like it, and the fused steps run it (``step_kernel``).
    """
    kernel = node.prim.kernel
    return (isinstance(kernel, np.ufunc) and kernel.nout == 1 and not node.attrs
            and not node.prim.multiple_results and not is_stateful(node)
            and len(node.inputs) == kernel.nin and len(node.outputs) == 1
            and getattr(np, kernel.__name__, None) is kernel)


def find_chains(graph: Graph) -> list[list[int]]:
    """Node indices of each chain (two nodes or more), in execution order."""
    nodes = graph.nodes
    users: dict[int, set[int]] = {}
    for index, node in enumerate(nodes):
        for value in node.inputs:
            users.setdefault(value.id, set()).add(index)
    for value in graph.outputs:
        users.setdefault(value.id, set()).add(-1)  # a graph output is a use of its own
    fusable = [is_fusable(node) for node in nodes]
    next_of: dict[int, int] = {}
    has_previous: set[int] = set()
    for index, node in enumerate(nodes):
        if not fusable[index]:
            continue
        consumers = users.get(node.outputs[0].id, ())
        if len(consumers) != 1:
            continue
        (consumer,) = consumers
        if consumer < 0 or not fusable[consumer] or consumer in has_previous:
            continue
        if node.outputs[0].aval != nodes[consumer].outputs[0].aval:
            continue  # a dtype change, or a broadcast that would repeat work
        next_of[index] = consumer
        has_previous.add(consumer)
    chains = []
    for index in range(len(nodes)):
        if index in next_of and index not in has_previous:
            chain = [index]
            while chain[-1] in next_of:
                chain.append(next_of[chain[-1]])
            chains.append(chain)
    return chains


def chain_program(chain: list[Node]) -> tuple[list[Value], tuple]:
    """The fused node's inputs (each value once) and its program."""
    inputs: list[Value] = []
    position: dict[int, int] = {}
    steps = []
    previous = None
    for node in chain:
        operands = []
        for value in node.inputs:
            if value is previous:
                operands.append(ACCUMULATOR)
                continue
            if value.id not in position:
                position[value.id] = len(inputs)
                inputs.append(value)
            operands.append(position[value.id])
        steps.append((node.prim.kernel.__name__, tuple(operands)))
        previous = node.outputs[0]
    return inputs, tuple(steps)
