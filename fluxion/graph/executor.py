"""The executor: a graph becomes Python source, one line per node, and is ``exec`` d.

Kernels (with their attributes bound by ``functools.partial``) and constants become
globals of the generated module, so running a graph costs one Python call per node
and nothing else.  The kernels are the active backend's (``primitive.impl``), and a
``codegen`` hook binds what its lines call the same way (``bind_global``): the source
names no array library.  Code is generated per set of concrete input shapes (a
*specialisation*): with every shape known, the memory plan can prove which dead
buffers an elementwise kernel may overwrite (``out=``), so chains of elementwise ops
allocate once.  One trace serves every batch size; a new batch size costs one
specialisation (microseconds of codegen), never a retrace.
"""

from __future__ import annotations

import functools

import numpy as np

from fluxion import backend
from fluxion.backend import denormals
from fluxion.core import blas_threads
from fluxion.core.primitive import Aval
from fluxion.core.thread_choice import ThreadChoice
from fluxion.graph.ir import Graph, Node, Value
from fluxion.graph.memory_plan import plan_in_place, unchanged_at_these_shapes


class CompiledGraph:
    """Runs a graph on arrays: ``compiled(*input_arrays) -> list of output arrays``."""

    def __init__(self, graph: Graph, in_place: bool = True):
        self.graph = graph
        self.in_place = in_place
        self._runners: dict[tuple, object] = {}
        self._thread_choices: dict[tuple, ThreadChoice] = {}
        self._sources: dict[tuple, str] = {}
        self._line_nodes: dict[tuple, dict[int, tuple]] = {}

    def __call__(self, *arrays):
        key = tuple(a.shape for a in arrays)
        runner = self._runners.get(key)
        if runner is None:
            runner = self._specialise(key)
        # Denormals count as zero while the graph runs, as in TensorFlow: decaying values
        # (Adam's moments of unused weights) would otherwise slow every pass over them.
        flush = denormals.flush_to_zero()
        # One thread or many for the native pools, by measurement (fluxion.core.thread_choice).
        try:
            return self._thread_choices[key].run(runner, arrays)
        except Exception as error:  # noqa: BLE001 - re-raised as the failing op's error
            raise run_error(error, self._line_nodes.get(key, {})) from None
        finally:
            denormals.restore(flush)

    def _specialise(self, shapes: tuple):
        backend.tune_allocator()
        blas_threads.ensure_applied()
        concrete = propagate_shapes(self.graph, shapes)
        in_place = plan_in_place(self.graph, concrete) if self.in_place else {}
        source, namespace = generate_source(self.graph, in_place, concrete)
        self._line_nodes[shapes] = namespace.pop("__line_nodes__")
        code = compile(source, f"<fluxion graph {self.graph.name}>", "exec")
        exec(code, namespace)  # noqa: S102 - the source is generated from the graph
        runner = namespace["run"]
        self._runners[shapes] = runner
        self._thread_choices[shapes] = ThreadChoice()
        self._sources[shapes] = source
        return runner

    def python_source(self, shapes: tuple | None = None) -> str:
        """The generated source for one specialisation (the latest if ``shapes`` is None)."""
        if shapes is None:
            if not self._sources:
                return generate_source(self.graph, {})[0]
            return next(reversed(self._sources.values()))
        if shapes not in self._sources:
            self._specialise(shapes)
        return self._sources[shapes]


def propagate_shapes(graph: Graph, input_shapes: tuple) -> dict[int, Aval]:
    """Concrete avals for every value, from concrete input shapes and the shape rules.

    Dimensions that depend on data (``where``, ``boolean_mask``) stay ``None``.
    """
    avals: dict[int, Aval] = {}
    for value, shape in zip(graph.inputs, input_shapes):
        avals[value.id] = Aval(tuple(shape), value.aval.dtype)
    shape_values: dict[int, np.ndarray] = {}  # small int values the shapes determine
    for node in graph.nodes:
        for value in node.inputs:
            if value.id not in avals:
                avals[value.id] = value.aval
        try:
            out = node.prim.shape_rule(*[avals[v.id] for v in node.inputs],
                                       **_attrs_with_known_dims(node, shape_values))
        except (ValueError, TypeError, IndexError):
            out = tuple(v.aval for v in node.outputs) if node.prim.multiple_results \
                else node.outputs[0].aval
        flat = out if node.prim.multiple_results else (out,)
        for value, aval in zip(node.outputs, flat):
            avals[value.id] = aval
        _evaluate_shape_values(node, avals, shape_values)
    return avals


_SHAPE_VALUE_SIZE = 64  # int vectors up to this size are evaluated: shapes, not data


def _evaluate_shape_values(node: Node, avals: dict[int, Aval], known: dict[int, np.ndarray]):
    """Computes a small int output from concrete shapes (``tf.shape(x)[0]``, a stacked
    shape): its inputs are constants, values computed here, or inputs read for their
    shape only, so the result is the same on every run at these input shapes."""
    prim = node.prim
    if prim.effect != "none" or len(node.outputs) != 1:
        return
    aval = avals[node.outputs[0].id]
    if (not aval.dtype.is_integer or None in aval.shape
            or int(np.prod(aval.shape)) > _SHAPE_VALUE_SIZE):
        return
    args = []
    for position, value in enumerate(node.inputs):
        if value.is_constant:
            args.append(value.constant)
        elif value.id in known:
            args.append(known[value.id])
        elif position in prim.shape_only and None not in avals[value.id].shape:
            args.append(_shape_stand_in(avals[value.id]))
        else:
            return
    try:
        result = np.asarray(_bound_kernel(node)(*args))
    except Exception:  # noqa: BLE001 - left unknown; the run itself reports the error
        return
    if result.shape == tuple(aval.shape):
        known[node.outputs[0].id] = result


def _attrs_with_known_dims(node: Node, known: dict[int, np.ndarray]) -> dict:
    """``node.attrs``, its ``static`` dimensions completed from a computed shape input."""
    position = node.prim.shape_values_input
    if position is None or "static" not in node.attrs or position >= len(node.inputs):
        return node.attrs
    shape_input = node.inputs[position]
    values = shape_input.constant if shape_input.is_constant else known.get(shape_input.id)
    if values is None or np.ndim(values) != 1:
        return node.attrs
    static = tuple(node.attrs["static"]) or (None,) * len(values)
    if len(static) != len(values):
        return node.attrs
    dims = tuple(d if d is not None else (int(v) if v >= 0 else None)
                 for d, v in zip(static, values))
    return {**node.attrs, "static": dims}


def _bound_kernel(node: Node):
    kernel = node.prim.impl
    attrs = {k: v for k, v in node.attrs.items() if not k.startswith("_")}
    return functools.partial(kernel, **attrs) if attrs else kernel


def generate_source(graph: Graph, in_place: dict[int, int],
                    avals: dict[int, Aval] | None = None) -> tuple[str, dict]:
    """Python source of ``run(*inputs)`` and the namespace its names refer to.

    ``in_place`` maps a node index to the position of the input whose buffer it may
    overwrite (``kernel(a, b, out=a)``).  ``avals`` (concrete, from ``propagate_shapes``)
    lets a primitive with a ``codegen`` hook write its own lines (a fused elementwise
    node: one call per step of the backend's kernel of that step).
    """
    namespace: dict = {}
    line_nodes: dict[int, tuple] = {}  # source line number -> (node, its operand names)
    namespace["__line_nodes__"] = line_nodes
    names: dict[int, str] = {}
    for position, value in enumerate(graph.inputs):
        names[value.id] = f"a{position}"
    lines = [f"def run({', '.join(names[v.id] for v in graph.inputs)}):"]

    def bind_global(value, name: str) -> str:
        """Makes ``value`` a global of the generated module; returns its name there."""
        used, number = name, 0
        while used in namespace and namespace[used] is not value:
            number += 1
            used = f"{name}_{number}"
        namespace[used] = value
        return used

    def operand(value: Value) -> str:
        name = names.get(value.id)
        if name is None:  # a constant
            name = f"c{value.id}"
            namespace[name] = value.constant
            names[value.id] = name
        return name

    def operands(node: Node) -> list[str]:
        """The node's argument names: a shape-only input whose shape this specialisation
        knows is passed as a zero-cost stand-in, so its array need not stay alive."""
        stand_ins = _shape_stand_in_positions(node, avals)
        return [bind_global(_shape_stand_in(avals[v.id]), "shape_of")
                if position in stand_ins else operand(v)
                for position, v in enumerate(node.inputs)]

    released = _released_after(graph, avals)

    def release(index: int) -> None:
        """Drops the names of values no later node reads, so their arrays can be freed
        while the graph runs (the peak is then the live values, not all of them)."""
        dead = [names[i] for i in released.get(index, ()) if i in names]
        if dead:
            lines.append(f"    del {', '.join(dead)}")

    for index, node in enumerate(graph.nodes):
        target = in_place.get(index)
        if avals is not None and unchanged_at_these_shapes(node, avals):
            names[node.outputs[0].id] = operand(node.inputs[0])  # no line: an alias
            release(index)
            continue
        codegen = node.prim.codegen
        if codegen is not None and avals is not None:
            expanded = codegen(node, operands(node),
                               f"v{node.outputs[0].id}", target, avals, bind_global)
            if expanded is not None:
                names[node.outputs[0].id] = f"v{node.outputs[0].id}"
                arguments = operands(node)
                for line in expanded:
                    lines.append(line)
                    line_nodes[len(lines)] = (node, arguments)
                release(index)
                continue
        kernel_name = f"k{index}"
        namespace[kernel_name] = _bound_kernel(node)
        arguments = operands(node)
        args = ", ".join(arguments)
        if target is not None:
            args += f", out={operand(node.inputs[target])}"
        outs = [f"v{v.id}" for v in node.outputs]
        for value, name in zip(node.outputs, outs):
            names[value.id] = name
        left = ", ".join(outs) + ("," if node.prim.multiple_results and len(outs) == 1 else "")
        if node.prim.multiple_results and not outs:
            left = "_"
        lines.append(f"    {left} = {kernel_name}({args})  # {_describe(node)}")
        line_nodes[len(lines)] = (node, arguments)
        release(index)
    results = ", ".join(operand(v) for v in graph.outputs)
    lines.append(f"    return ({results}{',' if len(graph.outputs) == 1 else ''})")
    return "\n".join(lines) + "\n", namespace


def _released_after(graph: Graph, avals: dict[int, Aval] | None) -> dict[int, list[int]]:
    """For each node index, the ids of the node-made values it reads (or makes) last.

    A value an alias line shares a name with counts as one value with it (its root).
    Reads that need no array do not count: an alias line's other inputs, and shape-only
    inputs passed as stand-ins (a gradient's ``sum_to_like(g, x)`` would otherwise keep
    each forward value ``x`` alive until the backward pass, for its shape alone).
    Graph inputs (the caller holds them), constants (globals) and graph outputs are
    never released.
    """
    root: dict[int, int] = {}
    for node in graph.nodes:
        if avals is not None and unchanged_at_these_shapes(node, avals):
            source = node.inputs[0].id
            root[node.outputs[0].id] = root.get(source, source)
    made, last = set(), {}
    for index, node in enumerate(graph.nodes):
        for value in node.outputs:
            made.add(value.id)
            last.setdefault(root.get(value.id, value.id), index)  # unread: dies where made
        for position in _positions_read(node, avals):
            value = node.inputs[position]
            last[root.get(value.id, value.id)] = index
    kept = {root.get(v.id, v.id) for v in graph.outputs}
    released: dict[int, list[int]] = {}
    for value_id, index in last.items():
        if value_id in made and value_id not in kept:
            released.setdefault(index, []).append(value_id)
    return released


def _positions_read(node: Node, avals: dict[int, Aval] | None) -> list[int]:
    """The input positions whose arrays the node's line reads at these shapes."""
    if avals is not None and unchanged_at_these_shapes(node, avals):
        return [0]  # an alias of the first input
    stand_ins = _shape_stand_in_positions(node, avals)
    return [p for p in range(len(node.inputs)) if p not in stand_ins]


def _shape_stand_in_positions(node: Node, avals: dict[int, Aval] | None) -> tuple[int, ...]:
    """Shape-only inputs (not constants) whose concrete shape the specialisation knows."""
    if avals is None or not node.prim.shape_only:
        return ()
    return tuple(p for p in node.prim.shape_only
                 if p < len(node.inputs) and not node.inputs[p].is_constant
                 and (aval := avals.get(node.inputs[p].id)) is not None
                 and None not in aval.shape)


@functools.lru_cache(maxsize=512)
def _stand_in(shape: tuple, np_dtype) -> np.ndarray:
    return np.broadcast_to(np.zeros((), np_dtype), shape)


def _shape_stand_in(aval: Aval) -> np.ndarray:
    """An array of ``aval``'s shape and dtype that costs no memory (one element, strides 0)."""
    return _stand_in(tuple(int(d) for d in aval.shape), aval.dtype.np_dtype)


def run_error(error: Exception, line_nodes: dict[int, tuple]) -> Exception:
    """A compiled graph's failure as eager execution reports it: a TF-named error naming
    the failing op, its inputs' shapes and dtypes, the line of user code that created
    the op, and the user's call.  Errors that already are Fluxion's pass unchanged."""
    from fluxion.core import errors

    if isinstance(error, errors.OpError):
        return error
    entry, frame = None, None
    trace = error.__traceback__
    while trace is not None:  # the innermost frame of the generated code
        if trace.tb_frame.f_code.co_filename.startswith("<fluxion graph"):
            entry = line_nodes.get(trace.tb_lineno, entry)
            frame = trace.tb_frame
        trace = trace.tb_next
    if entry is None:
        return error
    node, operands = entry
    kind = errors.ResourceExhaustedError if isinstance(error, MemoryError) \
        else errors.InvalidArgumentError
    given = []
    for name in operands:
        array = frame.f_locals.get(name, frame.f_globals.get(name))
        given.append(f"{np.asarray(array).dtype}{list(np.shape(array))}"
                     if array is not None else "?")
    message = f"{error}" + (f" (inputs: {', '.join(given)})" if given else "")
    if node.origin and node.origin[1]:
        message += f"\n  (the op was created at {node.origin[1]})"
    return errors.op_error(kind, node.prim.name, message)


def _describe(node: Node) -> str:
    """The comment of a node's line: its primitive's own description, else its name."""
    describe = node.prim.describe
    return describe(node) if describe is not None else node.prim.name
