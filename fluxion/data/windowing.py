"""``window``: a dataset of windows, each a structure of small datasets.

A window of ``size`` elements taken every ``stride``-th, windows starting every
``shift`` elements; the elements are buffered in a deque, so infinite inputs work.
Each window component is a ``ListDataset`` over the already computed tensors.
"""

from __future__ import annotations

import collections
import itertools

from fluxion.data import element_spec as es
from fluxion.data.dataset import Dataset

_END = object()


class WindowDataset(Dataset):
    def __init__(self, dataset: Dataset, size, shift, stride, drop_remainder):
        super().__init__((dataset,))
        self._size = int(size)
        self._shift = self._size if shift is None else int(shift)
        self._stride = int(stride)
        self._drop = bool(drop_remainder)
        if min(self._size, self._shift, self._stride) < 1:
            raise ValueError(f"window: size, shift and stride must be positive, got "
                             f"{size}, {shift}, {stride}.")

    def _iterator(self):
        span = (self._size - 1) * self._stride + 1
        buffer: collections.deque = collections.deque()
        source = self._inputs[0]._iterator()
        done = False
        while True:
            while not done and len(buffer) < span:
                element = next(source, _END)
                if element is _END:
                    done = True
                else:
                    buffer.append(element)
            if not buffer or (self._drop and len(buffer) < span):
                return
            items = list(itertools.islice(buffer, 0, span, self._stride))
            yield _window_element(items)
            drop = self._shift
            while drop and buffer:
                buffer.popleft()
                drop -= 1
            while drop and not done:  # a shift beyond the window skips unseen elements
                done = next(source, _END) is _END
                drop -= 1
            if done and not buffer:
                return

    def _cardinality(self) -> int:
        return es.window_cardinality(self._inputs[0]._cardinality(), self._size, self._shift,
                                     self._stride, self._drop)

    def _compute_element_spec(self):
        return es.map_specs(es.DatasetSpec, self._inputs[0].element_spec)


def _window_element(items: list):
    """A window of elements as a structure of datasets, one per component."""
    flat = [es.flatten(item) for item in items]
    columns = list(zip(*flat)) if flat else []
    datasets = [ListDataset(list(column)) for column in columns]
    return es.make_packer(items[0])(datasets) if es.is_structure(items[0]) else datasets[0]


class ListDataset(Dataset):
    """A dataset over a list of already computed elements (a window's component)."""

    def __init__(self, elements: list):
        super().__init__()
        self._elements = elements

    def _iterator(self):
        return iter(self._elements)

    def _cardinality(self) -> int:
        return len(self._elements)
