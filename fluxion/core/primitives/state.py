"""Stateful primitives: reading and writing variables, advancing a random stream, printing.

They only appear in graphs (eager code touches variables directly): a traced read
becomes a ``read_variable`` node that fetches the variable's current array when the
graph runs, and ``assign_variable`` stores a computed array into the variable.  The
variable travels as a hashable ``TensorRef`` attribute.  Graph passes never fold,
merge or reorder these nodes (their ``effect``).
"""

from __future__ import annotations

import sys

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval, bind, define
from fluxion.core.tensor import Tensor


def _read_kernel(variable):
    return variable.deref()._tensor._value


def _assign_kernel(value, variable):
    variable.deref()._tensor = Tensor(value)
    return value


def _read_rule(variable) -> Aval:
    var = variable.deref()
    return Aval(tuple(var._shape.dims) if var._shape.rank is not None else (), var.dtype)


read_variable_p = define("read_variable", _read_kernel, _read_rule, effect="reads_state")
assign_variable_p = define("assign_variable", _assign_kernel,
                           lambda value, variable: value, effect="writes_state",
                           retains_inputs=True)


def _advance_kernel(state):
    """Reads a random stream's state ``[c_lo, c_hi, key]``, returns the seed
    ``[key, c_lo]`` and stores the state advanced by one draw (the counter + 1)."""
    variable = state.deref()
    current = variable._tensor._value
    variable._tensor = Tensor(current + _ADVANCE)
    return current[::-2].copy()  # [c_lo, c_hi, key] -> [key, c_lo]


_ADVANCE = np.array([1, 0, 0], dtype=np.int64)
# One stateful node reads and advances the stream (fluxion.core.random_state): every run
# of a traced function or of a TF1 graph that draws from it gets fresh numbers.
advance_state_p = define(
    "advance_random_state", _advance_kernel,
    lambda state: Aval((2,), dtypes.int64), effect="writes_state")


def _print_kernel(*values, template, sep, output_stream, end):
    parts = [_format(values[piece]) if isinstance(piece, int) else piece for piece in template]
    stream = sys.stderr if output_stream == "stderr" else sys.stdout
    print(sep.join(parts), end=end, file=stream)
    return values[0] if values else _empty()


def _format(value) -> str:
    import numpy as np

    array = np.asarray(value)
    if array.dtype == object:
        array = np.vectorize(lambda b: b.decode() if isinstance(b, bytes) else b)(array)
        return str(array) if array.ndim else str(array[()])
    return str(array) if array.ndim else str(array[()])


def _empty():
    import numpy as np

    return np.zeros((0,), dtype=np.float32)


def _print_rule(*avals, template, sep, output_stream, end) -> Aval:
    from fluxion.core import dtypes

    return avals[0] if avals else Aval((0,), dtypes.float32)


def _print_replay(node, args, replay_effects: bool):
    """Re-running a traced print: silent unless asked (a gradient pass recomputes a
    branch and should not print twice); the result is the first value, as the kernel's."""
    if replay_effects:
        return bind(print_p, *args, **node.attrs)
    return args[0] if args else Tensor(_empty())


print_p = define("print", _print_kernel, _print_rule, effect="io", replay=_print_replay)
