"""The primitive record and ``bind``, the one function every op application goes through.

A ``Primitive`` holds everything about one primitive operation, next to each other:

- ``kernel``: the NumPy implementation, ``kernel(*arrays, **attrs) -> array`` (or a
  tuple of arrays when ``multiple_results``);
- ``shape_rule``: ``shape_rule(*avals, **attrs) -> Aval`` (or a tuple), computing the
  output shape and dtype from the inputs' without running anything; dimensions may be
  ``None`` (unknown) and the rule must propagate that;
- ``vjp``: the gradient rule, ``vjp(cotangent, inputs, outputs, **attrs)`` returning
  one cotangent (Tensor or None) per input.  It is written in Fluxion ops, so it is
  itself differentiable.  The autodiff walker sums each returned cotangent down to
  its input's shape, so rules of broadcasting ops need not undo broadcasting;
- ``export``: mappings to exchange formats (ONNX, TFLite), filled in as they arrive.

``bind`` interprets an application: under a graph tracer it adds a node; otherwise it
runs the kernel (eager).  Either way every recording ``GradientTape`` sees it.

Besides those, the record holds every fact generic code needs about a primitive, so
that no pass, no executor and no exporter ever tests a primitive's name:

- ``effect`` (one of ``EFFECTS``): ``"none"`` (a pure function of its inputs and
  attributes), ``"reads_state"`` (reads a variable: never merged or reordered, but
  dropped when nothing uses its result), ``"writes_state"`` (stores into a variable or
  advances a random stream) or ``"io"`` (prints, calls the host, asserts).  The last
  two are kept by pruning even when their result is unused.  A state effect names its
  variable in the ``variable`` attribute (a ``TensorRef``).  ``stateful`` is
  ``effect != "none"``;
- ``retains_inputs``: the kernel keeps its input arrays after it returns (storing them
  in a variable), so the memory plan never lets another kernel overwrite them;
- ``elementwise_ufunc``: the NumPy ufunc the kernel *is* (applied to the inputs, no
  attributes, broadcasting), or None.  Fusion chains such nodes into one, and the
  memory plan lets them compute into a dead input's buffer.  Found from the kernel
  when it is a one-output ufunc;
- ``identity_when_same_shape``: the result is the first input itself whenever its
  shape and dtype stay the same (``reshape_like``, ``broadcast_to``...): simplification
  drops such nodes when static shapes prove it, the executor at concrete shapes;
- ``shape_only``, ``in_place``, ``in_place_exclusive``, ``fresh_output``: what the
  memory plan knows of the kernel's buffers (see ``Primitive.__init__``);
- ``codegen`` and ``describe``: an optional code-generation hook for the executor,
  ``codegen(node, operand_names, out_name, target, avals, bind_global) -> lines or
  None`` (``bind_global(value, name) -> name`` makes a kernel a global of the generated
  code: lines never name an array library), and the
  comment of the node's line, ``describe(node) -> str``;
- ``replay``: how ``fluxion.graph.interpreter.evaluate`` re-runs a node on tensors when
  plain ``bind`` is not right, ``replay(node, args, replay_effects) -> outputs`` (a loop
  keeps its per-iteration history for a tape; ``print`` stays silent in a gradient
  pass);
- ``simplify``: the algebraic rule for one node, ``simplify(node, inputs) ->`` a value
  that already holds the result, ``(primitive, inputs, attrs)`` computing it cheaper,
  or None (``fluxion.graph.passes.simplify`` applies it);
- ``rewrites``: whole-graph rewrites declared next to the family they rewrite
  (``GraphRewrite``), applied in their ``order`` when a node of the primitive is in the
  graph: at stage ``"backward"`` (rewrites pairing forward and backward work) by
  ``fluxion.graph.passes.backward_rewrites`` before simplification, at stage
  ``"fusion"`` (a producer absorbing what its consumers do, e.g. a convolution taking
  in the bias, scale and activation after it) by ``fluxion.graph.passes.family_fusion``
  after it;
- ``canonicalize``: ``canonicalize(args, attrs) -> attrs``, run by ``bind`` before
  anything else, so equal computations are equal nodes (negative axes normalised,
  defaults filled) and common-subexpression elimination can merge them.

**The export slot.**  ``export`` maps a format name to that format's mapping of the
primitive: ``primitive.export["onnx"]``, ``primitive.export["tflite"]``,
``primitive.export["tf"]`` (the TensorFlow op type a TF 1 graph shows).  The
exporter packages fill it from their own modules at import
(``register_export("onnx", "matmul", mapping)``), never the family files, so the core
does not depend on any format; an exporter then reads only the records of the nodes
it meets, and a primitive without an entry for its format is one it cannot export.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from fluxion import backend
from fluxion.core import blas_threads, context, errors
from fluxion.core.dtypes import DType
from fluxion.core.tensor import Tensor, shape_tuple, wrap


class Aval(NamedTuple):
    """An abstract value: the shape (ints or None) and dtype of a tensor, no data."""

    shape: tuple
    dtype: DType


EFFECTS = ("none", "reads_state", "writes_state", "io")


class GraphRewrite(NamedTuple):
    """A whole-graph rewrite declared by a primitive family.

    ``apply(graph, rewriter_class) -> graph`` returns the graph itself when it finds
    nothing to do; ``rewriter_class`` is ``fluxion.graph.passes.rewrite.Rewriter`` (handed
    in, so the family does not import the graph package above it).  Rewrites run in
    increasing ``order`` (one may rely on an earlier one having run) within their
    ``stage``: ``"backward"`` (before simplification) or ``"fusion"`` (after it).
    """

    name: str
    order: int
    apply: Callable
    stage: str = "backward"


class Primitive:
    """One primitive operation: name, kernel, shape rule, gradient rule, and its facts."""

    __slots__ = ("name", "kernel", "impl", "shape_rule", "vjp", "multiple_results",
                 "export", "doc", "effect", "retains_inputs", "fresh_output", "shape_only",
                 "in_place", "in_place_exclusive", "sparse_cotangents", "elementwise_ufunc",
                 "identity_when_same_shape", "codegen", "describe", "replay", "simplify",
                 "rewrites", "canonicalize", "shape_values_input")

    def __init__(self, name: str, kernel: Callable, shape_rule: Callable,
                 vjp: Callable | None = None, *, multiple_results: bool = False,
                 export: dict | None = None, doc: str | None = None, effect: str = "none",
                 retains_inputs: bool = False, fresh_output: bool | None = None,
                 shape_only: tuple = (), in_place: tuple | Callable = (),
                 in_place_exclusive: bool = False, sparse_cotangents: bool = False,
                 elementwise_ufunc: np.ufunc | None = None,
                 identity_when_same_shape: bool = False, codegen: Callable | None = None,
                 describe: Callable | None = None, replay: Callable | None = None,
                 simplify: Callable | None = None, rewrites: tuple = (),
                 canonicalize: Callable | None = None, shape_values_input: int | None = None):
        if effect not in EFFECTS:
            raise ValueError(f"primitive {name!r}: effect must be one of {EFFECTS}, "
                             f"got {effect!r}")
        self.name = name
        self.kernel = kernel
        self.impl = kernel  # the active backend's kernel: see define, fluxion.backend
        self.shape_rule = shape_rule
        self.vjp = vjp
        self.multiple_results = multiple_results
        self.export = dict(export or {})
        self.doc = doc
        self.effect = effect
        self.retains_inputs = retains_inputs
        # fresh_output: the kernel returns a newly allocated array (never a view of an
        # input), so the graph executor may overwrite it once it is dead.  NumPy ufuncs do.
        self.fresh_output = isinstance(kernel, np.ufunc) if fresh_output is None \
            else fresh_output
        # shape_only: positions of inputs whose values the kernel never reads, only their
        # shape and dtype (``sum_to_like``'s target...).  Such a use keeps no buffer alive
        # in the memory plan, and constant folding needs no value for it.
        self.shape_only = tuple(shape_only)
        # shape_values_input: the position of an int vector input whose run-time values
        # are the output's dimensions, the shape rule taking the ones known at trace time
        # as its ``static`` attribute (a reshape or a random draw to ``tf.shape(x)``).  A
        # specialisation that can compute those values fills in the unknown dimensions.
        self.shape_values_input = shape_values_input
        # in_place: positions of inputs the kernel may compute into when given ``out=``
        # that input's buffer (same shape and dtype), as a ufunc does; the memory plan
        # passes it when that buffer dies at this node.  A callable ``in_place(node)``
        # gives them per node.  in_place_exclusive: only when no other input of the node
        # views the same buffer (the kernel reads other inputs after writing).
        self.in_place = in_place if callable(in_place) else tuple(in_place)
        self.in_place_exclusive = in_place_exclusive
        # sparse_cotangents (multiple results): the vjp takes None for an output that got
        # no gradient, instead of a zero array the autodiff would fill and it would read.
        self.sparse_cotangents = sparse_cotangents
        self.elementwise_ufunc = elementwise_ufunc if elementwise_ufunc is not None \
            else _plain_ufunc(kernel)
        self.identity_when_same_shape = identity_when_same_shape
        self.codegen = codegen
        self.describe = describe
        self.replay = replay
        self.simplify = simplify
        self.rewrites = tuple(rewrites)
        self.canonicalize = canonicalize

    @property
    def stateful(self) -> bool:
        """Reads or writes state, or does I/O: graph passes never fold, merge or move it."""
        return self.effect != "none"

    def bind(self, *args: Tensor, **attrs):
        return bind(self, *args, **attrs)

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


def _plain_ufunc(kernel) -> np.ufunc | None:
    """``kernel`` when it is a one-output ufunc (NumPy's, or SciPy's ``special``)."""
    return kernel if isinstance(kernel, np.ufunc) and kernel.nout == 1 else None


REGISTRY: dict[str, Primitive] = {}
_ndarray = np.ndarray


def define(name: str, kernel: Callable, shape_rule: Callable, vjp: Callable | None = None,
           **options) -> Primitive:
    """Creates and registers a primitive; names are unique.

    ``kernel`` is the NumPy kernel; the primitive runs the active backend's override of
    it where that backend has one (``fluxion.backend``).
    """
    if name in REGISTRY:
        raise ValueError(f"primitive {name!r} is already defined")
    if "stateful" in options:
        raise TypeError(f"primitive {name!r}: `stateful=` is now `effect=` (one of "
                        f"{EFFECTS}): 'reads_state' for a variable read, 'writes_state' "
                        f"for a write or a random stream, 'io' for files, printing, calls")
    prim = Primitive(name, kernel, shape_rule, vjp, **options)
    prim.impl = backend.kernel_for(name, kernel)
    REGISTRY[name] = prim
    blas_threads.apply_settings_on_first_run(prim)
    return prim


def register_export(format_name: str, primitive_name: str, mapping) -> None:
    """Fills ``export[format_name]`` of the named primitive (exporters call it at import)."""
    prim = REGISTRY.get(primitive_name)
    if prim is None:
        raise KeyError(f"no primitive named {primitive_name!r} to export to {format_name}; "
                       f"the registry holds {len(REGISTRY)} primitives")
    prim.export[format_name] = mapping


REWRITE_STAGES = ("backward", "fusion")


def declare_rewrite(prim: Primitive, order: int, stage: str = "backward"):
    """Decorator: declares ``apply(graph, rewriter_class)`` as a ``GraphRewrite`` of ``prim``
    run at ``stage`` (one of ``REWRITE_STAGES``)."""
    if stage not in REWRITE_STAGES:
        raise ValueError(f"rewrite stage must be one of {REWRITE_STAGES}, got {stage!r}")

    def register(apply: Callable) -> Callable:
        prim.rewrites = prim.rewrites + (GraphRewrite(apply.__name__, order, apply, stage),)
        return apply
    return register


def first_input_axis(name: str = "axis", default: int | None = None) -> Callable:
    """A ``canonicalize`` hook: attribute ``name`` is one axis of the first input; a
    negative one becomes non-negative (``-1`` and ``rank - 1`` give equal nodes), a
    missing one becomes ``default``."""
    def canonicalize(args, attrs: dict) -> dict:
        axis = attrs.get(name, default)
        if isinstance(axis, (int, np.integer)) and axis < 0:
            rank = len(shape_tuple(args[0]))
            if -rank <= axis:
                return {**attrs, name: int(axis) + rank}
        if name not in attrs and default is not None:
            return {**attrs, name: default}
        return attrs
    return canonicalize


def rebind_kernels(backend_module) -> None:
    """Points every primitive at ``backend_module``'s kernel (or its NumPy one)."""
    for name, prim in REGISTRY.items():
        override = backend_module.kernel_for(name, prim.kernel)
        prim.impl = prim.kernel if override is None else override


def bind(prim: Primitive, *args: Tensor, **attrs):
    """Applies ``prim`` to tensors ``args``: traced under a tracer, else run eagerly.

    Callers (the public ops) have already converted every input to a Tensor.
    """
    if prim.canonicalize is not None:
        attrs = prim.canonicalize(args, attrs)
    state = context  # the per-thread interpreter state: one global lookup
    if state.tracer is not None:
        outputs = state.tracer.bind(prim, args, attrs)
    else:
        try:
            if len(args) == 2:  # the common binary case, without building a list
                result = prim.impl(args[0]._value, args[1]._value, **attrs)
            else:
                result = prim.impl(*[a._value for a in args], **attrs)
        except Exception as error:  # noqa: BLE001 - re-raised with the op's context
            raise kernel_error(prim, args, attrs, error) from None
        if prim.multiple_results:
            outputs = tuple(wrap(r) for r in result)
        elif type(result) is _ndarray:  # inline wrap() for the common case
            outputs = Tensor(result)
        else:
            outputs = wrap(result)
    tapes = state.tapes
    if tapes and prim.vjp is not None:
        for tape in tapes:
            tape._record(prim, args, attrs, outputs)
    return outputs


def kernel_error(prim: Primitive, args, attrs, error: Exception) -> Exception:
    """Turns a kernel's exception into an error naming the op, its inputs and the user's line.

    The shape rule is asked first: it explains most mistakes in the op's own terms.
    """
    if isinstance(error, errors.OpError):
        return error
    if isinstance(error, MemoryError):
        given = ", ".join(f"{a.dtype.name}{list(a._value.shape)}" for a in args)
        return errors.op_error(errors.ResourceExhaustedError, prim.name,
                               f"out of memory computing the result (inputs: {given}; "
                               f"attributes: {_short(attrs)})")
    avals = [Aval(tuple(a._value.shape), a.dtype) for a in args]
    try:
        prim.shape_rule(*avals, **attrs)
    except (ValueError, TypeError, IndexError) as rule_error:
        message = str(rule_error)
    else:
        given = ", ".join(f"{a.dtype.name}{list(a.shape)}" for a in avals)
        message = f"{error} (inputs: {given})"
    return errors.op_error(errors.InvalidArgumentError, prim.name, message)


def _short(attrs: dict) -> str:
    text = ", ".join(f"{k}={v!r}" for k, v in attrs.items())
    return text if len(text) <= 200 else text[:197] + "..."


def eval_shape(prim: Primitive, *avals: Aval, **attrs):
    """The output aval(s) of ``prim`` for input avals, without running the kernel."""
    return prim.shape_rule(*avals, **attrs)
