"""The sorted string table (LevelDB's table format) that holds a TF checkpoint's index.

A table is a run of data blocks, a (here empty) meta-index block, an index block and a
48-byte footer.  A block holds key/value entries sorted by key, each key stored as the
length of the prefix it shares with the previous key plus the rest; every 16th entry
(a restart point) stores its key whole, and the block ends with the restart offsets and
their count.  Each block is followed by a 5-byte trailer: the compression byte (0, none)
and the masked CRC-32C of the block and that byte.  The index block maps, for each data
block, a key >= the block's last key to the block's (offset, size); the footer holds
the handles of the meta-index and index blocks and the magic number.

TensorFlow writes checkpoint indexes uncompressed; a Snappy-compressed block is
reported as unsupported.  Integers here are LevelDB's varints and fixed-width
little-endian words, not protocol buffers.
"""

from __future__ import annotations

import struct

from fluxion.core.errors import DataLossError
from fluxion.io.crc32c import masked_crc32c

MAGIC = 0xDB4775248B80FB57
FOOTER_SIZE = 48
RESTART_INTERVAL = 16
BLOCK_SIZE = 256 * 1024  # TensorFlow's table block size


def _varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _read_varint(data: bytes, position: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if position >= len(data):
            raise DataLossError("truncated varint in a checkpoint index block")
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7


class _BlockBuilder:
    def __init__(self):
        self.buffer = bytearray()
        self.restarts = [0]
        self.count = 0
        self.last_key = b""

    def add(self, key: bytes, value: bytes) -> None:
        shared = 0
        if self.count % RESTART_INTERVAL:
            limit = min(len(key), len(self.last_key))
            while shared < limit and key[shared] == self.last_key[shared]:
                shared += 1
        elif self.count:
            self.restarts.append(len(self.buffer))
        self.buffer += _varint(shared) + _varint(len(key) - shared) + _varint(len(value))
        self.buffer += key[shared:] + value
        self.last_key = key
        self.count += 1

    def finish(self) -> bytes:
        tail = b"".join(struct.pack("<I", r) for r in self.restarts)
        return bytes(self.buffer) + tail + struct.pack("<I", len(self.restarts))


def build_table(items) -> bytes:
    """The table holding ``items``: (key bytes, value bytes) pairs sorted by key."""
    out = bytearray()
    index = _BlockBuilder()

    def flush(block: _BlockBuilder) -> tuple[int, int]:
        contents = block.finish()
        handle = (len(out), len(contents))
        out.extend(contents)
        trailer = b"\x00"
        out.extend(trailer + struct.pack("<I", masked_crc32c(contents + trailer)))
        return handle

    block = _BlockBuilder()
    previous = None
    for key, value in items:
        if previous is not None and key <= previous:
            raise ValueError(f"table keys must be unique and sorted: {key!r} after "
                             f"{previous!r}")
        previous = key
        block.add(key, value)
        if len(block.buffer) >= BLOCK_SIZE:
            offset, size = flush(block)
            index.add(block.last_key, _varint(offset) + _varint(size))
            block = _BlockBuilder()
    if block.count or not index.count:
        offset, size = flush(block)
        index.add(block.last_key, _varint(offset) + _varint(size))
    meta_offset, meta_size = flush(_BlockBuilder())
    index_offset, index_size = flush(index)
    handles = (_varint(meta_offset) + _varint(meta_size) + _varint(index_offset)
               + _varint(index_size))
    out.extend(handles.ljust(FOOTER_SIZE - 8, b"\x00") + struct.pack("<Q", MAGIC))
    return bytes(out)


def _block(data: bytes, offset: int, size: int, where: str) -> bytes:
    if offset + size + 5 > len(data):
        raise DataLossError(f"{where}: a block runs past the end of the file (truncated?)")
    contents = data[offset:offset + size]
    kind = data[offset + size]
    (crc,) = struct.unpack_from("<I", data, offset + size + 1)
    if masked_crc32c(contents + bytes([kind])) != crc:
        raise DataLossError(f"{where}: a block's checksum does not match (corrupt file)")
    if kind != 0:
        raise DataLossError(f"{where}: block compression type {kind} is not supported "
                            f"(TensorFlow writes checkpoint indexes uncompressed)")
    return contents


def _entries(block: bytes, where: str):
    if len(block) < 4:
        raise DataLossError(f"{where}: a block is too short")
    (restarts,) = struct.unpack_from("<I", block, len(block) - 4)
    end = len(block) - 4 - 4 * restarts
    if end < 0:
        raise DataLossError(f"{where}: a block's restart array is malformed")
    position, key = 0, b""
    while position < end:
        shared, position = _read_varint(block, position)
        unshared, position = _read_varint(block, position)
        length, position = _read_varint(block, position)
        if shared > len(key) or position + unshared + length > end:
            raise DataLossError(f"{where}: a block entry is malformed")
        key = key[:shared] + block[position:position + unshared]
        position += unshared
        yield key, block[position:position + length]
        position += length


def read_table(data: bytes, where: str = "table") -> list:
    """Every (key, value) of a table, in order; ``where`` names the file in errors."""
    if len(data) < FOOTER_SIZE:
        raise DataLossError(f"{where}: too short to be a checkpoint index ({len(data)} bytes)")
    (magic,) = struct.unpack_from("<Q", data, len(data) - 8)
    if magic != MAGIC:
        raise DataLossError(f"{where}: not a TensorFlow checkpoint index (bad magic number)")
    footer = data[len(data) - FOOTER_SIZE:]
    position = 0
    _meta_offset, position = _read_varint(footer, position)
    _meta_size, position = _read_varint(footer, position)
    index_offset, position = _read_varint(footer, position)
    index_size, position = _read_varint(footer, position)
    items = []
    for _key, handle in _entries(_block(data, index_offset, index_size, where), where):
        offset, at = _read_varint(handle, 0)
        size, _ = _read_varint(handle, at)
        items.extend(_entries(_block(data, offset, size, where), where))
    return items
