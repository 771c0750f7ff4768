"""A file of dataset elements, shared by ``cache(filename)`` and ``Dataset.save``.

Layout (all integers little-endian unsigned 64-bit unless noted)::

    b"FXDATA02"                      magic
    header length, header JSON       {"structure": ..., "dtypes": [...]} (written with
                                     the first element; structure null when empty)
    u32 CRC-32 of the header JSON
    per element: b"R", then per component:
        u8 rank, rank dims, data     numbers: the raw C-order bytes;
                                     strings: per item its length, then its bytes
      then u32 CRC-32 of the element's bytes (from b"R" on)
    b"Z", element count, b"FXDATA02" footer: the file is complete

A reader checks the footer, so a truncated file is an error, never a short dataset, and
every element's checksum, so a flipped bit is a ``DataLossError``, never different data
(as TF's snapshot format checks CRCs).  Files of the first version (``FXDATA01``,
without checksums) are still read.
Files are only ever made visible by an atomic rename of a finished temporary file
(``fluxion.core.atomic_file``), so a writer killed part-way leaves a temporary that no
reader opens.
"""

from __future__ import annotations

import json
import struct
import zlib

import numpy as np

from fluxion.core import dtypes, errors, nest
from fluxion.core.tensor import Tensor
from fluxion.data import element_spec as es

MAGIC = b"FXDATA02"
MAGIC_V1 = b"FXDATA01"  # no checksums
_U64 = struct.Struct("<Q")
_U32 = struct.Struct("<I")
_READ_CHUNK = 16 << 20


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
        self._file.write(_U64.pack(len(data)) + data + _U32.pack(zlib.crc32(data)))

    def write(self, element) -> None:
        if self._kinds is None:
            self._header(element)
        parts: list = []
        write = parts.append
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
        checksum = 0
        for part in parts:
            checksum = zlib.crc32(part, checksum)
            self._file.write(part)
        self._file.write(_U32.pack(checksum))
        self._count += 1

    def finish(self) -> int:
        if self._kinds is None:
            data = json.dumps({"structure": None, "dtypes": []}).encode()
            self._file.write(_U64.pack(len(data)) + data + _U32.pack(zlib.crc32(data)))
        self._file.write(b"Z" + _U64.pack(self._count) + MAGIC)
        return self._count


class _ChecksummedReader:
    """Reads exact sizes (in bounded chunks: a damaged size never allocates more than the
    file holds) and keeps the running CRC-32 of what it read."""

    def __init__(self, fileobj, path: str):
        self._file = fileobj
        self._path = path
        self.crc = 0

    def read(self, size: int) -> bytes:
        if size <= _READ_CHUNK:
            data = self._file.read(size)
        else:
            parts, got = [], 0
            while got < size:
                chunk = self._file.read(min(_READ_CHUNK, size - got))
                if not chunk:
                    break
                parts.append(chunk)
                got += len(chunk)
            data = b"".join(parts)
        if len(data) != size:
            raise errors.DataLossError(f"The dataset file {self._path} is truncated or corrupt.")
        self.crc = zlib.crc32(data, self.crc)
        return data

    def check(self, what: str) -> None:
        """Reads the stored CRC of what was read since the last check and compares."""
        expected, computed = self._file.read(4), self.crc
        if len(expected) != 4 or _U32.unpack(expected)[0] != computed:
            raise errors.DataLossError(f"The dataset file {self._path} is corrupt: the "
                                       f"checksum of {what} does not match.")
        self.crc = 0


def _read_exact(fileobj, size: int, path: str) -> bytes:
    return _ChecksummedReader(fileobj, path).read(size)


def read_elements(fileobj, path: str):
    """The elements stored in ``fileobj``; DataLossError if it is incomplete or damaged."""
    try:
        yield from _read_elements(fileobj, path)
    except (ValueError, TypeError, KeyError, IndexError, struct.error, OverflowError,
            MemoryError) as error:
        if isinstance(error, errors.OpError):
            raise
        raise errors.DataLossError(f"The dataset file {path} is corrupt "
                                   f"({type(error).__name__}: {error}).") from None


def _read_elements(fileobj, path: str):
    magic = fileobj.read(len(MAGIC))
    if magic not in (MAGIC, MAGIC_V1):
        raise errors.DataLossError(f"{path} is not a Fluxion dataset file.")
    checked = magic == MAGIC
    reader = _ChecksummedReader(fileobj, path)
    (length,) = _U64.unpack(_read_exact(fileobj, 8, path))
    try:
        header = json.loads(reader.read(length))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise errors.DataLossError(f"The dataset file {path} is corrupt (its header).") from None
    if checked:
        reader.check("the header")
    kinds = [dtypes.as_dtype(name) for name in header["dtypes"]]
    structure = es.decode_structure(header["structure"])
    pack = es.make_packer(structure)
    count = 0
    while True:
        reader.crc = 0
        tag = reader.read(1)
        if tag == b"Z":
            (expected,) = _U64.unpack(reader.read(8))
            if expected != count or reader.read(len(MAGIC)) != magic:
                raise errors.DataLossError(f"The dataset file {path} is corrupt.")
            return
        if tag != b"R":
            raise errors.DataLossError(f"The dataset file {path} is corrupt.")
        leaves = []
        for kind in kinds:
            rank = reader.read(1)[0]
            shape = struct.unpack(f"<{rank}Q", reader.read(8 * rank))
            size = int(np.prod(shape, dtype=object)) if rank else 1
            if kind is dtypes.string:
                items = []
                for _ in range(size):
                    (n,) = _U64.unpack(reader.read(8))
                    items.append(reader.read(n))
                array = np.empty(size, dtype=object)
                array[:] = items
                array = array.reshape(shape)
            else:
                raw = reader.read(size * kind.np_dtype.itemsize)
                array = np.frombuffer(raw, dtype=kind.np_dtype).reshape(shape)
            leaves.append(Tensor(array))
        if checked:
            reader.check(f"element {count}")
        count += 1
        yield pack(leaves)
