"""CRC-32C (Castagnoli) and TFRecord's masked form of it.

TFRecord frames every record with two masked CRC-32C checksums.  The checksum is
computed by ``google-crc32c`` (Google's C library, the extra ``fluxion-ml[tfrecord]``)
when it is installed; otherwise by a table-driven fallback in Python, so TFRecord
files are readable and writable with NumPy alone, only slower (a few MB/s).
"""

from __future__ import annotations

_MASK_DELTA = 0xA282EAD8
_POLY = 0x82F63B78  # Castagnoli polynomial, bit-reflected


def _make_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _POLY if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _make_table()


def _crc32c_python(data: bytes) -> int:
    crc = 0xFFFFFFFF
    table = _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _crc32c_numpy(data: bytes) -> int:
    """CRC-32C of a large buffer with NumPy: many chunks at once, then combined.

    The raw CRC register (no initial value, no final XOR) is affine in its start value:
    crc(s, chunk) = Z(s) ^ crc(0, chunk), where Z is the linear map "feed L zero bytes".
    So the buffer is cut into K chunks of L bytes whose crc(0, chunk) run side by side
    as NumPy lanes (L table-lookup steps on K lanes), and Z is learnt in the same run
    from 32 extra lanes that start at each single bit and read zeros.  Folding the
    chunks in order with Z's byte tables, then the short tail byte by byte, gives the
    checksum of the whole.
    """
    import numpy as np

    size = len(data)
    lanes = min(16384, max(1, size // 256))
    length = size // lanes
    table = np.array(_TABLE, dtype=np.uint32)
    block = np.frombuffer(data, dtype=np.uint8, count=lanes * length).reshape(lanes, length)
    columns = np.zeros((length, lanes + 32), dtype=np.uint8)
    columns[:, :lanes] = block.T
    state = np.zeros(lanes + 32, dtype=np.uint32)
    state[lanes:] = np.left_shift(np.uint32(1), np.arange(32, dtype=np.uint32))
    for column in columns:
        state = table[(state ^ column) & 0xFF] ^ (state >> 8)
    zero_map = state[lanes:]  # Z applied to each bit
    bits = (np.arange(256)[:, None] >> np.arange(8)) & 1  # [256, 8]
    byte_tables = []
    for k in range(4):
        chosen = np.where(bits.astype(bool), zero_map[8 * k:8 * k + 8], np.uint32(0))
        byte_tables.append(np.bitwise_xor.reduce(chosen, axis=1).tolist())
    t0, t1, t2, t3 = byte_tables
    crc = 0xFFFFFFFF
    for chunk in state[:lanes].tolist():
        crc = (t0[crc & 0xFF] ^ t1[(crc >> 8) & 0xFF] ^ t2[(crc >> 16) & 0xFF]
               ^ t3[crc >> 24] ^ chunk)
    for byte in data[lanes * length:]:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _crc32c_fallback(data: bytes) -> int:
    return _crc32c_numpy(data) if len(data) >= 4096 else _crc32c_python(data)


try:  # the fast path: Google's C implementation, when the extra is installed
    from google_crc32c import value as _crc32c_native
except ImportError:  # pragma: no cover - depends on the environment
    _crc32c_native = None

crc32c = _crc32c_native if _crc32c_native is not None else _crc32c_fallback
"""``crc32c(data: bytes) -> int``: the CRC-32C of ``data``."""

NATIVE = _crc32c_native is not None


def masked_crc32c(data: bytes) -> int:
    """TFRecord's masked CRC-32C: rotate right by 15 bits, then add a constant."""
    crc = crc32c(bytes(data)) if not isinstance(data, bytes) else crc32c(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF
