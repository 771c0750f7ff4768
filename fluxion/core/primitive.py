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
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from fluxion import backend
from fluxion.core import blas_threads, context, errors
from fluxion.core.dtypes import DType
from fluxion.core.tensor import Tensor, wrap


class Aval(NamedTuple):
    """An abstract value: the shape (ints or None) and dtype of a tensor, no data."""

    shape: tuple
    dtype: DType


class Primitive:
    """One primitive operation: name, kernel, shape rule, gradient rule, exports."""

    __slots__ = ("name", "kernel", "impl", "shape_rule", "vjp", "multiple_results",
                 "export", "doc", "stateful", "fresh_output", "shape_only", "in_place",
                 "sparse_cotangents")

    def __init__(self, name: str, kernel: Callable, shape_rule: Callable,
                 vjp: Callable | None = None, *, multiple_results: bool = False,
                 export: dict | None = None, doc: str | None = None, stateful: bool = False,
                 fresh_output: bool | None = None, shape_only: tuple = (),
                 in_place: tuple = (), sparse_cotangents: bool = False):
        self.name = name
        self.kernel = kernel
        self.impl = kernel  # the active backend's kernel: see define, fluxion.backend
        self.shape_rule = shape_rule
        self.vjp = vjp
        self.multiple_results = multiple_results
        self.export = export or {}
        self.doc = doc
        # stateful: reads or writes state beyond its inputs; graph passes keep it in place.
        self.stateful = stateful
        # fresh_output: the kernel returns a newly allocated array (never a view of an
        # input), so the graph executor may overwrite it once it is dead.  NumPy ufuncs do.
        self.fresh_output = isinstance(kernel, np.ufunc) if fresh_output is None \
            else fresh_output
        # shape_only: positions of inputs whose values the kernel never reads, only their
        # shape and dtype (``sum_to_like``'s target...).  Such a use keeps no buffer alive
        # in the memory plan, and constant folding needs no value for it.
        self.shape_only = tuple(shape_only)
        # in_place: positions of inputs the kernel may compute into when given ``out=``
        # that input's buffer (same shape and dtype), as a ufunc does; the memory plan
        # passes it when that buffer dies at this node.
        self.in_place = tuple(in_place)
        # sparse_cotangents (multiple results): the vjp takes None for an output that got
        # no gradient, instead of a zero array the autodiff would fill and it would read.
        self.sparse_cotangents = sparse_cotangents

    def bind(self, *args: Tensor, **attrs):
        return bind(self, *args, **attrs)

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


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
    prim = Primitive(name, kernel, shape_rule, vjp, **options)
    prim.impl = backend.kernel_for(name, kernel)
    REGISTRY[name] = prim
    blas_threads.apply_settings_on_first_run(prim)
    return prim


def rebind_kernels(backend_module) -> None:
    """Points every primitive at ``backend_module``'s kernel (or its NumPy one)."""
    for name, prim in REGISTRY.items():
        override = backend_module.kernel_for(name, prim.kernel)
        prim.impl = prim.kernel if override is None else override


def bind(prim: Primitive, *args: Tensor, **attrs):
    """Applies ``prim`` to tensors ``args``: traced under a tracer, else run eagerly.

    Callers (the public ops) have already converted every input to a Tensor.
    """
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
