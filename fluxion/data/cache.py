"""``cache``: remember the elements of the first complete pass.

In memory (``filename=""``), or in the file ``filename + ".fxcache"``, which outlives the
process: a later program whose pipeline caches to the same name reads the file instead
of recomputing.  As in TF, only a *complete* pass is kept: an iteration that stops early
discards what it had gathered, so the cache never holds a truncated dataset.  The file
is written to a temporary name and renamed into place when the pass completes
(``fluxion.core.atomic_file``), so a writer killed part-way leaves nothing that a later
run reads as a cache.
"""

from __future__ import annotations

import os

from fluxion.core import atomic_file
from fluxion.data import element_file
from fluxion.data.dataset import Dataset

SUFFIX = ".fxcache"


class CacheDataset(Dataset):
    def __init__(self, dataset: Dataset, filename: str):
        super().__init__((dataset,))
        filename = os.fspath(filename)
        self._path = filename + SUFFIX if filename else None
        self._memory: list | None = None

    def _iterator(self):
        if self._path is None:
            if self._memory is not None:
                return iter(self._memory)
            return self._fill_memory()
        if os.path.exists(self._path):
            return self._read_file()
        return self._fill_file()

    def _fill_memory(self):
        gathered = []
        for element in self._inputs[0]._iterator():
            gathered.append(element)
            yield element
        if self._memory is None:
            self._memory = gathered

    def _fill_file(self):
        folder = os.path.dirname(os.path.abspath(self._path))
        os.makedirs(folder, exist_ok=True)
        with atomic_file.atomic_write(self._path, "wb") as fileobj:
            writer = element_file.ElementWriter(fileobj)
            for element in self._inputs[0]._iterator():
                writer.write(element)
                yield element
            writer.finish()

    def _read_file(self):
        with open(self._path, "rb") as fileobj:
            yield from element_file.read_elements(fileobj, self._path)

    def _cardinality(self) -> int:
        return self._inputs[0]._cardinality()

    def _compute_element_spec(self):
        return self._inputs[0].element_spec
