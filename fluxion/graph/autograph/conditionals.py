"""``if`` statements, conditional expressions, ``and`` / ``or`` / ``not``.

``if_stmt`` runs one branch in Python when the condition is a Python value or a
concrete tensor.  On a traced condition it traces both branches into a ``cond`` node
and merges their results variable by variable (``merge``):

- a value both branches leave as it was (the same object) stays what it was, a
  Python value included;
- tensors (and Python numbers, converted to the other branch's dtype) become outputs
  of the ``cond``;
- anything else -- defined in one branch only, different dtypes or ranks, different
  kinds of Python values -- becomes ``Undefined`` with the reason, so the code fails
  only if it goes on to use the variable (TF fails in the same cases, for variables
  used after the ``if``).  The function's own return value is the exception: where
  one branch has not returned, the other branch's value is filled in (the path that
  did not return never reads it).
"""

from __future__ import annotations

import numpy as np

from fluxion.core import errors, nest
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.graph.autograph import conditions
from fluxion.graph.autograph.tensor_list import TensorList
from fluxion.graph.autograph.undefined import Undefined
from fluxion.graph.ir import constant_value

_NUMBERS = (bool, int, float, np.number, np.bool_, np.ndarray)


def is_return_name(name: str) -> bool:
    return name == "retval_" or name.startswith("retval__")


def is_tensorlike(value) -> bool:
    return isinstance(value, (Tensor, *_NUMBERS, TensorList)) or hasattr(value, "_read_for_op")


# --- if ----------------------------------------------------------------------------------------
def if_stmt(cond, body, orelse, state: tuple, names: tuple) -> tuple:
    """Runs ``body(*state)`` or ``orelse(*state)``; returns the new state."""
    if not conditions.is_traced(cond):
        return (body if conditions.python_truth(cond) else orelse)(*state)
    pred = conditions.traced_predicate(cond, "if statement")
    where = errors.user_location()
    return traced_if(pred, body, orelse, state, names, where)


def fresh_lists(state: tuple) -> tuple:
    """``state`` with its Python lists copied: a branch that appends to a list in place
    must not change what the other branch (traced next) sees."""
    return tuple(list(value) if type(value) is list else value for value in state)


def traced_if(pred, true_fn, false_fn, state: tuple, names: tuple, where: str) -> tuple:
    """``true_fn(*state)`` or ``false_fn(*state)`` as one ``cond``; the merged new state.

    See the module doc for the merge.  Each branch gets its own copy of the state's
    Python lists.
    """
    from fluxion.graph.cond import bind_traced_branches, trace_branches

    stacked: set[int] = set()  # variables whose Python lists are stacked in the branches
    for _ in range(2):
        results = {}
        traces = trace_branches(_branch(true_fn, "true", state, stacked, results),
                                _branch(false_fn, "false", state, stacked, results))
        true_values, false_values = results["true"], results["false"]
        # A list one branch keeps while the other's loop stacked it: trace again, stacking
        # the list inside its branch too.
        mixed = {index for index, (a, b) in enumerate(zip(true_values, false_values))
                 if _list_and_tensor(a, b) or _lists_of_other_lengths(a, b)}
        if not mixed - stacked:
            break
        stacked |= mixed
    plans = [_plan(name, a, b, where) for name, a, b in zip(names, true_values, false_values)]
    outputs = [[], []]
    for trace, values, side in zip(traces, (true_values, false_values), (0, 1)):
        positions = _output_positions(values)
        for plan in plans:
            for pair in plan.pairs:
                outputs[side].append(_output_value(trace, positions, pair, side))
    merged = iter(bind_traced_branches(pred, traces, outputs))
    return tuple(plan.rebuild(merged) for plan in plans)


def _branch(fn, key: str, state: tuple, stacked: set, results: dict):
    """A branch as ``trace_branches`` runs it: its values recorded, tensors returned."""
    def run():
        values = tuple(_stack_list(value) if index in stacked else value
                       for index, value in enumerate(fn(*fresh_lists(state))))
        results[key] = values
        leaves = [leaf for value in values for leaf in _leaves(value)]
        return [_as_output(leaf) for leaf in leaves]
    return run


def _list_and_tensor(a, b) -> bool:
    return (type(a) is list and isinstance(b, (Tensor, TensorList))) or \
        (type(b) is list and isinstance(a, (Tensor, TensorList)))


def _lists_of_other_lengths(a, b) -> bool:
    """Lists a branch appended to: stacked, they merge into one tensor of unknown length."""
    return type(a) is list and type(b) is list and len(a) != len(b) and bool(a) and bool(b) \
        and all(is_tensorlike(v) for v in a + b)


def _stack_list(value):
    if type(value) is list and value and all(is_tensorlike(v) for v in value):
        from fluxion.core.primitives.shape import stack

        try:
            return stack([convert_to_tensor(conditions.read(v)) for v in value])
        except (TypeError, ValueError):
            return value
    return value


def _leaves(value) -> list:
    return nest.flatten(value) if nest.is_nested(value) else [value]


def _as_output(leaf):
    """A branch result leaf as the traced function returns it (None: not a tensor)."""
    if isinstance(leaf, TensorList):
        return leaf.stacked
    if isinstance(leaf, Tensor):
        return leaf
    if is_tensorlike(leaf):
        try:
            return convert_to_tensor(leaf)
        except (TypeError, ValueError):
            return None
    return None


def _output_positions(values: tuple) -> dict:
    """id of each leaf object -> its index among the trace's outputs."""
    positions, index = {}, 0
    for value in values:
        for leaf in _leaves(value):
            if _as_output(leaf) is not None:
                positions.setdefault(id(leaf), index)
                index += 1
    return positions


class _Pair:
    """One leaf the cond outputs: the two branch values, and the dtype to give them."""

    def __init__(self, a, b, dtype):
        self.values = (a, b)
        self.dtype = dtype


def _output_value(trace, positions, pair: _Pair, side: int):
    leaf = pair.values[side]
    if isinstance(leaf, _Zeros):
        return constant_value(np.zeros(leaf.shape, leaf.dtype.np_dtype))
    if not isinstance(leaf, (Tensor, TensorList)) and not hasattr(leaf, "_read_for_op"):
        # A Python number: a constant of the dtype agreed with the other branch.
        return constant_value(convert_to_tensor(leaf, dtype=pair.dtype)._value)
    return trace.outputs[positions[id(leaf)]]


class _Zeros:
    """Stands for the zeros a return value gets on the path that has not returned."""

    def __init__(self, like: Tensor):
        self.shape = tuple(d if d is not None else 0 for d in like.shape.as_list())
        self.dtype = like.dtype


class _Plan:
    """How one state variable comes out of the ``cond``."""

    def __init__(self, kept=None, structure=None, leaves=None, pairs=(), lists=None):
        self.kept = kept  # the value, when the cond does not output it
        self.structure = structure
        self.leaves = leaves  # per leaf: a kept value, or a _Pair (an output)
        self.pairs = list(pairs)
        self.lists = lists or {}  # pair index -> element aval of a TensorList

    def rebuild(self, merged):
        if self.leaves is None:
            return self.kept
        out = []
        for leaf in self.leaves:
            if isinstance(leaf, _Pair):
                value = next(merged)
                aval = self.lists.get(id(leaf))
                out.append(TensorList(value, aval) if aval is not None else value)
            else:
                out.append(leaf)
        if nest.is_nested(self.structure):
            return nest.pack_sequence_as(self.structure, out)
        return out[0]


def _plan(name: str, a, b, where: str) -> _Plan:
    if a is b:
        return _Plan(kept=a)
    a_undefined, b_undefined = isinstance(a, Undefined), isinstance(b, Undefined)
    if a_undefined and b_undefined:
        return _Plan(kept=a)
    if (a_undefined or b_undefined) and is_return_name(name):
        # The function's return value is read only where it has returned (do_return):
        # the branch that has not returned gets a stand-in of the other's type.
        defined = b if a_undefined else a
        filled = nest.map_structure(_zeros_for, defined) if nest.is_nested(defined) \
            else _zeros_for(defined)
        if filled is not None and not _has_none(filled):
            return _plan(name, filled, b, where) if a_undefined else \
                _plan(name, a, filled, where)
    if a_undefined or b_undefined:
        branch = "true" if b_undefined else "false"
        return _undefined(name, f"'{name}' is assigned only in the {branch} branch of the if "
                                f"at {where}, whose condition is a tensor; assign it in both "
                                f"branches (or before the if) to use it after the if")
    if nest.is_nested(a) or nest.is_nested(b):
        from fluxion.graph.cond import same_structure

        if not (nest.is_nested(a) and nest.is_nested(b) and type(a) is type(b)
                and same_structure(a, b)):
            return _undefined(name, f"'{name}' has a different structure in the two "
                                    f"branches of the if at {where}: {_kind(a)} vs {_kind(b)}")
    leaves, pairs, lists = [], [], {}
    for x, y in zip(_leaves(a), _leaves(b)):
        if x is y or (_is_python(x) and _is_python(y) and type(x) is type(y) and x == y):
            leaves.append(x)
            continue
        pair, problem = _pair(x, y)
        if problem is not None:
            return _undefined(name, f"'{name}' {problem} in the two branches of the if at "
                                    f"{where}, whose condition is a tensor")
        if isinstance(x, TensorList) and isinstance(y, TensorList):
            lists[id(pair)] = x.element_aval  # else the merged value is the stacked tensor
        leaves.append(pair)
        pairs.append(pair)
    return _Plan(structure=a, leaves=leaves, pairs=pairs, lists=lists)


def _zeros_for(leaf):
    leaf = conditions.read(leaf)
    if isinstance(leaf, Tensor):
        return _Zeros(leaf)
    if isinstance(leaf, (bool, int, float)):
        return type(leaf)(0)
    return None


def _has_none(structure) -> bool:
    return any(leaf is None for leaf in _leaves(structure))


def _is_python(value) -> bool:
    return isinstance(value, (bool, int, float, str))


def _kind(value) -> str:
    if isinstance(value, Tensor):
        return f"a {value.dtype.name}{value.shape} tensor"
    return f"a {type(value).__name__}"


def _undefined(name: str, reason: str) -> _Plan:
    return _Plan(kept=Undefined(name, reason))


def _dtype_of(value):
    if isinstance(value, _Zeros):
        return value.dtype
    if isinstance(value, TensorList):
        return value.stacked.dtype if value.stacked is not None else None
    value = conditions.read(value)
    return value.dtype if isinstance(value, Tensor) else None


def _rank_of(value):
    if isinstance(value, _Zeros):
        return len(value.shape)
    if isinstance(value, TensorList):
        return None if value.stacked is None else value.stacked.shape.rank
    value = conditions.read(value)
    return value.shape.rank if isinstance(value, Tensor) else None


def _pair(x, y):
    """A ``_Pair`` for two differing leaves, or the reason they cannot be merged."""
    if not (is_tensorlike(x) or isinstance(x, _Zeros)) or \
            not (is_tensorlike(y) or isinstance(y, _Zeros)):
        return None, f"is {_kind(x)} and {_kind(y)}"
    dx, dy = _dtype_of(x), _dtype_of(y)
    if dx is None and dy is None:  # two Python numbers: float wins, as in Python
        from fluxion.core import dtypes

        if isinstance(x, float) or isinstance(y, float):
            dtype = dtypes.float32
        elif isinstance(x, bool) and isinstance(y, bool):
            dtype = dtypes.bool_
        else:
            dtype = dtypes.int32
        return _Pair(x, y, dtype), None
    dtype = dx if dx is not None else dy
    if dx is not None and dy is not None and dx is not dy:
        return None, f"has dtype {dx.name} and {dy.name}"
    other = y if dx is not None else x
    if dx is None or dy is None:
        try:
            convert_to_tensor(other, dtype=dtype)
        except (TypeError, ValueError):
            return None, f"is {_kind(x)} and {_kind(y)}"
    rx, ry = _rank_of(x), _rank_of(y)
    if rx is None:
        rx = np.ndim(x)
    if ry is None:
        ry = np.ndim(y)
    if rx != ry:
        return None, f"has rank {rx} and rank {ry}"
    return _Pair(x, y, dtype), None


# --- expressions -------------------------------------------------------------------------------
def if_exp(cond, if_true, if_false):
    """``if_true() if cond else if_false()``; a ``cond`` on a traced condition."""
    if not conditions.is_traced(cond):
        return if_true() if conditions.python_truth(cond) else if_false()
    from fluxion.graph.cond import cond as graph_cond

    pred = conditions.traced_predicate(cond, "conditional expression")
    return graph_cond(pred, if_true, if_false)


def not_(value):
    """``not value``; ``logical_not`` on a traced tensor."""
    if conditions.is_traced(value):
        from fluxion.core.primitives.elementwise import logical_not

        return logical_not(conditions.traced_predicate(value, "`not`"))
    return not conditions.read(value) if hasattr(value, "_read_for_op") else not value


def and_(*operands):
    """``a and b and ...`` over thunks: lazy as in Python; traced operands combine as tensors."""
    return _lazy_logic(operands, stop_on=False)


def or_(*operands):
    """``a or b or ...`` over thunks."""
    return _lazy_logic(operands, stop_on=True)


def _lazy_logic(operands, stop_on: bool):
    value = operands[0]()
    for index in range(1, len(operands)):
        if conditions.is_traced(value):
            rest = operands[index:]
            return _traced_logic(value, rest, stop_on)
        if bool(conditions.read(value)) is stop_on:
            return value
        value = operands[index]()
    return value


def _traced_logic(first, rest, stop_on: bool):
    """``first and rest...`` with a traced ``first``: the rest runs under a ``cond``."""
    from fluxion.graph.cond import cond as graph_cond

    pred = conditions.traced_predicate(first, "`and`" if not stop_on else "`or`")

    def remaining():
        value = _lazy_logic(rest, stop_on) if len(rest) > 1 else rest[0]()
        if conditions.is_traced(value):
            return conditions.traced_predicate(value, "`and`" if not stop_on else "`or`")
        return convert_to_tensor(bool(conditions.read(value)))

    if stop_on:
        return graph_cond(pred, lambda: convert_to_tensor(True), remaining)
    return graph_cond(pred, remaining, lambda: convert_to_tensor(False))
