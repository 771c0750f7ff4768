"""``CompositeTensor``: a value made of several tensors (TF's composite tensors).

``SparseTensor`` (indices, values, dense shape), ``RaggedTensor`` (flat values and row
partitions) and ``TensorArray`` (its elements) are Python objects over plain tensors.
``fluxion.core.nest`` expands them into their component tensors and rebuilds them, so
they pass through ``while_loop``, ``cond`` and ``function`` (as arguments and results)
like any nest of tensors: the engine only ever sees the components.

A subclass implements:

- ``_to_components()``: the list of its component tensors (or nests of them);
- ``_with_components(components)``: a new value of the same kind, with the same static
  metadata, holding ``components`` (which may be graph placeholders while tracing);
- ``_static_key()``: hashable metadata that distinguishes traces (dtype, ragged rank...).
"""

from __future__ import annotations


class CompositeTensor:
    """Base class of values that are made of several tensors."""

    __slots__ = ()

    def _to_components(self) -> list:
        raise NotImplementedError(f"{type(self).__name__} must define _to_components")

    def _with_components(self, components: list):
        raise NotImplementedError(f"{type(self).__name__} must define _with_components")

    def _static_key(self):
        return ()
