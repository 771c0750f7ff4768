"""The string hashes TensorFlow's hashing ops use, in pure Python.

``fingerprint64`` is FarmHash's ``Fingerprint64`` (the ``farmhashna`` 64-bit hash),
which ``tf.fingerprint`` and ``tf.strings.to_hash_bucket_fast`` use; ``siphash24`` is
SipHash-2-4 with a 128-bit key, which ``tf.strings.to_hash_bucket_strong`` uses.  Keras
3's ``Hashing`` layer and the lookup layers' extra OOV buckets are defined by these two,
so reproducing them bit for bit keeps Fluxion's buckets equal to Keras's.

Python integers with a 64-bit mask are slow next to C (a few microseconds a short
string), so ``hash_buckets`` hashes each distinct string of an array once.
"""

from __future__ import annotations

import struct

import numpy as np

_M = (1 << 64) - 1
_K0 = 0xC3A5C85C97CB3127
_K1 = 0xB492B66FBE98F273
_K2 = 0x9AE16A3B2F90404F


def _fetch64(s: bytes, i: int) -> int:
    return struct.unpack_from("<Q", s, i)[0]


def _fetch32(s: bytes, i: int) -> int:
    return struct.unpack_from("<I", s, i)[0]


def _rot(v: int, shift: int) -> int:
    return v if shift == 0 else ((v >> shift) | (v << (64 - shift))) & _M


def _shift_mix(v: int) -> int:
    return v ^ (v >> 47)


def _hash_len16(u: int, v: int, mul: int) -> int:
    a = ((u ^ v) * mul) & _M
    a ^= a >> 47
    b = ((v ^ a) * mul) & _M
    b ^= b >> 47
    return (b * mul) & _M


def _hash_len0to16(s: bytes, n: int) -> int:
    if n >= 8:
        mul = _K2 + n * 2
        a = (_fetch64(s, 0) + _K2) & _M
        b = _fetch64(s, n - 8)
        c = (_rot(b, 37) * mul + a) & _M
        d = ((_rot(a, 25) + b) * mul) & _M
        return _hash_len16(c, d, mul)
    if n >= 4:
        mul = _K2 + n * 2
        a = _fetch32(s, 0)
        return _hash_len16((n + (a << 3)) & _M, _fetch32(s, n - 4), mul)
    if n > 0:
        y = s[0] + (s[n >> 1] << 8)
        z = n + (s[n - 1] << 2)
        return (_shift_mix(((y * _K2) ^ (z * _K0)) & _M) * _K2) & _M
    return _K2


def _hash_len17to32(s: bytes, n: int) -> int:
    mul = _K2 + n * 2
    a = (_fetch64(s, 0) * _K1) & _M
    b = _fetch64(s, 8)
    c = (_fetch64(s, n - 8) * mul) & _M
    d = (_fetch64(s, n - 16) * _K2) & _M
    return _hash_len16((_rot((a + b) & _M, 43) + _rot(c, 30) + d) & _M,
                       (a + _rot((b + _K2) & _M, 18) + c) & _M, mul)


def _hash_len33to64(s: bytes, n: int) -> int:
    mul = _K2 + n * 2
    a = (_fetch64(s, 0) * _K2) & _M
    b = _fetch64(s, 8)
    c = (_fetch64(s, n - 8) * mul) & _M
    d = (_fetch64(s, n - 16) * _K2) & _M
    y = (_rot((a + b) & _M, 43) + _rot(c, 30) + d) & _M
    z = _hash_len16(y, (a + _rot((b + _K2) & _M, 18) + c) & _M, mul)
    e = (_fetch64(s, 16) * mul) & _M
    f = _fetch64(s, 24)
    g = ((y + _fetch64(s, n - 32)) * mul) & _M
    h = ((z + _fetch64(s, n - 24)) * mul) & _M
    return _hash_len16((_rot((e + f) & _M, 43) + _rot(g, 30) + h) & _M,
                       (e + _rot((f + a) & _M, 18) + g) & _M, mul)


def _weak_hash32(s: bytes, i: int, a: int, b: int) -> tuple[int, int]:
    w, x, y, z = struct.unpack_from("<4Q", s, i)
    a = (a + w) & _M
    b = _rot((b + a + z) & _M, 21)
    c = a
    a = (a + x + y) & _M
    b = (b + _rot(a, 44)) & _M
    return (a + z) & _M, (b + c) & _M


def _fingerprint64_python(s: bytes) -> int:
    n = len(s)
    if n <= 16:
        return _hash_len0to16(s, n)
    if n <= 32:
        return _hash_len17to32(s, n)
    if n <= 64:
        return _hash_len33to64(s, n)
    seed = 81
    x = seed
    y = (seed * _K1 + 113) & _M
    z = (_shift_mix((y * _K2 + 113) & _M) * _K2) & _M
    v0 = v1 = w0 = w1 = 0
    x = (x * _K2 + _fetch64(s, 0)) & _M
    end = ((n - 1) // 64) * 64
    last64 = end + ((n - 1) & 63) - 63
    pos = 0
    while True:  # whole 64-byte blocks
        x = (_rot((x + y + v0 + _fetch64(s, pos + 8)) & _M, 37) * _K1) & _M
        y = (_rot((y + v1 + _fetch64(s, pos + 48)) & _M, 42) * _K1) & _M
        x ^= w1
        y = (y + v0 + _fetch64(s, pos + 40)) & _M
        z = (_rot((z + w0) & _M, 33) * _K1) & _M
        v0, v1 = _weak_hash32(s, pos, (v1 * _K1) & _M, (x + w0) & _M)
        w0, w1 = _weak_hash32(s, pos + 32, (z + w1) & _M, (y + _fetch64(s, pos + 16)) & _M)
        z, x = x, z
        pos += 64
        if pos == end:
            break
    mul = _K1 + ((z & 0xFF) << 1)
    pos = last64  # the last 64 bytes, overlapping the blocks above
    w0 = (w0 + ((n - 1) & 63)) & _M
    v0 = (v0 + w0) & _M
    w0 = (w0 + v0) & _M
    x = (_rot((x + y + v0 + _fetch64(s, pos + 8)) & _M, 37) * mul) & _M
    y = (_rot((y + v1 + _fetch64(s, pos + 48)) & _M, 42) * mul) & _M
    x ^= (w1 * 9) & _M
    y = (y + v0 * 9 + _fetch64(s, pos + 40)) & _M
    z = (_rot((z + w0) & _M, 33) * mul) & _M
    v0, v1 = _weak_hash32(s, pos, (v1 * mul) & _M, (x + w0) & _M)
    w0, w1 = _weak_hash32(s, pos + 32, (z + w1) & _M, (y + _fetch64(s, pos + 16)) & _M)
    z, x = x, z
    return _hash_len16((_hash_len16(v0, w0, mul) + _shift_mix(y) * _K0 + z) & _M,
                       (_hash_len16(v1, w1, mul) + x) & _M, mul)


def fingerprint64(data: bytes) -> int:
    """FarmHash ``Fingerprint64`` of ``data`` as an unsigned 64-bit integer.

    >>> fingerprint64(b"")
    11160318154034397263
    """
    return _fingerprint64_python(data)


_CAT_MUL = 0xC6A4A7935BD1E995
CROSS_HASH_KEY = 0xDECAFCAFFE  # the seed of TF's hashed feature crosses


def fingerprint_cat64(first: int, second: int) -> int:
    """TF's ``FingerprintCat64``: combines two 64-bit hashes (hashed feature crosses)."""
    result = first ^ _CAT_MUL
    result ^= (_shift_mix((second * _CAT_MUL) & _M) * _CAT_MUL) & _M
    result = (result * _CAT_MUL) & _M
    result = (_shift_mix(result) * _CAT_MUL) & _M
    return _shift_mix(result)


def _sip_round(v0, v1, v2, v3):
    v0 = (v0 + v1) & _M
    v1 = _rotl(v1, 13) ^ v0
    v0 = _rotl(v0, 32)
    v2 = (v2 + v3) & _M
    v3 = _rotl(v3, 16) ^ v2
    v0 = (v0 + v3) & _M
    v3 = _rotl(v3, 21) ^ v0
    v2 = (v2 + v1) & _M
    v1 = _rotl(v1, 17) ^ v2
    v2 = _rotl(v2, 32)
    return v0, v1, v2, v3


def _rotl(v: int, shift: int) -> int:
    return ((v << shift) | (v >> (64 - shift))) & _M


def siphash24(key: tuple[int, int], data: bytes) -> int:
    """SipHash-2-4 of ``data`` with the 128-bit key ``(k0, k1)`` (64-bit halves).

    >>> siphash24((0, 0), b"")
    2202906307356721367
    """
    k0, k1 = key[0] & _M, key[1] & _M
    v0 = k0 ^ 0x736F6D6570736575
    v1 = k1 ^ 0x646F72616E646F6D
    v2 = k0 ^ 0x6C7967656E657261
    v3 = k1 ^ 0x7465646279746573
    n = len(data)
    whole = n - n % 8
    for i in range(0, whole, 8):
        m = _fetch64(data, i)
        v3 ^= m
        v0, v1, v2, v3 = _sip_round(*_sip_round(v0, v1, v2, v3))
        v0 ^= m
    tail = data[whole:] + bytes(8 - (n - whole))
    m = ((n & 0xFF) << 56) | _fetch64(tail, 0)
    v3 ^= m
    v0, v1, v2, v3 = _sip_round(*_sip_round(v0, v1, v2, v3))
    v0 ^= m
    v2 ^= 0xFF
    for _ in range(4):
        v0, v1, v2, v3 = _sip_round(v0, v1, v2, v3)
    return v0 ^ v1 ^ v2 ^ v3


def hash_buckets(values: np.ndarray, num_buckets: int, key: tuple | None = None) -> np.ndarray:
    """``hash(value) % num_buckets`` for an object array of bytes, as int64.

    ``key=None`` hashes with ``fingerprint64`` (``to_hash_bucket_fast``), a key pair
    with ``siphash24`` (``to_hash_bucket_strong``).  Each distinct value is hashed once.
    """
    flat = values.reshape(-1)
    if flat.size == 0:
        return np.zeros(values.shape, np.int64)
    uniques, inverse = np.unique(flat, return_inverse=True)
    if key is None:
        buckets = [fingerprint64(u) % num_buckets for u in uniques]
    else:
        buckets = [siphash24(key, u) % num_buckets for u in uniques]
    return np.asarray(buckets, np.int64)[inverse].reshape(values.shape)


def legacy_hash64(data: bytes, seed: int = 0xDECAFCAFFE) -> int:
    """TensorFlow's ``Hash64`` (MurmurHash64A with TF's seed), used by the legacy
    ``tf.strings.to_hash_bucket``.

    >>> legacy_hash64(b"") == legacy_hash64(b"")
    True
    """
    mul = 0xC6A4A7935BD1E995
    n = len(data)
    h = (seed ^ (n * mul)) & _M
    whole = n - n % 8
    for i in range(0, whole, 8):
        k = (_fetch64(data, i) * mul) & _M
        k ^= k >> 47
        k = (k * mul) & _M
        h ^= k
        h = (h * mul) & _M
    rest = data[whole:]
    if rest:
        for i in range(len(rest) - 1, -1, -1):
            h ^= rest[i] << (8 * i)
        h = (h * mul) & _M
    h ^= h >> 47
    h = (h * mul) & _M
    h ^= h >> 47
    return h


def legacy_hash_buckets(values: np.ndarray, num_buckets: int) -> np.ndarray:
    """``legacy_hash64(value) % num_buckets`` for an object array of bytes, as int64."""
    flat = values.reshape(-1)
    if flat.size == 0:
        return np.zeros(values.shape, np.int64)
    uniques, inverse = np.unique(flat, return_inverse=True)
    buckets = [legacy_hash64(u) % num_buckets for u in uniques]
    return np.asarray(buckets, np.int64)[inverse].reshape(values.shape)
