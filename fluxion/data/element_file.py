"""A file of dataset elements, shared by ``cache(filename)`` and ``Dataset.save``.

Layout (all integers little-endian unsigned 64-bit unless noted)::

    b"FXDATA01"                      magic
    header length, header JSON       {"structure": ..., "dtypes": [...]} (written with
                                     the first element; structure null when empty)
    per element: b"R", then per component:
        u8 rank, rank dims, data     numbers: the raw C-order bytes;
                                     strings: per item its length, then its bytes
    b"Z", element count, b"FXDATA01" footer: the file is complete

A reader checks the footer, so a truncated file is an error, never a short dataset.
Files are only ever made visible by an atomic rename of a finished temporary file
(``fluxion.core.atomic_file``), so a writer killed part-way leaves a temporary that no
reader opens.
"""

from __future__ import annotations

import json
import struct

import numpy as np

from fluxion.core import dtypes, errors, nest
from fluxion.core.tensor import Tensor
from fluxion.data import element_spec as es

MAGIC = b"FXDATA01"
_U64 = struct.Struct("<Q")


class ElementWriter:
    """Writes elements to an open binary file."""

    def __init__(self, fileobj):
        self._file = fileobj
        self._count = 0
        self._kinds = None
        fileobj.write(MAGIC)

    def _header(self, element) -> None:
        flat = nest.flatten(element)
        self._kinds = [leaf._value.dtype for leaf in flat]
        header = {"structure": es.encode_structure(element),
                  "dtypes": [leaf.dtype.name for leaf in flat]}
        data = json.dumps(header).encode()
        self._file.write(_U64.pack(len(data)) + data)

    def write(self, element) -> None:
        if self._kinds is None:
            self._header(element)
        write = self._file.write
        write(b"R")
        for leaf in nest.flatten(element):
            if not isinstance(leaf, Tensor):
                raise TypeError(f"Cannot write a {type(leaf).__name__} component to a dataset "
                                f"file; only tensors (flat_map nested datasets first).")
            array = leaf._value
            write(bytes([array.ndim]) + b"".join(_U64.pack(d) for d in array.shape))
            if array.dtype == object:
                for item in array.reshape(-1):
                    item = item if isinstance(item, bytes) else str(item).encode()
                    write(_U64.pack(len(item)) + item)
            else:
                write(np.ascontiguousarray(array).tobytes())
        self._count += 1

    def finish(self) -> int:
        if self._kinds is None:
            data = json.dumps({"structure": None, "dtypes": []}).encode()
            self._file.write(_U64.pack(len(data)) + data)
        self._file.write(b"Z" + _U64.pack(self._count) + MAGIC)
        return self._count


def _read_exact(fileobj, size: int, path: str) -> bytes:
    data = fileobj.read(size)
    if len(data) != size:
        raise errors.DataLossError(f"The dataset file {path} is truncated or corrupt.")
    return data


def read_elements(fileobj, path: str):
    """The elements stored in ``fileobj``; DataLossError if it is incomplete."""
    if fileobj.read(len(MAGIC)) != MAGIC:
        raise errors.DataLossError(f"{path} is not a Fluxion dataset file.")
    (length,) = _U64.unpack(_read_exact(fileobj, 8, path))
    header = json.loads(_read_exact(fileobj, length, path))
    kinds = [dtypes.as_dtype(name) for name in header["dtypes"]]
    structure = es.decode_structure(header["structure"])
    pack = es.make_packer(structure)
    count = 0
    while True:
        tag = _read_exact(fileobj, 1, path)
        if tag == b"Z":
            (expected,) = _U64.unpack(_read_exact(fileobj, 8, path))
            if expected != count or _read_exact(fileobj, len(MAGIC), path) != MAGIC:
                raise errors.DataLossError(f"The dataset file {path} is corrupt.")
            return
        if tag != b"R":
            raise errors.DataLossError(f"The dataset file {path} is corrupt.")
        leaves = []
        for kind in kinds:
            rank = _read_exact(fileobj, 1, path)[0]
            shape = struct.unpack(f"<{rank}Q", _read_exact(fileobj, 8 * rank, path))
            size = int(np.prod(shape)) if rank else 1
            if kind is dtypes.string:
                items = []
                for _ in range(size):
                    (n,) = _U64.unpack(_read_exact(fileobj, 8, path))
                    items.append(_read_exact(fileobj, n, path))
                array = np.empty(size, dtype=object)
                array[:] = items
                array = array.reshape(shape)
            else:
                raw = _read_exact(fileobj, size * kind.np_dtype.itemsize, path)
                array = np.frombuffer(raw, dtype=kind.np_dtype).reshape(shape)
            leaves.append(Tensor(array))
        count += 1
        yield pack(leaves)
