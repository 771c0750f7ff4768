"""``while`` and ``for`` statements: Python loops, or ``while_loop`` on traced tensors.

``while_stmt`` re-evaluates its test in Python for as long as the test is a Python value
(or a concrete tensor); once it is a traced tensor, the rest of the loop becomes one
``while_loop`` (``tensor_loop``).  ``for_stmt`` loops in Python over Python iterables
and concrete tensors, and builds a ``while_loop`` over an index for a traced tensor
(its first axis) or a ``range`` with a traced bound.  A Python loop whose ``break``
condition becomes a traced tensor runs each remaining iteration under a ``cond``.

The loop itself is built by ``tensor_loops.tensor_loop``.
"""

from __future__ import annotations

from fluxion.core import errors
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.graph.autograph import conditions
from fluxion.graph.autograph.conditionals import traced_if
from fluxion.graph.autograph.tensor_list import TensorList
from fluxion.graph.autograph.tensor_loops import tensor_loop


def loop_options(parallel_iterations=None, swap_memory=None, maximum_iterations=None,
                 shape_invariants=None) -> dict:
    """The options of ``autograph.experimental.set_loop_options``, read before the loop."""
    return {"parallel_iterations": parallel_iterations, "swap_memory": swap_memory,
            "maximum_iterations": maximum_iterations,
            "shape_invariants": list(shape_invariants or [])}


# --- while -------------------------------------------------------------------------------------
def while_stmt(test, body, state: tuple, names: tuple, options=None) -> tuple:
    """Runs ``state = body(*state)`` while ``test(*state)``; returns the final state."""
    state = tuple(state)
    while True:
        condition = test(*state)
        if conditions.is_traced(condition):
            return tensor_loop(test, body, state, names, options or {},
                               errors.user_location())
        if not conditions.python_truth(condition):
            return state
        state = tuple(body(*state))


# --- for ---------------------------------------------------------------------------------------
class TensorRange:
    """``range(start, stop, step)`` with a traced bound: iterated by a ``while_loop``."""

    def __init__(self, start, stop, step):
        self.start, self.stop, self.step = (convert_to_tensor(v) for v in (start, stop, step))

    def count(self) -> Tensor:
        from fluxion.core.primitives.elementwise import maximum

        # ceil((stop - start) / step), for either sign of step, and never negative.
        return maximum(-((self.start - self.stop) // self.step), 0)

    def element(self, index):
        return self.start + index * self.step


class Enumerated:
    """``enumerate`` of a traced tensor or a ``TensorRange``: (number, item) pairs."""

    def __init__(self, iterable, start):
        self.iterable, self.start = iterable, start


def for_stmt(iterable, extra_test, body, state: tuple, names: tuple, options=None) -> tuple:
    """Runs ``state = body(item, *state)`` per item while ``extra_test(*state)`` holds."""
    state = tuple(state)
    options = options or {}
    iterable = conditions.read(iterable)
    where = errors.user_location()
    if isinstance(iterable, TensorList):
        iterable = iterable.stacked
    if isinstance(iterable, Enumerated):
        count, element = (iterable.iterable.count(), iterable.iterable.element) \
            if isinstance(iterable.iterable, TensorRange) else _first_axis(iterable.iterable)
        start = iterable.start

        def numbered(index):
            return index + start, element(index)

        return _tensor_for(count, numbered, extra_test, body, state, names, options, where)
    if isinstance(iterable, TensorRange):
        return _tensor_for(iterable.count(), iterable.element, extra_test, body, state, names,
                           options, where)
    if conditions.is_traced(iterable):
        return _tensor_for(*_first_axis(iterable), extra_test, body, state, names, options,
                           where)
    if conditions.is_dataset(iterable) and conditions.is_traced_context():
        from fluxion.graph.autograph.dataset_loops import dataset_for

        return dataset_for(iterable, extra_test, body, state, names, where)
    return _python_for(iterable, extra_test, body, state, names, where)


def _first_axis(tensor: Tensor):
    from fluxion.ops.array_ops import gather
    from fluxion.ops.creation_ops import shape

    if tensor.shape.rank == 0:
        raise conditions.ConversionError(
            f"A for loop at {errors.user_location()} iterates over a scalar tensor; "
            f"iterate over a tensor of rank 1 or more (its first axis).")
    count = tensor.shape[0]
    count = shape(tensor)[0] if count is None else count
    return count, lambda index: gather(tensor, index)


def _python_for(iterable, extra_test, body, state, names, where) -> tuple:
    guard = None  # once the break condition is traced: each iteration under a cond
    for item in iterable:
        if extra_test is not None:
            keep_going = extra_test(*state)
            if conditions.is_traced(keep_going):
                guard = conditions.traced_predicate(keep_going, "for loop")
            elif guard is None and not conditions.python_truth(keep_going):
                return state
            elif guard is not None:
                guard = convert_to_tensor(bool(conditions.read(keep_going)))
        if guard is None:
            state = tuple(body(item, *state))
        else:
            state = traced_if(guard, lambda *values, item=item: body(item, *values),
                              lambda *values: values, state, names, where)
    return state


def _tensor_for(count, element, extra_test, body, state, names, options, where) -> tuple:
    from fluxion.core.primitives.elementwise import less, logical_and

    def test(index, *rest):
        going = less(index, count)
        if extra_test is None:
            return going
        extra = extra_test(*rest)
        if conditions.is_traced(extra):
            return logical_and(going, conditions.traced_predicate(extra, "for loop"))
        return going if conditions.python_truth(extra) else convert_to_tensor(False)

    def step(index, *rest):
        return (index + 1, *body(element(index), *rest))

    start = convert_to_tensor(0, dtype=getattr(count, "dtype", None) or "int32")
    final = tensor_loop(test, step, (start, *state), ("index", *names), options, where)
    return tuple(final[1:])
