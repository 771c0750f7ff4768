"""Reading HDF5 weight files without trusting them.

An HDF5 file can make a reader touch other files: a dataset may keep its bytes in
*external* raw files, a *virtual* dataset maps other files' datasets, and an
``ExternalLink`` points into another file.  A weights file (``.weights.h5``, a legacy
``.h5`` model, the weights inside a ``.keras`` zip) has no business doing any of
that, so every access here refuses them, whatever ``safe_mode`` says (Keras 3 closed
the same hole, CVE-2026-1669).

A file can also declare a dataset far larger than the bytes it holds (unallocated
storage reads as fill values; a compression filter inflates).  ``CheckedDataset``
exposes the declared shape and dtype without reading, so callers check shapes first,
and reads a dataset only when its declared size is backed by stored bytes (at most
``MAX_INFLATION`` times, past a small allowance).  Errors name the file and the dataset.
"""

from __future__ import annotations

import numpy as np

MAX_INFLATION = 100  # Keras stores weights uncompressed; a filter may shrink them this much
SMALL_DATASET_BYTES = 1 << 20  # below this, a dataset may be mostly fill values


class UnsafeWeightsFileError(ValueError):
    """A weights file that points outside itself or declares more than it holds."""


def _file_name(node) -> str:
    try:
        return node.file.filename
    except (AttributeError, ValueError):
        return "<weights file>"


def child(group, name: str):
    """``group[name]``, refusing links to other files and datasets stored elsewhere.

    ``name`` may be a path (``a/b/vars``): each step is checked.
    """
    import h5py

    node = group
    for part in [p for p in str(name).split("/") if p]:
        link = node.get(part, getlink=True)
        if link is None:
            raise KeyError(f"'{part}' not found in '{node.name}' of {_file_name(group)}")
        if isinstance(link, h5py.ExternalLink):
            raise UnsafeWeightsFileError(
                f"{_file_name(group)}: '{node.name}/{part}' is a link to another file "
                f"('{link.filename}'); weights files may not read other files. Refusing to "
                f"load it.")
        node = node[part]
        if isinstance(node, h5py.Dataset):
            _refuse_foreign_storage(node)
    return node


def contains(group, name: str) -> bool:
    """Whether ``name`` exists under ``group`` (without following links to other files)."""
    node = group
    for part in [p for p in str(name).split("/") if p]:
        if node.get(part, getlink=True) is None:
            return False
        node = child(node, part)
    return True


def _refuse_foreign_storage(dataset) -> None:
    if dataset.is_virtual:
        raise UnsafeWeightsFileError(
            f"{_file_name(dataset)}: dataset '{dataset.name}' is a virtual dataset mapping "
            f"other files; weights files may not read other files. Refusing to load it.")
    if dataset.external:
        raise UnsafeWeightsFileError(
            f"{_file_name(dataset)}: dataset '{dataset.name}' keeps its bytes in external "
            f"files ({[entry[0] for entry in dataset.external]}); weights files may not read "
            f"other files. Refusing to load it.")


class CheckedDataset:
    """A weight dataset whose shape is known before it is read, and read only if sane."""

    __slots__ = ("_dataset", "shape", "dtype")

    def __init__(self, dataset):
        _refuse_foreign_storage(dataset)
        self._dataset = dataset
        self.shape = tuple(dataset.shape) if dataset.shape is not None else ()
        self.dtype = dataset.dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    def read(self) -> np.ndarray:
        dataset = self._dataset
        declared = self.size * dataset.dtype.itemsize
        stored = dataset.id.get_storage_size()
        if declared > SMALL_DATASET_BYTES and declared > MAX_INFLATION * stored:
            raise UnsafeWeightsFileError(
                f"{_file_name(dataset)}: dataset '{dataset.name}' declares shape "
                f"{self.shape} ({declared:,} bytes) but stores only {stored:,} bytes; the "
                f"file is damaged or crafted. Refusing to read it.")
        return np.asarray(dataset[()])

    def __array__(self, dtype=None, copy=None):
        array = self.read()
        return array if dtype is None else array.astype(dtype)

    def __getitem__(self, key):
        return self.read()[key]

    def __len__(self) -> int:
        return self.shape[0] if self.shape else 0

    def __repr__(self) -> str:
        return f"<CheckedDataset shape={self.shape} dtype={self.dtype}>"


def dataset(group, name: str) -> CheckedDataset:
    """The dataset ``group[name]``, checked, not yet read."""
    import h5py

    node = child(group, name)
    if not isinstance(node, h5py.Dataset):
        raise ValueError(f"{_file_name(group)}: '{node.name}' should be a weight dataset, "
                         f"found a group.")
    return CheckedDataset(node)


def read(group, name: str, expected_shape: tuple | None = None) -> np.ndarray:
    """Reads ``group[name]`` after checking it (and its shape, when one is expected)."""
    checked = dataset(group, name)
    if expected_shape is not None and tuple(checked.shape) != tuple(expected_shape):
        raise ValueError(f"{_file_name(group)}: dataset '{name}' has shape {checked.shape}, "
                         f"expected {tuple(expected_shape)}.")
    return checked.read()
