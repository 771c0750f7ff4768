"""CRC-32C (Castagnoli) and TFRecord's masked form of it.

TFRecord frames every record with two masked CRC-32C checksums.  The checksum is
computed by ``google-crc32c`` (Google's C library, the extra ``fluxion[tfrecord]``)
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


try:  # the fast path: Google's C implementation, when the extra is installed
    from google_crc32c import value as _crc32c_native
except ImportError:  # pragma: no cover - depends on the environment
    _crc32c_native = None

crc32c = _crc32c_native if _crc32c_native is not None else _crc32c_python
"""``crc32c(data: bytes) -> int``: the CRC-32C of ``data``."""

NATIVE = _crc32c_native is not None


def masked_crc32c(data: bytes) -> int:
    """TFRecord's masked CRC-32C: rotate right by 15 bits, then add a constant."""
    crc = crc32c(bytes(data)) if not isinstance(data, bytes) else crc32c(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF
