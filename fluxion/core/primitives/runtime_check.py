"""``runtime_check``: a shape check that runs when the graph runs.

An op checks its arguments' shapes when it is called; inside ``fluxion.function`` a
dimension may be unknown then (the batch of a Keras step), and a check skipped at
trace time would let the compiled step compute something eager execution refuses
(``squeeze`` of a size-2 axis, ``split`` sizes that do not add up...).  Such an op
routes its input through a ``runtime_check`` node instead: at run time it calls
``check`` with the shapes of its inputs, raises ``InvalidArgumentError`` with the
message ``check`` returns, or passes its first input through unchanged.  Gradients
flow through the first input.

``assert`` (``tf.debugging.Assert``) raises ``InvalidArgumentError`` showing its data
when its condition is false; as I/O (``effect="io"``) it is kept in a graph even
though nothing reads its result.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes, errors
from fluxion.core.errors import InvalidArgumentError
from fluxion.core.primitive import Aval, bind, define
from fluxion.core.tensor import Tensor


def _check_kernel(x, *others, check, op):
    problem = check(*[tuple(a.shape) for a in (x, *others)])
    if problem:
        raise errors.op_error(errors.InvalidArgumentError, op, problem)
    return x


def _check_rule(x: Aval, *others: Aval, check, op) -> Aval:
    return x


runtime_check_p = define(
    "runtime_check", _check_kernel, _check_rule,
    lambda g, xs, out, check, op: (g,) + (None,) * (len(xs) - 1),
    fresh_output=False, shape_only=tuple(range(1, 8)),
    doc="Passes its first input through after a run-time shape check.")


def require(op: str, check, x: Tensor, *others: Tensor) -> Tensor:
    """``x``, checked at run time by ``check(*shapes) -> None or a message``.

    Eagerly (every shape known) the check runs at once.
    """
    return bind(runtime_check_p, x, *others, check=check, op=op)


# --- assertions ----------------------------------------------------------------------------
def _assert_kernel(condition, *data, message, summarize):
    if not bool(np.all(condition)):
        shown = ", ".join(np.array2string(np.asarray(d).reshape(-1)[:summarize],
                                          separator=", ") for d in data)
        raise InvalidArgumentError(None, None, f"{message}{': ' if shown else ''}{shown}")
    return np.asarray(True)


assert_p = define("assert", _assert_kernel, lambda c, *d, **_: Aval((), dtypes.bool_),
                  effect="io", doc="Raises InvalidArgumentError when the condition fails.")
