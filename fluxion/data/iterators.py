"""``tf.data.NumpyIterator`` (what ``Dataset.as_numpy_iterator`` returns) and
``tf.data.IteratorSpec`` (the type spec of a dataset iterator).

A ``NumpyIterator`` walks a dataset like ``iter(dataset)`` but gives each element as
nested NumPy values (arrays, scalars, bytes).  Like the iterator it wraps, it can be
saved in a ``fluxion.train.Checkpoint`` and restored to the same position.
"""

from __future__ import annotations

from fluxion.data import element_spec as es
from fluxion.data import stage_registry
from fluxion.data.dataset import Dataset, DatasetIterator
from fluxion.ops.type_specs import TypeSpec


def _to_numpy(leaf):
    if isinstance(leaf, Dataset):
        raise TypeError("as_numpy_iterator does not support datasets of datasets "
                        "(from window); flat_map them first.")
    return leaf.numpy()


class NumpyIterator:
    """An iterator over a dataset giving NumPy values (``tf.data.NumpyIterator``).

    >>> it = fluxion.data.Dataset.range(3).as_numpy_iterator()
    >>> next(it), it.next()
    (0, 1)
    """

    def __init__(self, dataset):
        self._dataset = dataset
        self._iterator = DatasetIterator(dataset)

    def __iter__(self) -> NumpyIterator:
        return self

    def __next__(self):
        return es.map_specs(_to_numpy, next(self._iterator))

    def next(self):
        """The next element (``StopIteration`` at the end)."""
        return self.__next__()

    @property
    def element_spec(self):
        return self._dataset.element_spec

    # Checkpointing goes through the wrapped iterator.
    def _serialize_to_tensors(self) -> dict:
        return self._iterator._serialize_to_tensors()

    def _restore_from_tensors(self, values: dict) -> None:
        self._iterator._restore_from_tensors(values)

    def __repr__(self) -> str:
        return f"NumpyIterator(iterator={self._iterator!r})"


class IteratorSpec(TypeSpec):
    """The type spec of an iterator over elements of ``element_spec`` (``tf.data``)."""

    _fields = ("_element_spec",)

    def __init__(self, element_spec):
        self._element_spec = element_spec

    @property
    def value_type(self):
        return DatasetIterator

    @property
    def element_spec(self):
        return self._element_spec

    @staticmethod
    def from_value(value) -> IteratorSpec:
        """The spec of an existing iterator (``iter(dataset)`` or a ``NumpyIterator``)."""
        return IteratorSpec(value.element_spec)

    def is_compatible_with(self, spec_or_value) -> bool:
        if isinstance(spec_or_value, IteratorSpec):
            other = spec_or_value
        elif hasattr(spec_or_value, "element_spec") and hasattr(spec_or_value, "__next__"):
            other = IteratorSpec.from_value(spec_or_value)
        else:
            return False
        mine, theirs = self._element_spec, other._element_spec
        if es.structure_key(mine) != es.structure_key(theirs):
            return False
        return all(a.is_compatible_with(b) for a, b in zip(es.flatten(mine), es.flatten(theirs)))

    def __repr__(self) -> str:
        return f"IteratorSpec({self._element_spec!r},)"


# Dataset.as_numpy_iterator finds it by name (the dataset module cannot import this one).
stage_registry.register("NumpyIterator", NumpyIterator)
