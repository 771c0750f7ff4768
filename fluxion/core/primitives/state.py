"""Stateful primitives: reading and writing variables, and printing.

They only appear in graphs (eager code touches variables directly): a traced read
becomes a ``read_variable`` node that fetches the variable's current array when the
graph runs, and ``assign_variable`` stores a computed array into the variable.  The
variable travels as a hashable ``TensorRef`` attribute.  Graph passes never fold,
merge or reorder these nodes (``stateful=True``).
"""

from __future__ import annotations

import sys

from fluxion.core.primitive import Aval, define
from fluxion.core.tensor import Tensor


def _read_kernel(variable):
    return variable.deref()._tensor._value


def _assign_kernel(value, variable):
    variable.deref()._tensor = Tensor(value)
    return value


def _read_rule(variable) -> Aval:
    var = variable.deref()
    return Aval(tuple(var._shape.dims) if var._shape.rank is not None else (), var.dtype)


read_variable_p = define("read_variable", _read_kernel, _read_rule, stateful=True)
assign_variable_p = define("assign_variable", _assign_kernel,
                           lambda value, variable: value, stateful=True)


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


print_p = define("print", _print_kernel, _print_rule, stateful=True)
