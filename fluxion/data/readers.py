"""File readers: ``TextLineDataset``, ``TFRecordDataset`` and ``FixedLengthRecordDataset``
(``tf.data``'s names).

Both take ``filenames`` as a path, a list of paths, a string tensor (scalar or vector)
or a ``Dataset`` of path strings, read the files in order (or, with
``num_parallel_reads`` > 1, that many files at once through ``Dataset.interleave``, one
element from each in turn, as TensorFlow does), and yield scalar ``tf.string`` tensors.
Files may be compressed with ``"GZIP"`` or ``"ZLIB"``.  Each iteration reopens the
files, so a reader is re-iterable like any dataset.  The CSV readers are in
``fluxion.data.csv_readers``.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import InvalidArgumentError
from fluxion.core.tensor import Tensor
from fluxion.core.tensor_spec import TensorSpec
from fluxion.data.dataset import Dataset
from fluxion.io import tfrecord

_CHUNK = 1 << 16


def string_scalar(value: bytes) -> Tensor:
    """A scalar ``tf.string`` tensor holding ``value``."""
    array = np.empty((), dtype=object)
    array[()] = value
    return Tensor(array)


class FileNames:
    """The ``filenames`` argument of a reader, resolved to paths each time it is read."""

    def __init__(self, filenames, reader: str):
        self._dataset = filenames if isinstance(filenames, Dataset) else None
        self._paths = None if self._dataset is not None else _as_paths(filenames, reader)

    def __iter__(self) -> Iterator[str]:
        if self._dataset is None:
            return iter(self._paths)
        return (tfrecord.path_str(name) for name in self._dataset)

    def as_dataset(self) -> Dataset:
        """The paths as a dataset of strings."""
        if self._dataset is not None:
            return self._dataset
        return Dataset.from_tensor_slices(np.array(self._paths, dtype=object))


def _as_paths(filenames, reader: str) -> list:
    return string_list(filenames, reader, "filenames",
                       "a path, a list of paths, a string tensor or a Dataset of strings")


def string_list(value, where: str, argument: str, expected: str) -> list:
    """``value`` (a str, bytes or path, a list of them, or a scalar or vector string
    tensor) as a non-empty list of str; ``where``, ``argument`` and ``expected`` name
    the call, its argument and what it takes in the errors."""
    if isinstance(value, Tensor):
        if value.dtype is not dtypes.string or value.shape.rank not in (0, 1):
            raise TypeError(f"{where}: `{argument}` must be a scalar or vector tf.string "
                            f"tensor, got {value.dtype.name} of shape {value.shape}")
        values = value.numpy()
        value = [values] if np.ndim(values) == 0 else list(values)
    elif isinstance(value, (str, bytes)) or hasattr(value, "__fspath__"):
        value = [value]
    elif not isinstance(value, (list, tuple, np.ndarray)):
        raise TypeError(f"{where}: `{argument}` must be {expected}; got "
                        f"{type(value).__name__}")
    strings = [tfrecord.path_str(item) for item in value]
    if not strings:
        raise InvalidArgumentError(f"{where}: `{argument}` must not be empty")
    return strings


def _num_reads(value, reader: str) -> int | None:
    if value is None:
        return None
    value = int(value)
    if value == -1:  # AUTOTUNE
        return 4
    if value < 1:
        raise ValueError(f"{reader}: `num_parallel_reads` must be positive or AUTOTUNE, "
                         f"got {value}")
    return value


def read_lines(path: str, compression: str, buffer_size: int | None) -> Iterator[bytes]:
    """The lines of a (possibly compressed) file, without ``\\n`` or ``\\r\\n``."""
    handle = tfrecord.open_for_reading(path, compression, buffer_size or _CHUNK, "Text")
    try:
        tail = b""
        while True:
            chunk = handle.read(_CHUNK)
            if not chunk:
                break
            lines = (tail + chunk).split(b"\n")
            tail = lines.pop()
            for line in lines:
                yield line[:-1] if line.endswith(b"\r") else line
        if tail:
            yield tail[:-1] if tail.endswith(b"\r") else tail
    finally:
        handle.close()


class _FileReaderDataset(Dataset):
    _reader = "FileReader"

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None, name=None):
        super().__init__()
        self._files = FileNames(filenames, self._reader)
        self._compression = tfrecord.compression_name(compression_type)
        self._buffer_size = None if buffer_size is None else int(buffer_size)
        self._cycle = _num_reads(num_parallel_reads, self._reader)

    def _read_file(self, path: str) -> Iterator[bytes]:
        raise NotImplementedError

    def _one_file_reader(self, path) -> Dataset:
        """The same reader over the single file ``path`` (one branch of an interleave)."""
        return type(self)(path, self._compression, self._buffer_size)

    def _iterator(self):
        if self._cycle is not None and self._cycle > 1:
            # TF reads num_parallel_reads files as a deterministic interleave of
            # single-file readers, one element from each in turn.
            files = self._files.as_dataset()
            yield from files.interleave(self._one_file_reader, cycle_length=self._cycle,
                                        block_length=1)._iterator()
            return
        for path in self._files:
            for record in self._read_file(path):
                yield string_scalar(record)

    def _compute_element_spec(self):
        return TensorSpec([], dtypes.string)


class TextLineDataset(_FileReaderDataset):
    """The lines of one or more text files, one scalar string per line (``tf.data``).

    Args:
      filenames: a path, a list of paths, a string tensor, or a Dataset of paths.
      compression_type: ``""``/None, ``"ZLIB"`` or ``"GZIP"``.
      buffer_size: bytes to buffer when reading.
      num_parallel_reads: read this many files at once, interleaving their lines.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "a.txt")
    >>> _ = open(path, "w").write("first\\nsecond\\n")
    >>> list(TextLineDataset(path).as_numpy_iterator())
    [b'first', b'second']
    """

    _reader = "TextLineDataset"

    def _read_file(self, path: str) -> Iterator[bytes]:
        return read_lines(path, self._compression, self._buffer_size)


class TFRecordDataset(_FileReaderDataset):
    """The records of one or more TFRecord files, one scalar string each (``tf.data``).

    Args:
      filenames: a path, a list of paths, a string tensor, or a Dataset of paths.
      compression_type: ``""``/None, ``"ZLIB"`` or ``"GZIP"``.
      buffer_size: bytes to buffer when reading.
      num_parallel_reads: read this many files at once, interleaving their records.

    A damaged record raises ``DataLossError`` when it is reached.

    >>> import os, tempfile
    >>> from fluxion.io import TFRecordWriter
    >>> path = os.path.join(tempfile.mkdtemp(), "r.tfrecord")
    >>> with TFRecordWriter(path) as writer:
    ...     writer.write(b"x")
    >>> list(TFRecordDataset(path).as_numpy_iterator())
    [b'x']
    """

    _reader = "TFRecordDataset"

    def _read_file(self, path: str) -> Iterator[bytes]:
        return tfrecord.read_records(path, self._compression, self._buffer_size)


class FixedLengthRecordDataset(_FileReaderDataset):
    """Records of ``record_bytes`` bytes each from one or more files (``tf.data``).

    Args:
      filenames: a path, a list of paths, a string tensor, or a Dataset of paths.
      record_bytes: the size of every record.
      header_bytes: bytes to skip at the start of each file.
      footer_bytes: bytes to ignore at the end of each file.
      buffer_size: bytes to buffer when reading.
      compression_type: ``""``/None, ``"ZLIB"`` or ``"GZIP"``.
      num_parallel_reads: read this many files at once, interleaving their records.

    A file whose body (between header and footer) is not a whole number of records
    raises ``InvalidArgumentError`` when it is reached.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "r.bin")
    >>> _ = open(path, "wb").write(b"HHabcdef")
    >>> list(FixedLengthRecordDataset(path, 3, header_bytes=2).as_numpy_iterator())
    [b'abc', b'def']
    """

    _reader = "FixedLengthRecordDataset"

    def __init__(self, filenames, record_bytes, header_bytes=None, footer_bytes=None,
                 buffer_size=None, compression_type=None, num_parallel_reads=None, name=None):
        super().__init__(filenames, compression_type, buffer_size, num_parallel_reads)
        self._record_bytes = int(record_bytes)
        self._header_bytes = int(header_bytes or 0)
        self._footer_bytes = int(footer_bytes or 0)
        if self._record_bytes <= 0:
            raise ValueError(f"FixedLengthRecordDataset: record_bytes must be positive, got "
                             f"{self._record_bytes}")
        if self._header_bytes < 0 or self._footer_bytes < 0:
            raise ValueError("FixedLengthRecordDataset: header_bytes and footer_bytes must "
                             "not be negative")

    def _one_file_reader(self, path) -> Dataset:
        return FixedLengthRecordDataset(path, self._record_bytes, self._header_bytes,
                                        self._footer_bytes, self._buffer_size,
                                        self._compression)

    def _read_file(self, path: str) -> Iterator[bytes]:
        handle = tfrecord.open_for_reading(path, self._compression,
                                           self._buffer_size or _CHUNK, self._reader)
        try:
            data = b"".join(iter(lambda: handle.read(_CHUNK), b""))
        finally:
            handle.close()
        body = data[self._header_bytes:len(data) - self._footer_bytes]
        if len(data) < self._header_bytes + self._footer_bytes or \
                len(body) % self._record_bytes:
            raise InvalidArgumentError(
                f"Excluding the header ({self._header_bytes} bytes) and footer "
                f"({self._footer_bytes} bytes), input file \"{path}\" has body length "
                f"{max(len(body), 0)} bytes, which is not an exact multiple of the record "
                f"length ({self._record_bytes} bytes).")
        for start in range(0, len(body), self._record_bytes):
            yield body[start:start + self._record_bytes]
