"""What a converted condition is: a Python value, a concrete tensor, or a traced tensor
(and whether an iterable is a dataset, which loops over differently).

Python values and concrete tensors (eager ones, or constants inside a trace) decide a
statement in Python, as the unconverted code would; a traced (symbolic) tensor makes it
graph control flow.  A traced condition must be a scalar; a number is compared with 0
as Python's truthiness does.
"""

from __future__ import annotations

from fluxion.core import dtypes, errors
from fluxion.core.tensor import Tensor
from fluxion.graph.symbolic import SymbolicTensor


class ConversionError(TypeError):
    """Code that AutoGraph cannot turn into graph control flow."""


def read(value):
    """A variable's value (a traced read inside a trace); other values unchanged."""
    if not isinstance(value, Tensor) and hasattr(value, "_read_for_op"):
        return value._read_for_op()
    return value


def is_traced(value) -> bool:
    return isinstance(read(value), SymbolicTensor)


def traced_predicate(value, statement: str) -> Tensor:
    """A traced condition as a scalar boolean tensor, or a clear error."""
    from fluxion.core.primitives.elementwise import not_equal

    value = read(value)
    if value.shape.rank != 0:
        raise ConversionError(
            f"The condition of the {statement} at {errors.user_location()} is a tensor of "
            f"shape {value.shape}; a condition must be a scalar. Reduce it first "
            f"(fluxion.reduce_all / fluxion.reduce_any).")
    if value.dtype is dtypes.bool_:
        return value
    if value.dtype.is_floating or value.dtype.is_integer:
        return not_equal(value, 0)
    raise ConversionError(
        f"The condition of the {statement} at {errors.user_location()} is a "
        f"{value.dtype.name} tensor; it must be boolean (or a number).")


def is_traced_context() -> bool:
    """Whether a graph is being traced (``fluxion.function`` or a TF1 graph)."""
    from fluxion.core import context

    return context.tracer is not None


def python_truth(value) -> bool:
    return bool(read(value))


def is_dataset(value) -> bool:
    """Whether ``value`` is a ``fluxion.data.Dataset`` (without importing the package)."""
    return type(value).__module__.startswith("fluxion.data") and hasattr(value, "element_spec")
