"""Calling a pipeline's user functions on elements (``map``, ``filter``, ``scan``...).

Shared by the sequential stages (``transforms``) and the parallel map's workers
(``parallel_map``).
"""

from __future__ import annotations

from fluxion.core import context
from fluxion.core.tensor import Tensor
from fluxion.data import element_spec as es
from fluxion.data import workers


def as_element(value):
    """A user function's result as an element (fast for a tensor or a tuple of tensors)."""
    kind = type(value)
    if kind is Tensor:
        return value
    if kind is tuple:
        for item in value:
            if type(item) is not Tensor:
                break
        else:
            return value
    return es.normalize_function_output(value)


def call(func, element):
    if context.tracer is not None:
        workers.wait_until_eager()
    if type(element) is tuple:
        return as_element(func(*element))
    return as_element(func(element))
