"""TF 1 readers (``tf.compat.v1.TextLineReader`` and kin): records from the files
named in a queue (``string_input_producer``), one ``read`` op at a time.

A reader keeps its place in the current file; when the file is done it dequeues the
next file name from the queue (blocking as the queue does; ``OutOfRangeError`` once the
queue is closed and empty).  ``read`` gives ``(key, value)`` scalar strings, the key
naming the file and record (``"file:3"``); ``read_up_to`` vectors of up to ``n``.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.tensor_spec import TensorSpec
from fluxion.graph.v1.queues import queue_op


class ReaderBase:
    """The reader protocol: ``_records(path)`` yields a file's records."""

    def __init__(self, name=None):
        self._name = name or type(self).__name__
        self._records_produced = 0
        self._files_done = 0
        self._current = None  # (path, iterator, index)

    name = property(lambda self: self._name)
    supports_serialize = False
    reader_ref = property(lambda self: self)

    def _records(self, path: str):
        raise TypeError(f"{type(self).__name__} must define _records")

    def _next(self, queue):
        while True:
            if self._current is None:
                (item,) = queue._take(1, False)
                name = np.asarray(item[0]).item()
                path = name.decode() if isinstance(name, bytes) else str(name)
                self._current = [path, iter(self._records(path)), 0]
            path, records, _ = self._current
            for record in records:
                self._current[2] += 1
                self._records_produced += 1
                return f"{path}:{self._current[2]}".encode(), record
            self._current = None
            self._files_done += 1

    def read(self, queue, name=None):
        """The next record: ``(key, value)`` scalar string tensors."""
        specs = [TensorSpec([], dtypes.string), TensorSpec([], dtypes.string)]

        def read_one():
            key, value = self._next(queue)
            return np.asarray(key, dtype=object), np.asarray(value, dtype=object)

        key, value = queue_op(read_one, [], specs, name or f"{self._name}_Read",
                              "ReaderReadV2")
        return key, value

    def read_up_to(self, queue, num_records, name=None):
        """Up to ``num_records`` records (fewer at the end of the input)."""
        from fluxion.core.errors import OutOfRangeError

        specs = [TensorSpec([None], dtypes.string), TensorSpec([None], dtypes.string)]

        def read_many():
            keys, values = [], []
            while len(keys) < int(num_records):
                try:
                    key, value = self._next(queue)
                except OutOfRangeError:
                    if keys:
                        break
                    raise
                keys.append(key)
                values.append(value)
            return np.asarray(keys, dtype=object), np.asarray(values, dtype=object)

        return tuple(queue_op(read_many, [], specs, name or f"{self._name}_ReadUpTo",
                              "ReaderReadUpToV2"))

    def num_records_produced(self, name=None):
        (count,) = queue_op(lambda: (np.int64(self._records_produced),), [],
                            [TensorSpec([], dtypes.int64)], name or "NumRecordsProduced",
                            "ReaderNumRecordsProducedV2")
        return count

    def num_work_units_completed(self, name=None):
        (count,) = queue_op(lambda: (np.int64(self._files_done),), [],
                            [TensorSpec([], dtypes.int64)], name or "NumWorkUnitsCompleted",
                            "ReaderNumWorkUnitsCompletedV2")
        return count

    def reset(self, name=None):
        """An op that forgets the reader's place and counts."""
        def clear():
            self._current = None
            self._records_produced = self._files_done = 0

        return queue_op(clear, [], [], name or f"{self._name}_Reset", "ReaderResetV2")


class TextLineReader(ReaderBase):
    """Each line of a text file (without its newline), after ``skip_header_lines``."""

    def __init__(self, skip_header_lines=None, name=None):
        super().__init__(name)
        self._skip = int(skip_header_lines or 0)

    def _records(self, path):
        with open(path, "rb") as handle:
            for index, line in enumerate(handle):
                if index >= self._skip:
                    yield line.rstrip(b"\r\n")


class WholeFileReader(ReaderBase):
    """Each file whole: the key is its name, the value its bytes."""

    def _records(self, path):
        with open(path, "rb") as handle:
            yield handle.read()

    def _next(self, queue):
        key, value = super()._next(queue)
        return key.rsplit(b":", 1)[0], value


class IdentityReader(ReaderBase):
    """The queued work items themselves: key and value are the item."""

    def _next(self, queue):
        (item,) = queue._take(1, False)
        value = np.asarray(item[0]).item()
        value = value if isinstance(value, bytes) else str(value).encode()
        self._records_produced += 1
        self._files_done += 1
        return value, value


class TFRecordReader(ReaderBase):
    """Each record of a TFRecord file (``options``: its compression)."""

    def __init__(self, name=None, options=None):
        super().__init__(name)
        self._options = options

    def _records(self, path):
        from fluxion.io.tfrecord import tf_record_iterator

        yield from tf_record_iterator(path, self._options)


class FixedLengthRecordReader(ReaderBase):
    """Records of ``record_bytes`` bytes, after ``header_bytes`` and before
    ``footer_bytes``; every ``hop_bytes`` bytes when given (overlapping windows)."""

    def __init__(self, record_bytes, header_bytes=None, footer_bytes=None, hop_bytes=None,
                 name=None, encoding=None):
        super().__init__(name)
        self._size, self._header = int(record_bytes), int(header_bytes or 0)
        self._footer, self._hop = int(footer_bytes or 0), int(hop_bytes or 0)
        if encoding not in (None, "", "ZLIB", "GZIP"):
            raise ValueError(f"Unknown encoding {encoding!r}: expected ZLIB or GZIP")
        self._encoding = encoding

    def _records(self, path):
        import gzip
        import zlib

        with open(path, "rb") as handle:
            data = handle.read()
        if self._encoding == "GZIP":
            data = gzip.decompress(data)
        elif self._encoding == "ZLIB":
            data = zlib.decompress(data)
        body = data[self._header:len(data) - self._footer]
        step = self._hop or self._size
        for start in range(0, len(body) - self._size + 1, step):
            yield body[start:start + self._size]
