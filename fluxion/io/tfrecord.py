"""TFRecord files: ``tf.io.TFRecordWriter``, ``TFRecordOptions`` and record reading.

A TFRecord file is a sequence of records, each framed as::

    uint64 length (little-endian)
    uint32 masked CRC-32C of the 8 length bytes
    byte   data[length]
    uint32 masked CRC-32C of the data

optionally compressed as a whole by GZIP or ZLIB.  The framing is TensorFlow's own,
so files move both ways between Fluxion and TensorFlow.  The reader checks both
checksums and raises ``DataLossError`` on a damaged or truncated record, as TF does.
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from collections.abc import Iterator

from fluxion.core.errors import DataLossError, InvalidArgumentError, NotFoundError
from fluxion.io.crc32c import masked_crc32c

_COMPRESSIONS = {None: "", "": "", "ZLIB": "ZLIB", "GZIP": "GZIP"}
_DEFAULT_BUFFER = 256 * 1024
_READ_CHUNK = 16 << 20
MAX_INFLATION = 1000  # GZIP/ZLIB data may grow this much, past INFLATION_ALLOWANCE bytes
INFLATION_ALLOWANCE = 64 << 20


class TFRecordCompressionType:
    """``tf.compat.v1.io.TFRecordCompressionType``: the compression kinds as constants."""

    NONE = 0
    ZLIB = 1
    GZIP = 2


_BY_ENUM = {TFRecordCompressionType.NONE: "", TFRecordCompressionType.ZLIB: "ZLIB",
            TFRecordCompressionType.GZIP: "GZIP"}


class TFRecordOptions:
    """Options for writing TFRecord files (``tf.io.TFRecordOptions``).

    Args:
      compression_type: ``"GZIP"``, ``"ZLIB"``, or ``""``/None for no compression.
      flush_mode, input_buffer_size, output_buffer_size, window_bits, compression_level,
      compression_method, mem_level, compression_strategy: zlib settings; those Python's
        ``zlib`` understands (``compression_level``, ``window_bits``, ``mem_level``,
        ``compression_strategy``) are honoured, the others accepted for compatibility.

    >>> TFRecordOptions("GZIP").compression_type
    'GZIP'
    """

    compression_type_map = dict(_BY_ENUM)

    def __init__(self, compression_type: str | None = None, flush_mode=None,
                 input_buffer_size: int | None = None, output_buffer_size: int | None = None,
                 window_bits: int | None = None, compression_level: int | None = None,
                 compression_method=None, mem_level: int | None = None,
                 compression_strategy: int | None = None):
        self.compression_type = compression_name(compression_type)
        self.flush_mode = flush_mode
        self.input_buffer_size = input_buffer_size
        self.output_buffer_size = output_buffer_size
        self.window_bits = window_bits
        self.compression_level = compression_level
        self.compression_method = compression_method
        self.mem_level = mem_level
        self.compression_strategy = compression_strategy

    @classmethod
    def get_compression_type_string(cls, options) -> str:
        """The compression name (``""``, ``"ZLIB"``, ``"GZIP"``) of options, a name or None."""
        if isinstance(options, TFRecordOptions):
            return options.compression_type
        return compression_name(options)

    def __repr__(self) -> str:
        return f"TFRecordOptions(compression_type={self.compression_type!r})"


def compression_name(value) -> str:
    """``""``, ``"ZLIB"`` or ``"GZIP"`` from a name, None, an enum value or options."""
    if isinstance(value, TFRecordOptions):
        return value.compression_type
    if isinstance(value, int) and not isinstance(value, bool) and value in _BY_ENUM:
        return _BY_ENUM[value]
    if hasattr(value, "numpy"):  # a scalar string tensor
        value = value.numpy()
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, str):
        value = value.upper()
    if value not in _COMPRESSIONS:
        raise InvalidArgumentError(
            f"TFRecord compression_type must be one of '', 'ZLIB', 'GZIP' or None; "
            f"got {value!r}")
    return _COMPRESSIONS[value]


def path_str(path) -> str:
    """A path from a str, bytes, PathLike or scalar string tensor."""
    if hasattr(path, "numpy"):
        path = path.numpy()
    if isinstance(path, bytes):
        path = path.decode()
    return os.fspath(path)


def encode_record(data: bytes) -> bytes:
    """One record in TFRecord framing (header, data, footer)."""
    length = struct.pack("<Q", len(data))
    return b"".join((length, struct.pack("<I", masked_crc32c(length)), data,
                     struct.pack("<I", masked_crc32c(data))))


class _ZlibWriter:
    """A write-only file object that deflates into a zlib stream, as TF's ZLIB option."""

    def __init__(self, raw, options: TFRecordOptions):
        level = -1 if options.compression_level is None else options.compression_level
        wbits = zlib.MAX_WBITS if options.window_bits is None else options.window_bits
        mem = zlib.DEF_MEM_LEVEL if options.mem_level is None else options.mem_level
        strategy = (zlib.Z_DEFAULT_STRATEGY if options.compression_strategy is None
                    else options.compression_strategy)
        self._raw = raw
        self._deflate = zlib.compressobj(level, zlib.DEFLATED, wbits, mem, strategy)

    def write(self, data: bytes) -> None:
        self._raw.write(self._deflate.compress(data))

    def flush(self) -> None:
        self._raw.write(self._deflate.flush(zlib.Z_SYNC_FLUSH))
        self._raw.flush()

    def close(self) -> None:
        self._raw.write(self._deflate.flush(zlib.Z_FINISH))
        self._raw.close()


class _ZlibReader:
    """A read-only file object over a zlib stream: ``read(n)`` returns up to n bytes.

    Decompressed bytes wait in one ``bytearray`` consumed from the front by an index,
    so reading many small records costs linear time (slicing ``bytes`` made it
    quadratic in the buffer size).
    """

    def __init__(self, raw, buffer_size: int):
        self._raw = raw
        self._inflate = zlib.decompressobj()
        self._pending = bytearray()
        self._start = 0
        self._chunk = buffer_size

    def read(self, size: int) -> bytes:
        while len(self._pending) - self._start < size and not self._inflate.eof:
            chunk = self._raw.read(self._chunk)
            if self._start:
                del self._pending[:self._start]
                self._start = 0
            if not chunk:
                self._pending += self._inflate.flush()
                break
            self._pending += self._inflate.decompress(chunk)
        end = min(self._start + size, len(self._pending))
        out = bytes(self._pending[self._start:end])
        self._start = end
        return out

    def tell_compressed(self) -> int:
        return self._raw.tell()

    def close(self) -> None:
        self._raw.close()


class _InflationGuard:
    """Stops reading a compressed stream that inflates beyond ``MAX_INFLATION`` times its
    compressed size (past ``INFLATION_ALLOWANCE`` bytes): a decompression bomb."""

    def __init__(self, inner, raw, path: str):
        self._inner = inner
        self._raw = raw
        self._path = path
        self._produced = 0

    def read(self, size: int) -> bytes:
        data = self._inner.read(size)
        self._produced += len(data)
        if self._produced > INFLATION_ALLOWANCE and \
                self._produced > MAX_INFLATION * max(self._raw.tell(), 1):
            raise DataLossError(
                f"{self._path}: the compressed data inflates more than {MAX_INFLATION}x "
                f"({self._produced:,} bytes from {self._raw.tell():,}); refusing to read on "
                f"(a damaged or crafted file).")
        return data

    def close(self) -> None:
        self._inner.close()


class TFRecordWriter:
    """Writes records to a TFRecord file (``tf.io.TFRecordWriter``).

    Args:
      path: the file to write (created or truncated).
      options: a ``TFRecordOptions`` or a compression name (``"GZIP"``, ``"ZLIB"``, ``""``).

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "data.tfrecord")
    >>> with TFRecordWriter(path) as writer:
    ...     writer.write(b"hello")
    >>> list(tf_record_iterator(path))
    [b'hello']
    """

    def __init__(self, path, options: TFRecordOptions | str | None = None):
        if not isinstance(options, TFRecordOptions):
            options = TFRecordOptions(compression_name(options))
        self._path = path_str(path)
        try:
            raw = open(self._path, "wb")
        except FileNotFoundError as error:
            raise NotFoundError(f"TFRecordWriter: cannot create {self._path!r}: {error}") from None
        kind = options.compression_type
        if kind == "GZIP":
            level = 9 if options.compression_level in (None, -1) else options.compression_level
            self._file = gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=level, mtime=0)
            self._raw = raw
        elif kind == "ZLIB":
            self._file, self._raw = _ZlibWriter(raw, options), None
        else:
            self._file, self._raw = raw, None
        self._closed = False

    def write(self, record) -> None:
        """Appends one record (bytes, str, or a scalar string tensor)."""
        self._check_open()
        if hasattr(record, "numpy"):
            record = record.numpy()
        if isinstance(record, str):
            record = record.encode()
        if not isinstance(record, (bytes, bytearray, memoryview)):
            raise TypeError(f"TFRecordWriter.write expects bytes or a string tensor, "
                            f"got {type(record).__name__}")
        self._file.write(encode_record(bytes(record)))

    def flush(self) -> None:
        """Pushes the records written so far to the file."""
        self._check_open()
        self._file.flush()

    def close(self) -> None:
        """Flushes and closes the file; further writes raise."""
        if not self._closed:
            self._file.close()
            if self._raw is not None:
                self._raw.close()
            self._closed = True

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError(f"TFRecordWriter for {self._path!r} is closed")

    def __enter__(self) -> TFRecordWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - never raise from a finalizer
            pass


def open_for_reading(path: str, compression: str, buffer_size: int = _DEFAULT_BUFFER,
                     what: str = "TFRecord"):
    """A binary file object with ``read(n)`` over the decompressed content of ``path``."""
    try:
        raw = open(path, "rb", buffering=buffer_size)
    except FileNotFoundError:
        raise NotFoundError(f"{what} file not found: {path!r}") from None
    except IsADirectoryError:
        raise InvalidArgumentError(f"{what} path is a directory, not a file: {path!r}") from None
    if compression == "GZIP":
        return _InflationGuard(gzip.GzipFile(fileobj=raw, mode="rb"), raw, path)
    if compression == "ZLIB":
        return _InflationGuard(_ZlibReader(raw, buffer_size), raw, path)
    return raw


def _read_body(handle, length: int, remaining: int | None) -> bytes:
    """``length`` bytes (and the 4-byte CRC), read in bounded chunks: a crafted length
    prefix (2^63, 10^12) never allocates more than the file really holds."""
    wanted = length + 4
    if remaining is not None and wanted > remaining:
        return b""
    if wanted <= _READ_CHUNK:
        return handle.read(wanted)
    parts, got = [], 0
    while got < wanted:
        chunk = handle.read(min(_READ_CHUNK, wanted - got))
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def read_records(path, compression_type: str | None = None,
                 buffer_size: int | None = None) -> Iterator[bytes]:
    """Yields the records of one TFRecord file, checking both checksums of each.

    Raises:
      NotFoundError: the file does not exist.
      DataLossError: a record is truncated or a checksum does not match.
    """
    path = path_str(path)
    compression = compression_name(compression_type)
    size = _DEFAULT_BUFFER if not buffer_size else int(buffer_size)
    handle = open_for_reading(path, compression, size)
    file_size = os.fstat(handle.fileno()).st_size if not compression else None
    try:
        offset = 0
        while True:
            try:
                header = handle.read(12)
            except (OSError, EOFError, zlib.error) as error:
                raise DataLossError(f"{path}: corrupt compressed data: {error}") from None
            if not header:
                return
            if len(header) < 12:
                raise DataLossError(f"{path}: truncated record header at offset {offset}")
            length_bytes = header[:8]
            if struct.unpack("<I", header[8:])[0] != masked_crc32c(length_bytes):
                raise DataLossError(f"{path}: corrupted record at offset {offset} "
                                    "(length checksum mismatch)")
            (length,) = struct.unpack("<Q", length_bytes)
            remaining = None if file_size is None else file_size - offset - 12
            try:
                body = _read_body(handle, length, remaining)
            except (OSError, EOFError, zlib.error) as error:
                raise DataLossError(f"{path}: corrupt compressed data: {error}") from None
            if len(body) < length + 4:
                raise DataLossError(f"{path}: truncated record at offset {offset} "
                                    f"(its header declares {length:,} bytes of data, more "
                                    f"than the file holds)")
            data = body[:length]
            if struct.unpack("<I", body[length:])[0] != masked_crc32c(data):
                raise DataLossError(f"{path}: corrupted record at offset {offset} "
                                    "(data checksum mismatch)")
            offset += 16 + length
            yield data
    finally:
        handle.close()


def tf_record_iterator(path, options: TFRecordOptions | str | None = None) -> Iterator[bytes]:
    """Yields the records of a TFRecord file (``tf.compat.v1.io.tf_record_iterator``).

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "r.tfrecord")
    >>> with TFRecordWriter(path, "GZIP") as writer:
    ...     writer.write(b"a"); writer.write(b"bc")
    >>> list(tf_record_iterator(path, "GZIP"))
    [b'a', b'bc']
    """
    return read_records(path, TFRecordOptions.get_compression_type_string(options))
