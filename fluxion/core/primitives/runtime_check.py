"""``runtime_check``: a shape check that runs when the graph runs.

An op checks its arguments' shapes when it is called; inside ``fluxion.function`` a
dimension may be unknown then (the batch of a Keras step), and a check skipped at
trace time would let the compiled step compute something eager execution refuses
(``squeeze`` of a size-2 axis, ``split`` sizes that do not add up...).  Such an op
routes its input through a ``runtime_check`` node instead: at run time it calls
``check`` with the shapes of its inputs, raises ``InvalidArgumentError`` with the
message ``check`` returns, or passes its first input through unchanged.  Gradients
flow through the first input.

The checks are a closed set of named functions (``CHECKS``), and a node holds one as a
``ShapeCheck``: its name and parameters, plain data, so a graph holding checks can be
saved (``fluxion.saved_model``) and the check found again by name when it is loaded.

``assert`` (``tf.debugging.Assert``) raises ``InvalidArgumentError`` showing its data
when its condition is false; as I/O (``effect="io"``) it is kept in a graph even
though nothing reads its result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from fluxion.core import dtypes, errors
from fluxion.core.errors import InvalidArgumentError
from fluxion.core.primitive import Aval, bind, define
from fluxion.core.tensor import Tensor

CHECKS: dict[str, Callable] = {}


def _registered(function: Callable) -> Callable:
    CHECKS[function.__name__] = function
    return function


class ShapeCheck(NamedTuple):
    """A check of ``CHECKS`` by name, with its parameters as ``((key, value), ...)``."""

    name: str
    params: tuple

    @classmethod
    def of(cls, name: str, **params) -> ShapeCheck:
        if name not in CHECKS:
            raise KeyError(f"no run-time shape check named {name!r}")
        return cls(name, tuple(sorted(params.items())))

    def __call__(self, *shapes) -> str | None:
        return CHECKS[self.name](*shapes, **dict(self.params))


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

    ``check`` is a ``ShapeCheck`` (``ShapeCheck.of("sizes_are_one", axes=(1,))``); a
    plain function works too, but a graph holding one cannot be saved.  Eagerly (every
    shape known) the check runs at once.
    """
    return bind(runtime_check_p, x, *others, check=check, op=op)


# --- the checks: each takes the inputs' shapes, then its parameters; returns None or why ---
@_registered
def same_shapes(a: tuple, b: tuple) -> str | None:
    return None if a == b else (f"labels and logits must have the same shape, got "
                                f"{list(b)} and {list(a)}")


@_registered
def channels_match(found: tuple, bias_found: tuple, axis: int) -> str | None:
    return None if found[axis] == bias_found[0] else (
        f"bias of size {bias_found[0]} must match dimension {axis} of value shape "
        f"{list(found)}")


@_registered
def sizes_are_one(found: tuple, axes: tuple) -> str | None:
    bad = [a for a in axes if found[a] != 1]
    return (f"cannot squeeze dimension {bad[0]} of shape {list(found)}: its size is "
            f"{found[bad[0]]}, not 1") if bad else None


@_registered
def count_matches(found: tuple, axis: int, count: int) -> str | None:
    return None if found[axis] == count else (
        f"num={count} does not match dimension {axis} of shape {list(found)} "
        f"({found[axis]})")


@_registered
def sizes_add_up(found: tuple, axis: int, sizes: tuple) -> str | None:
    return None if found[axis] == sum(sizes) else (
        f"sizes {list(sizes)} must add up to dimension {axis} of shape {list(found)} "
        f"({found[axis]})")


@_registered
def mask_fits(found: tuple, mask_found: tuple, axis: int) -> str | None:
    covered = list(found[axis:axis + len(mask_found)])
    return None if covered == list(mask_found) else (
        f"mask of shape {list(mask_found)} does not match the dimensions "
        f"{axis}..{axis + len(mask_found) - 1} of tensor shape {list(found)}")


@_registered
def mirror_padding_fits(found: tuple, axis: int, lo: int, hi: int, reflect: bool) -> str | None:
    limit = found[axis] - (1 if reflect else 0)
    return None if lo <= limit and hi <= limit else (
        f"{'REFLECT' if reflect else 'SYMMETRIC'} paddings must be at most {limit} for "
        f"dimension {axis} of size {found[axis]}, got [{lo}, {hi}]")


@_registered
def block_fits(found: tuple, begin: tuple, size: tuple) -> str | None:
    for axis, (start, extent, dim) in enumerate(zip(begin, size, found)):
        if start > dim or (extent != -1 and start + extent > dim):
            return (f"begin {start} with size {extent} is out of range for dimension {axis} "
                    f"of shape {list(found)}")
    return None


# --- assertions ----------------------------------------------------------------------------
def _assert_kernel(condition, *data, message, summarize):
    if not bool(np.all(condition)):
        shown = ", ".join(np.array2string(np.asarray(d).reshape(-1)[:summarize],
                                          separator=", ") for d in data)
        raise InvalidArgumentError(None, None, f"{message}{': ' if shown else ''}{shown}")
    return np.asarray(True)


assert_p = define("assert", _assert_kernel, lambda c, *d, **_: Aval((), dtypes.bool_),
                  effect="io", doc="Raises InvalidArgumentError when the condition fails.")
