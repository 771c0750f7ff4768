"""TensorFlow's V2 checkpoint files ("tensor bundles"): read and write them.

A checkpoint with prefix ``dir/model.ckpt`` is two files:

- ``dir/model.ckpt.data-00000-of-00001``: the tensors' bytes one after the other
  (little-endian, C order).  A string tensor is its element lengths as varints, the
  masked CRC-32C of those lengths, then the bytes of the elements.
- ``dir/model.ckpt.index``: a sorted string table (``fluxion.train.sstable``) mapping
  the empty key to a ``BundleHeaderProto`` and every tensor's key to a
  ``BundleEntryProto`` (dtype, shape, shard, offset, size and masked CRC-32C of its
  bytes); the messages come from ``fluxion.train.bundle_proto``.

The data file is written first and the index last, each atomically
(``fluxion.core.atomic_file``): the index is what makes a checkpoint exist, so a
crash leaves the old checkpoint or the new one.  Reading checks every tensor's size
and checksum and raises ``fluxion.errors.DataLossError`` on a corrupt file.
"""

from __future__ import annotations

import os
import struct

import numpy as np

from fluxion.core.atomic_file import (
    TEMP_MARK,
    atomic_write,
    remove_stale_temporaries,
    temporary_name,
)
from fluxion.core.errors import DataLossError, NotFoundError
from fluxion.io.crc32c import _MASK_DELTA, crc32c
from fluxion.io.tensor_proto import DATATYPE_ENUM, DTYPE_NAMES  # noqa: F401 - re-exported
from fluxion.train import sstable
from fluxion.train.bundle_proto import message_classes

INDEX_SUFFIX = ".index"
OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"



def data_file(prefix: str, shard: int = 0, num_shards: int = 1) -> str:
    return f"{prefix}.data-{shard:05d}-of-{num_shards:05d}"


def index_file(prefix: str) -> str:
    return prefix + INDEX_SUFFIX


def exists(prefix: str) -> bool:
    return os.path.isfile(index_file(os.fspath(prefix)))


def _mask(crc: int) -> int:
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def _unmask(masked: int) -> int:
    rotated = (masked - _MASK_DELTA) & 0xFFFFFFFF
    return ((rotated >> 17) | (rotated << 15)) & 0xFFFFFFFF


def _string_bytes(array: np.ndarray) -> bytes:
    """A string tensor as TensorFlow stores it: varint lengths, their checksum, bytes."""
    items = [x if isinstance(x, bytes) else str(x).encode("utf-8") for x in array.flat]
    lengths = b"".join(sstable._varint(len(x)) for x in items)
    # TensorFlow checksums each length as a little-endian uint32, not as its varint.
    length_crc = crc32c(b"".join(struct.pack("<I", len(x)) for x in items))
    return lengths + struct.pack("<I", _mask(length_crc)) + b"".join(items)


def _entry_checksum(array: np.ndarray, payload: bytes) -> int:
    if array.dtype == object:
        items = [x if isinstance(x, bytes) else str(x).encode("utf-8") for x in array.flat]
        covered = b"".join(struct.pack("<I", len(x)) for x in items)
        covered += payload[len(payload) - sum(map(len, items)) - 4:]
        return _mask(crc32c(covered))
    return _mask(crc32c(payload))


def _dtype_name(array: np.ndarray) -> str:
    if array.dtype == object or array.dtype.kind in "SU":
        return "string"
    name = array.dtype.name
    if name not in DATATYPE_ENUM:
        raise TypeError(f"Cannot save a tensor of dtype {name} in a TensorFlow checkpoint; "
                        f"supported: {', '.join(sorted(DATATYPE_ENUM))}")
    return name


def write(prefix: str, tensors: dict) -> str:
    """Writes ``tensors`` (key -> array-like) as the checkpoint ``prefix``; returns it."""
    classes = message_classes()
    prefix = os.fspath(prefix)
    os.makedirs(os.path.dirname(os.path.abspath(prefix)), exist_ok=True)
    header = classes["BundleHeaderProto"](num_shards=1, endianness=0)
    header.version.producer = 1
    items = [(b"", header.SerializeToString())]
    chunks, offset = [], 0
    for key in sorted(tensors, key=lambda k: k.encode("utf-8")):
        array = np.asarray(tensors[key])
        name = _dtype_name(array)
        if name == "string":
            array = np.asarray(array, dtype=object)
            payload = _string_bytes(array)
        else:
            payload = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<"),
                                                          copy=False).tobytes()
        entry = classes["BundleEntryProto"](dtype=DATATYPE_ENUM[name], shard_id=0,
                                            offset=offset, size=len(payload),
                                            crc32c=_entry_checksum(array, payload))
        for size in array.shape:
            entry.shape.dim.add(size=int(size))
        items.append((key.encode("utf-8"), entry.SerializeToString()))
        chunks.append(payload)
        offset += len(payload)
    # Overwriting keeps the old checkpoint whole until the new index replaces the old:
    # the new data goes to files of another shard count (1 or 2) than the old index
    # names, and the old data files go only once the new index is in place.
    # Every tensor is in shard 0; the reader opens only the shards its entries name.
    # The data file needs no folder sync of its own: no index names it yet, and the
    # index's atomic replacement (which syncs the folder) publishes both.
    num_shards = 2 if _num_shards(prefix) == 1 else 1
    header.num_shards = num_shards
    items[0] = (b"", header.SerializeToString())
    target = data_file(prefix, 0, num_shards)
    remove_stale_temporaries(target)
    temporary = temporary_name(target)
    try:
        with open(temporary, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    with atomic_write(index_file(prefix)) as handle:
        handle.write(sstable.build_table(items))
    for stale in data_files(prefix):
        if not stale.endswith(f"-of-{num_shards:05d}"):
            os.remove(stale)
    return prefix


def _num_shards(prefix: str) -> int | None:
    """The shard count the existing index of ``prefix`` names (None: none readable)."""
    try:
        with open(index_file(prefix), "rb") as handle:
            items = sstable.read_table(handle.read(), index_file(prefix))
        return message_classes()["BundleHeaderProto"].FromString(items[0][1]).num_shards
    except (OSError, DataLossError, IndexError, ValueError):
        return None


def data_files(prefix: str) -> list:
    """Every data file of ``prefix`` on disk, whatever its shard count."""
    folder, base = os.path.split(os.path.abspath(prefix))
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return []
    return sorted(os.path.join(folder, name) for name in names
                  if name.startswith(base + ".data-") and "-of-" in name
                  and TEMP_MARK not in name)


def files(prefix: str) -> list:
    """The index and data files of the checkpoint ``prefix`` (those that exist)."""
    found = data_files(prefix)
    return found + [index_file(prefix)] if exists(prefix) else found


def remove(prefix: str) -> None:
    """Deletes the checkpoint ``prefix``: its index first, so it stops existing at once."""
    for path in [index_file(prefix)] + data_files(prefix):
        if os.path.exists(path):
            os.remove(path)


def move(source: str, target: str) -> None:
    """Renames the checkpoint ``source`` to ``target`` (data files first, index last)."""
    remove(target)
    folder, base = os.path.split(os.path.abspath(source))
    for path in data_files(source):
        os.replace(path, target + os.path.basename(path)[len(base):])
    os.replace(index_file(source), index_file(target))


def read_entries(prefix: str) -> dict:
    """``{key: BundleEntryProto}`` of the checkpoint ``prefix`` (header checked)."""
    prefix = os.fspath(prefix)
    path = index_file(prefix)
    if not os.path.isfile(path):
        raise NotFoundError(f"Failed to find a TensorFlow checkpoint at {prefix!r}: no file "
                            f"{path!r}.")
    with open(path, "rb") as handle:
        items = sstable.read_table(handle.read(), path)
    classes = message_classes()
    if not items or items[0][0] != b"":
        raise DataLossError(f"{path}: the checkpoint index has no header entry")
    header = classes["BundleHeaderProto"].FromString(items[0][1])
    if header.endianness != 0:
        raise DataLossError(f"{path}: big-endian checkpoints are not supported")
    entries = {}
    for key, value in items[1:]:
        entries[key.decode("utf-8")] = classes["BundleEntryProto"].FromString(value)
    entries[""] = header
    return entries


def read(prefix: str) -> dict:
    """``{key: np.ndarray}`` of every tensor in the checkpoint ``prefix``, checked."""
    prefix = os.fspath(prefix)
    entries = read_entries(prefix)
    header = entries.pop("")
    shards = {}
    tensors = {}
    for key, entry in entries.items():
        if entry.slices:
            raise DataLossError(f"{prefix}: tensor {key!r} is saved in slices (partitioned "
                                f"variables), which Fluxion does not read")
        if entry.shard_id not in shards:
            path = data_file(prefix, entry.shard_id, max(header.num_shards, 1))
            try:
                with open(path, "rb") as handle:
                    shards[entry.shard_id] = handle.read()
            except FileNotFoundError:
                raise NotFoundError(f"{prefix}: the data file {path!r} is missing") from None
        tensors[key] = _decode(key, entry, shards[entry.shard_id], prefix)
    return tensors


def _decode(key: str, entry, data: bytes, prefix: str) -> np.ndarray:
    name = DTYPE_NAMES.get(entry.dtype)
    if name is None:
        raise DataLossError(f"{prefix}: tensor {key!r} has an unsupported dtype enum "
                            f"{entry.dtype}")
    shape = tuple(int(dim.size) for dim in entry.shape.dim)
    payload = data[entry.offset:entry.offset + entry.size]
    if len(payload) != entry.size:
        raise DataLossError(f"{prefix}: tensor {key!r} runs past the end of its data file "
                            f"(truncated?)")
    if name == "string":
        array = _decode_strings(payload, shape, key, prefix)
        checksum = _entry_checksum(array, payload)
    else:
        dtype = _numpy_dtype(name).newbyteorder("<")
        count = int(np.prod(shape, dtype=np.int64))
        if count * dtype.itemsize != len(payload):
            raise DataLossError(f"{prefix}: tensor {key!r} has {len(payload)} bytes, expected "
                                f"{count * dtype.itemsize} for {name}{list(shape)}")
        array = np.frombuffer(payload, dtype=dtype).reshape(shape).astype(
            dtype.newbyteorder("="))
        checksum = _mask(crc32c(payload))
    if checksum != entry.crc32c:
        raise DataLossError(f"{prefix}: tensor {key!r} fails its checksum (corrupt data file)")
    return array


def _decode_strings(payload: bytes, shape: tuple, key: str, prefix: str) -> np.ndarray:
    count = int(np.prod(shape, dtype=np.int64))
    lengths, position = [], 0
    try:
        for _ in range(count):
            length, position = sstable._read_varint(payload, position)
            lengths.append(length)
    except DataLossError:
        raise DataLossError(f"{prefix}: string tensor {key!r} is truncated") from None
    position += 4  # the lengths' checksum, verified with the whole entry
    items = []
    for length in lengths:
        items.append(payload[position:position + length])
        position += length
    if position != len(payload):
        raise DataLossError(f"{prefix}: string tensor {key!r} has the wrong size")
    array = np.empty(count, dtype=object)
    array[:] = items
    return array.reshape(shape)


def _numpy_dtype(name: str) -> np.dtype:
    if name == "bfloat16":
        import ml_dtypes

        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)
