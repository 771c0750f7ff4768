"""``GradientTape`` and the reverse-mode walker.

A tape records, in order, every primitive application that touches a tensor it
watches: ``(primitive, inputs, attrs, outputs)``, with the outputs becoming watched in
turn.  ``gradient`` walks those records backwards, calling each primitive's VJP rule
and summing every cotangent down to its input's shape (``sum_to_like``): this is the
one place broadcasting is undone.  VJP rules are Fluxion ops, so while an outer tape
records they are recorded too, which is how higher-order derivatives work.

Variables are leaves: each read of a watched variable under a tape yields a fresh
tensor that the tape maps back to the variable, so gradients with respect to a
variable sum over all its reads, and an ``assign`` cuts the graph as in TensorFlow.
"""

from __future__ import annotations

import contextlib
import enum

import numpy as np

from fluxion.core import context, nest
from fluxion.core.primitive import Primitive
from fluxion.core.primitives.broadcast import sum_to_like
from fluxion.core.primitives.elementwise import add, ones_like, zeros_like
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple


class UnconnectedGradients(enum.Enum):
    """What ``gradient`` returns for a source the targets do not depend on."""

    NONE = "none"
    ZERO = "zero"


class GradientTape:
    """Records operations for automatic differentiation (``tf.GradientTape``).

    Args:
      persistent: allow more than one ``gradient``/``jacobian`` call.
      watch_accessed_variables: watch every trainable variable read under the tape.

    >>> import fluxion as tf
    >>> x = tf.constant(3.0)
    >>> with tf.GradientTape() as tape:
    ...     tape.watch(x)
    ...     y = x * x
    >>> float(tape.gradient(y, x))
    6.0
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True):
        self._persistent = persistent
        self._watch_accessed_variables = watch_accessed_variables
        self._reset_state()
        self._used = False

    def _reset_state(self) -> None:
        self._entries: list = []
        self._watched: dict = {}  # id(tensor) -> tensor, keeps ids stable
        self._variable_reads: dict = {}  # id(variable) -> [tensors read from it]
        self._watched_variables: dict = {}  # id(variable) -> variable, in watch order

    # --- context ------------------------------------------------------------------------
    def __enter__(self) -> GradientTape:
        context.tapes.append(self)
        return self

    def __exit__(self, *exc) -> None:
        self._stop()

    def _stop(self) -> None:
        if self in context.tapes:
            context.tapes.remove(self)

    @contextlib.contextmanager
    def stop_recording(self):
        """Operations run inside this block are not recorded by this tape."""
        if self not in context.tapes:
            raise ValueError("stop_recording() is only valid while the tape is recording "
                             "(inside its `with` block).")
        position = context.tapes.index(self)
        context.tapes.remove(self)
        try:
            yield
        finally:
            context.tapes.insert(min(position, len(context.tapes)), self)

    def reset(self) -> None:
        """Forgets everything recorded so far; the tape keeps recording if it was."""
        self._reset_state()
        self._used = False

    # --- watching ------------------------------------------------------------------------
    def watch(self, tensor) -> None:
        """Makes the tape track ``tensor`` (a Tensor, Variable, or a nest of them)."""
        for item in nest.flatten(tensor):
            if hasattr(item, "_read_for_op"):
                self._watched_variables[id(item)] = item
            elif isinstance(item, Tensor):
                if item.dtype.is_differentiable:
                    self._watched[id(item)] = item
            else:
                raise ValueError(f"GradientTape.watch expects tensors or variables, "
                                 f"got {type(item).__name__}")

    def watched_variables(self) -> tuple:
        """The variables this tape has watched, in the order they were first watched."""
        return tuple(self._watched_variables.values())

    def _wants(self, variable) -> bool:
        if id(variable) in self._watched_variables:
            return True
        return self._watch_accessed_variables and variable.trainable

    def _note_read(self, variable, tensor: Tensor) -> None:
        """Called by Variable reads: ``tensor`` is a fresh leaf standing for ``variable``."""
        if not variable.dtype.is_differentiable:
            return
        self._watched_variables[id(variable)] = variable
        self._watched[id(tensor)] = tensor
        self._variable_reads.setdefault(id(variable), []).append(tensor)

    def _record(self, prim: Primitive, args: tuple, attrs: dict, outputs) -> None:
        watched = self._watched
        for arg in args:
            if id(arg) in watched:
                break
        else:
            return
        self._entries.append((prim, args, attrs, outputs))
        if prim.multiple_results:
            for out in outputs:
                watched[id(out)] = out
        else:
            watched[id(outputs)] = outputs

    # --- differentiation ---------------------------------------------------------------------
    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients=UnconnectedGradients.NONE):
        """d(target)/d(sources), summed over target elements and weighted by
        ``output_gradients``; the result has the structure of ``sources``."""
        self._check_usable("gradient")
        unconnected = UnconnectedGradients(unconnected_gradients)
        flat_sources = nest.flatten(sources)
        flat_targets = [_as_target(t) for t in nest.flatten(target)]
        if output_gradients is None:
            flat_seeds = [None] * len(flat_targets)
        else:
            flat_seeds = nest.flatten(output_gradients)
            if len(flat_seeds) != len(flat_targets):
                raise ValueError(f"output_gradients has {len(flat_seeds)} tensors but target "
                                 f"has {len(flat_targets)}")
        with self._paused():
            grads = self._walk(flat_targets, flat_seeds, flat_sources)
            result = [self._source_gradient(s, grads, unconnected) for s in flat_sources]
        self._used = True
        return nest.pack_sequence_as(sources, result)

    def jacobian(self, target, sources, unconnected_gradients=UnconnectedGradients.NONE,
                 parallel_iterations=None, experimental_use_pfor=True):
        """The full Jacobian: for each source, a tensor of shape target.shape + source.shape."""
        self._check_usable("jacobian")
        target = _as_target(target)
        flat_sources = nest.flatten(sources)
        size = int(np.prod(target.shape.as_list()))
        rows = [[] for _ in flat_sources]
        with self._paused():
            for index in range(size):
                seed = np.zeros(size, dtype=target.dtype.np_dtype)
                seed[index] = 1
                grads = self._walk([target], [Tensor(seed.reshape(target._value.shape))],
                                   flat_sources)
                for row, source in zip(rows, flat_sources):
                    row.append(self._source_gradient(source, grads, UnconnectedGradients.ZERO))
            result = [_stack_rows(row, target.shape.as_list(), source)
                      for row, source in zip(rows, flat_sources)]
        if UnconnectedGradients(unconnected_gradients) is UnconnectedGradients.NONE:
            result = [None if not self._connected(s, target) else r
                      for r, s in zip(result, flat_sources)]
        self._used = True
        return nest.pack_sequence_as(sources, result)

    def batch_jacobian(self, target, source, unconnected_gradients=UnconnectedGradients.NONE,
                       parallel_iterations=None, experimental_use_pfor=True):
        """Per-example Jacobians: shape [batch] + target.shape[1:] + source.shape[1:].

        Assumes example ``i`` of ``target`` depends only on example ``i`` of ``source``.
        """
        self._check_usable("batch_jacobian")
        target = _as_target(target)
        batch = target.shape[0]
        if source.shape[0] != batch:
            raise ValueError(f"batch_jacobian: target and source must share the batch size, "
                             f"got {batch} and {source.shape[0]}")
        inner = target.shape.as_list()[1:]
        inner_size = int(np.prod(inner))
        rows = []
        with self._paused():
            for index in range(inner_size):
                seed = np.zeros((batch, inner_size), dtype=target.dtype.np_dtype)
                seed[:, index] = 1
                grads = self._walk([target], [Tensor(seed.reshape(target._value.shape))],
                                   [source])
                rows.append(self._source_gradient(source, grads, UnconnectedGradients.ZERO))
        self._used = True
        if UnconnectedGradients(unconnected_gradients) is UnconnectedGradients.NONE \
                and not self._connected(source, target):
            return None
        from fluxion.core.primitives.shape import reshape, stack

        stacked = stack(rows, axis=1)  # [batch, inner_size, *source_rest]
        return reshape(stacked, [batch] + inner + source.shape.as_list()[1:])

    # --- the walker ---------------------------------------------------------------------------
    def _check_usable(self, what: str) -> None:
        if self._used and not self._persistent:
            raise RuntimeError(
                f"A non-persistent GradientTape can only be used to compute one set of "
                f"gradients (or jacobians); this {what}() call is the second. Create the tape "
                f"with GradientTape(persistent=True) to call it several times.")

    @contextlib.contextmanager
    def _paused(self):
        """The tape does not record its own backward pass (outer tapes still do)."""
        position = context.tapes.index(self) if self in context.tapes else None
        if position is not None:
            context.tapes.remove(self)
        try:
            yield
        finally:
            if position is not None:
                context.tapes.insert(min(position, len(context.tapes)), self)

    def _source_ids(self, source) -> list:
        if hasattr(source, "_read_for_op"):
            return [id(t) for t in self._variable_reads.get(id(source), ())]
        if not isinstance(source, Tensor):
            raise ValueError(f"gradient sources must be tensors or variables, "
                             f"got {type(source).__name__}")
        return [id(source)]

    def _walk(self, targets: list, seeds: list, sources: list) -> dict:
        """Reverse accumulation from ``targets`` back to ``sources``: id -> cotangent."""
        reachable = set()
        for source in sources:
            reachable.update(self._source_ids(source))
        relevant = []
        for entry in self._entries:
            if any(id(a) in reachable for a in entry[1]):
                relevant.append(entry)
                outputs = entry[3] if entry[0].multiple_results else (entry[3],)
                reachable.update(id(o) for o in outputs)
        grads: dict = {}
        for target, seed in zip(targets, seeds):
            if not target.dtype.is_differentiable or id(target) not in reachable:
                continue
            seed = ones_like(target) if seed is None else convert_to_tensor(seed,
                                                                            dtype=target.dtype)
            _accumulate(grads, target, seed)
        for prim, inputs, attrs, outputs in reversed(relevant):
            if prim.multiple_results:
                cotangents = [grads.get(id(o)) for o in outputs]
                if all(c is None for c in cotangents):
                    continue
                cotangent = tuple(cotangents) if prim.sparse_cotangents else tuple(
                    zeros_like(o) if c is None else c for o, c in zip(outputs, cotangents))
            else:
                cotangent = grads.get(id(outputs))
                if cotangent is None:
                    continue
            input_grads = prim.vjp(cotangent, inputs, outputs, **attrs)
            for x, g in zip(inputs, input_grads):
                if g is None or id(x) not in reachable or not x.dtype.is_differentiable:
                    continue
                x_shape = shape_tuple(x)
                if shape_tuple(g) != x_shape or None in x_shape:
                    # Unknown dimensions (traced) may still broadcast at run time.
                    g = sum_to_like(g, x)
                _accumulate(grads, x, g)
        return grads

    def _source_gradient(self, source, grads: dict, unconnected: UnconnectedGradients):
        found = [grads[i] for i in self._source_ids(source) if i in grads]
        if not found:
            if unconnected is UnconnectedGradients.ZERO:
                return zeros_like(source if isinstance(source, Tensor)
                                  else source._read_plain())
            return None
        total = found[0]
        for g in found[1:]:
            total = add(total, g)
        return total

    def _connected(self, source, target) -> bool:
        reachable = set(self._source_ids(source))
        for entry in self._entries:
            if any(id(a) in reachable for a in entry[1]):
                outputs = entry[3] if entry[0].multiple_results else (entry[3],)
                reachable.update(id(o) for o in outputs)
        return id(target) in reachable


def _as_target(target) -> Tensor:
    if hasattr(target, "_read_for_op"):
        return target._read_plain()
    if not isinstance(target, Tensor):
        raise ValueError(f"gradient targets must be tensors, got {type(target).__name__}")
    return target


def _accumulate(grads: dict, x: Tensor, g: Tensor) -> None:
    key = id(x)
    previous = grads.get(key)
    grads[key] = g if previous is None else add(previous, g)


def _stack_rows(rows: list, target_shape: list, source) -> Tensor:
    from fluxion.core.primitives.shape import reshape, stack

    source_shape = source.shape.as_list()
    if not rows:
        return Tensor(np.zeros(target_shape + source_shape, dtype=source.dtype.np_dtype))
    return reshape(stack(rows, axis=0), target_shape + source_shape)
