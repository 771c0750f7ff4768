"""``tensor_loop``: a loop over traced values as one ``while_loop`` (or Dataset loop).

The loop carries the state variables that are tensors (or nests of them, or Python
numbers, which become tensors).  A first, discarded trace of the body (``_trial``)
finds what the others become: the dtype a Python number turns into, the element type
of a Python list the body appends to (carried as a ``TensorList``), the type of the
function's return value, and which dimensions change across iterations.  Variables
first assigned in the body are per-iteration temporaries, undefined after the loop.
"""

from __future__ import annotations

from fluxion.core import nest
from fluxion.core.primitive import Aval
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.graph.autograph import conditions
from fluxion.graph.autograph.conditionals import is_return_name, is_tensorlike
from fluxion.graph.autograph.tensor_list import TensorList
from fluxion.graph.autograph.undefined import Undefined, UndefinedReturnValue


# --- the while_loop ----------------------------------------------------------------------------
class _Var:
    """How one state variable goes through the ``while_loop``."""

    TEMP, FIXED, CARRIED, LIST = "temp", "fixed", "carried", "list"

    def __init__(self, name: str, value, where: str):
        self.name = name
        self.initial = value
        self.kind = None
        self.element_aval = None  # LIST: the stacked items' element type
        self.dtypes: list = []  # CARRIED: per leaf
        self.where = where

    def undefined(self) -> Undefined:
        return Undefined(self.name, (
            f"'{self.name}' is first assigned inside the loop at {self.where}, whose "
            f"condition is a tensor: it has no value before the loop, so it cannot be read "
            f"before it is assigned in an iteration, nor after the loop. Assign it before "
            f"the loop."))


def _leaves(value) -> list:
    return nest.flatten(value) if nest.is_nested(value) else [value]


def _pack(like, leaves: list):
    return nest.pack_sequence_as(like, leaves) if nest.is_nested(like) else leaves[0]


def _classify(variable: _Var) -> None:
    value = variable.initial
    if isinstance(value, UndefinedReturnValue) or (
            isinstance(value, Undefined) and is_return_name(variable.name)):
        variable.kind = "probe"  # learns its type from the trial
    elif isinstance(value, Undefined):
        variable.kind = _Var.TEMP
    elif isinstance(value, TensorList):
        variable.kind = _Var.LIST
        variable.element_aval = value.element_aval
    elif isinstance(value, list) and (not value or all(is_tensorlike(x) for x in value)):
        variable.kind = "list?"  # a nest, or a list the body appends to: the trial tells
    elif all(is_tensorlike(leaf) for leaf in _leaves(value)):
        variable.kind = _Var.CARRIED
    else:
        variable.kind = _Var.FIXED


def _while_runner(loop_test, loop_body, init: list, invariants: list, options: dict):
    from fluxion.graph.while_loop import while_loop

    return while_loop(loop_test, loop_body, init, shape_invariants=invariants,
                      maximum_iterations=options.get("maximum_iterations"))


def tensor_loop(test, body, state: tuple, names: tuple, options: dict, where: str,
                runner=_while_runner) -> tuple:
    """``while test(*state): state = body(*state)`` as one ``while_loop``.

    ``runner(loop_test, loop_body, init, invariants, options)`` builds the loop node
    from the flat carried tensors (``while_loop``, or a loop over a Dataset).
    """
    from fluxion.graph.while_loop import settle_composites

    settle_composites(body, tuple(state))  # TensorArrays learn their element shape
    variables = [_Var(name, value, where) for name, value in zip(names, state)]
    for variable in variables:
        _classify(variable)
    init, invariants = _trial(test, body, variables, options)
    carried = [v for v in variables if v.kind in (_Var.CARRIED, _Var.LIST)]
    counts = [len(_leaves(v.initial)) if v.kind == _Var.CARRIED else 1 for v in carried]
    dummy = not init  # while_loop needs one loop variable
    if dummy:
        init, invariants = [convert_to_tensor(0)], [()]

    def unflatten(flat) -> tuple:
        flat = list(flat)[:sum(counts)] if not dummy else []
        values, position = {}, 0
        for variable, count in zip(carried, counts):
            leaves = flat[position:position + count]
            position += count
            values[id(variable)] = TensorList(leaves[0], variable.element_aval) \
                if variable.kind == _Var.LIST else _pack(variable.initial, leaves)
        return tuple(values[id(v)] if id(v) in values else
                     v.undefined() if v.kind == _Var.TEMP else v.initial for v in variables)

    def loop_test(*flat):
        result = test(*unflatten(flat))
        if conditions.is_traced(result):
            return conditions.traced_predicate(result, "loop")
        return convert_to_tensor(bool(conditions.read(result)))

    def loop_body(*flat):
        new = tuple(body(*unflatten(flat)))
        leaves = _carried_leaves(variables, new)
        return leaves if not dummy else [flat[0]]

    results = runner(loop_test, loop_body, list(init), invariants, options)
    results = [results] if isinstance(results, Tensor) else list(results)
    final = unflatten(results)
    return tuple(value.stacked if isinstance(value, TensorList) else value for value in final)


def _carried_leaves(variables: list[_Var], new: tuple) -> list:
    """The body's new values of the carried variables, as the loop's flat tensors."""
    leaves = []
    for variable, value in zip(variables, new):
        if variable.kind == _Var.FIXED:
            if value is not variable.initial:
                raise _changed_error(variable, value)
            continue
        if variable.kind not in (_Var.CARRIED, _Var.LIST):
            continue
        if isinstance(value, Undefined):
            raise conditions.ConversionError(value.error().args[0])
        if variable.kind == _Var.LIST:
            stacked = value.stacked if isinstance(value, TensorList) else value
            leaves.append(convert_to_tensor(stacked))
            continue
        new_leaves = _leaves(value) if nest.is_nested(value) else [value]
        if nest.is_nested(variable.initial) != nest.is_nested(value) or \
                len(new_leaves) != len(variable.dtypes):
            raise conditions.ConversionError(
                f"'{variable.name}' changes structure in the loop at {variable.where}: "
                f"{_describe(variable.initial)} before the loop, {_describe(value)} after an "
                f"iteration. A loop variable must keep its structure.")
        for leaf, dtype in zip(new_leaves, variable.dtypes):
            leaves.append(_as_loop_tensor(variable, leaf, dtype))
    return leaves


def _as_loop_tensor(variable: _Var, leaf, dtype) -> Tensor:
    leaf = conditions.read(leaf)
    if isinstance(leaf, Tensor):
        if leaf.dtype is not dtype:
            raise conditions.ConversionError(
                f"'{variable.name}' is {dtype.name} before the loop at {variable.where} but "
                f"{leaf.dtype.name} after an iteration; a loop variable must keep its dtype "
                f"(cast it, or give it the right dtype before the loop).")
        return leaf
    try:
        return convert_to_tensor(leaf, dtype=dtype)
    except (TypeError, ValueError):
        raise conditions.ConversionError(
            f"'{variable.name}' is {dtype.name} before the loop at {variable.where} but "
            f"{_describe(leaf)} after an iteration.") from None


def _changed_error(variable: _Var, value) -> conditions.ConversionError:
    return conditions.ConversionError(
        f"'{variable.name}' is {_describe(variable.initial)} before the loop at "
        f"{variable.where}, whose condition is a tensor, and the loop changes it to "
        f"{_describe(value)}. Such a loop can only carry tensors (and nests of them) from one "
        f"iteration to the next: give '{variable.name}' a tensor value before the loop.")


def _describe(value) -> str:
    if isinstance(value, Tensor):
        return f"a {value.dtype.name}{value.shape} tensor"
    if isinstance(value, Undefined):
        return "undefined"
    return f"a {type(value).__name__}" if not isinstance(value, (int, float, bool)) \
        else f"the Python {type(value).__name__} {value!r}"


# --- the trial trace ---------------------------------------------------------------------------
def _trial(test, body, variables: list[_Var], options: dict):
    """Traces the body once, discarding the graph, to settle each variable's type.

    Returns the loop's initial flat tensors and their shape invariants.
    """
    try:  # as the loop will run: Python numbers as tensors of their default dtype
        new, copies = _trial_run(body, variables, numbers_as_tensors=True)
    except Exception:  # noqa: BLE001 - e.g. `x = 0` then `x = x + 0.5`: retry as Python
        new, copies = _trial_run(body, variables, numbers_as_tensors=False)
    init, invariants = [], []
    for variable, after, copy in zip(variables, new, copies):
        _settle(variable, after, copy)
        if variable.kind == _Var.CARRIED:
            tensors = _initial_leaves(variable, after)
            for tensor, later in zip(tensors, _leaves(after)):
                init.append(tensor)
                invariants.append(_invariant(tensor, later, variable, options))
        elif variable.kind == _Var.LIST:
            stacked = _initial_list(variable)
            init.append(stacked)
            invariants.append((None,) + tuple(variable.element_aval.shape))
    return init, invariants


def _trial_run(body, variables: list[_Var], numbers_as_tensors: bool):
    """One trace of the body on placeholders; returns (new state, the state passed in)."""
    from fluxion.graph.interpreter import trace_subgraph

    placeholders = []  # (variable, leaf index) per placeholder
    avals = []
    for variable in variables:
        if variable.kind == _Var.CARRIED:
            for index, leaf in enumerate(_leaves(variable.initial)):
                if _is_python_number(leaf) and not numbers_as_tensors:
                    continue  # the trial runs on the number itself, as Python would
                tensor = _initial_tensor(leaf)
                placeholders.append((variable, index))
                avals.append(Aval(tuple(tensor.shape.as_list()), tensor.dtype))
        elif variable.kind == _Var.LIST and variable.element_aval is not None:
            placeholders.append((variable, 0))
            avals.append(Aval((None,) + tuple(variable.element_aval.shape),
                              variable.element_aval.dtype))
    outcome = {}

    def run(*flat):
        values = {}
        for (variable, index), tensor in zip(placeholders, flat):
            values.setdefault(id(variable), {})[index] = tensor
        state = []
        for variable in variables:
            if variable.kind == _Var.CARRIED:
                given = values.get(id(variable), {})
                leaves = [given.get(i, leaf) for i, leaf in enumerate(_leaves(variable.initial))]
                state.append(_pack(variable.initial, leaves))
            elif variable.kind == _Var.LIST:
                state.append(TensorList(values[id(variable)][0], variable.element_aval)
                             if id(variable) in values else TensorList(None, None))
            elif variable.kind == "list?":
                state.append(list(variable.initial))
            elif variable.kind == _Var.TEMP:
                state.append(variable.undefined())
            else:
                state.append(variable.initial)
        copies = list(state)
        outcome["new"] = tuple(body(*state))
        outcome["copies"] = copies
        return []

    trace_subgraph(run, avals, lambda args: args, "while_trial", "loop body")
    return outcome["new"], outcome["copies"]


def _is_python_number(value) -> bool:
    return isinstance(value, (bool, int, float))


def _initial_tensor(leaf) -> Tensor:
    leaf = conditions.read(leaf)
    return leaf if isinstance(leaf, Tensor) else convert_to_tensor(leaf)


def _settle(variable: _Var, after, copy) -> None:
    """Decides a variable's kind from what one trial iteration made of it."""
    if variable.kind == "probe":
        defined = not isinstance(after, Undefined) and all(
            isinstance(conditions.read(leaf), Tensor) or _is_python_number(leaf)
            for leaf in _leaves(after))
        if defined:
            variable.initial = nest.map_structure(_zeros_like_leaf, after) \
                if nest.is_nested(after) else _zeros_like_leaf(after)
            variable.kind = _Var.CARRIED
        else:
            variable.kind = _Var.TEMP
    elif variable.kind == "list?":
        if after is copy and len(after) > len(variable.initial):  # appended to
            variable.kind = _Var.LIST
            first = convert_to_tensor(after[len(variable.initial)])
            variable.element_aval = Aval(tuple(first.shape.as_list()), first.dtype)
        elif isinstance(after, (Tensor, TensorList)):  # appended to by an inner loop
            variable.kind = _Var.LIST
            stacked = after.stacked if isinstance(after, TensorList) else after
            variable.element_aval = Aval(tuple(stacked.shape.as_list()[1:]), stacked.dtype)
        else:
            variable.kind = _Var.CARRIED
    elif variable.kind == _Var.LIST and isinstance(after, TensorList) \
            and variable.element_aval is None:
        variable.element_aval = after.element_aval
    elif variable.kind == _Var.FIXED and after is not variable.initial:
        raise _changed_error(variable, after)


def _zeros_like_leaf(leaf) -> Tensor:
    """A constant standing for a value the loop has not produced yet."""
    import numpy as np

    leaf = _initial_tensor(leaf)
    shape = [d if d is not None else 0 for d in leaf.shape.as_list()]
    return convert_to_tensor(np.zeros(shape, leaf.dtype.np_dtype))


def _initial_leaves(variable: _Var, after) -> list:
    """The carried variable's initial tensors; Python numbers take the dtype the body gives."""
    tensors = []
    after_leaves = _leaves(after) if nest.is_nested(after) == nest.is_nested(variable.initial) \
        else [None] * len(_leaves(variable.initial))
    for leaf, later in zip(_leaves(variable.initial), after_leaves):
        leaf = conditions.read(leaf)
        later = conditions.read(later)
        tensor = _initial_tensor(leaf)
        if _is_python_number(leaf) and (isinstance(later, Tensor) or _is_python_number(later)):
            dtype = later.dtype if isinstance(later, Tensor) else convert_to_tensor(later).dtype
            try:
                tensor = convert_to_tensor(leaf, dtype=dtype)
            except (TypeError, ValueError):
                pass
        tensors.append(tensor)
    variable.dtypes = [t.dtype for t in tensors]
    return tensors


def _initial_list(variable: _Var) -> Tensor:
    initial = variable.initial
    if isinstance(initial, TensorList):
        if initial.stacked is not None:
            return initial.stacked
        initial = []
    if variable.element_aval is None:
        raise conditions.ConversionError(
            f"'{variable.name}' is an empty list before the loop at {variable.where}, and the "
            f"loop does not show what it holds; append to it in the loop or use "
            f"fluxion.TensorArray.")
    return TensorList.from_list(list(initial), variable.element_aval).stacked


def _invariant(tensor: Tensor, later, variable: _Var, options: dict) -> tuple:
    for target, shape in options.get("shape_invariants", []):
        if target is variable.initial or any(target is leaf for leaf in
                                             _leaves(variable.initial)):
            from fluxion.core.tensor_shape import as_shape

            return tuple(as_shape(shape).as_list())
    shape = tuple(tensor.shape.as_list())
    later = conditions.read(later)
    if isinstance(later, Tensor):
        after = later.shape.as_list()
        if len(after) != len(shape):
            raise conditions.ConversionError(
                f"'{variable.name}' has rank {len(shape)} before the loop at "
                f"{variable.where} but rank {len(after)} after an iteration; a loop variable "
                f"must keep its rank.")
        # Dimensions the body changes are left unknown (TF asks for shape_invariants).
        shape = tuple(a if a == b else None for a, b in zip(shape, after))
    return shape
