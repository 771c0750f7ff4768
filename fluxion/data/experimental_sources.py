"""``tf.data.experimental`` sources and sinks: ``from_list``, ``RandomDataset``,
``SqlDataset`` (SQLite through Python's ``sqlite3``), ``TFRecordWriter`` (a dataset of
strings into a TFRecord file) and ``make_batched_features_dataset`` (TFRecord files of
``tf.train.Example`` s to batches of parsed features).
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import InvalidArgumentError
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.core.tensor_spec import TensorSpec
from fluxion.data import element_spec as es
from fluxion.data.dataset import Dataset


class _ListDataset(Dataset):
    def __init__(self, elements: list):
        super().__init__()
        self._elements = [es.normalize_element(e) for e in elements]
        if not self._elements:
            raise ValueError("from_list: the list must not be empty")
        spec = es.spec_of(self._elements[0])
        for element in self._elements[1:]:
            spec = es.common_spec(spec, es.spec_of(element), "from_list elements")
        self._spec = spec

    def _iterator(self):
        return iter(self._elements)

    def _cardinality(self) -> int:
        return len(self._elements)

    def _compute_element_spec(self):
        return self._spec


def from_list(elements) -> Dataset:
    """A dataset of the given elements, in order (they need one structure and dtypes).

    >>> [int(x) for x in from_list([1, 2, 3])]
    [1, 2, 3]
    """
    return _ListDataset(list(elements))


class RandomDataset(Dataset):
    """An infinite dataset of pseudo-random int64 scalars (``tf.data.experimental``).

    With a ``seed`` (or the global seed) each iteration gives the same sequence.
    """

    def __init__(self, seed=None, name=None):
        super().__init__()
        from fluxion.data.shuffle import base_seed

        self._seed = base_seed(seed) & ((1 << 64) - 1)

    def _iterator(self):
        generator = np.random.default_rng(self._seed)
        info = np.iinfo(np.int64)
        while True:
            for value in generator.integers(info.min, info.max, size=256, dtype=np.int64,
                                            endpoint=True):
                yield Tensor(np.asarray(value))

    def _cardinality(self) -> int:
        return es.INFINITE

    def _compute_element_spec(self):
        return TensorSpec([], dtypes.int64)


class SqlDataset(Dataset):
    """The rows a SQL query returns, one tuple of scalars per row (``tf.data``).

    Args:
      driver_name: ``"sqlite"`` (the only driver, as in TensorFlow).
      data_source_name: the SQLite database file.
      query: the SQL ``SELECT`` to run.
      output_types: one dtype per column (ints, floats, bool or string).
    """

    def __init__(self, driver_name, data_source_name, query, output_types):
        super().__init__()
        if driver_name != "sqlite":
            raise InvalidArgumentError(None, None, f"SqlDataset: driver_name must be "
                                       f"'sqlite', got {driver_name!r}")
        self._source, self._query = str(data_source_name), str(query)
        single = not isinstance(output_types, (list, tuple))
        self._types = [dtypes.as_dtype(t) for t in ([output_types] if single
                                                    else output_types)]
        self._single = single

    def _iterator(self):
        import sqlite3

        connection = sqlite3.connect(self._source)
        try:
            cursor = connection.execute(self._query)
            for row in cursor:
                if len(row) != len(self._types):
                    raise InvalidArgumentError(None, None, f"SqlDataset: the query returns "
                                               f"{len(row)} columns but output_types has "
                                               f"{len(self._types)}")
                values = tuple(self._value(v, t) for v, t in zip(row, self._types))
                yield values[0] if self._single else values
        finally:
            connection.close()

    @staticmethod
    def _value(value, dtype) -> Tensor:
        if dtype is dtypes.string:
            array = np.empty((), dtype=object)
            array[()] = value if isinstance(value, bytes) else str(value).encode()
            return Tensor(array)
        return convert_to_tensor(np.asarray(value, dtype=dtype.np_dtype))

    def _compute_element_spec(self):
        specs = tuple(TensorSpec([], t) for t in self._types)
        return specs[0] if self._single else specs


class TFRecordWriter:
    """Writes a dataset of scalar strings to one TFRecord file (``tf.data.experimental``).

    >>> TFRecordWriter("/tmp/out.tfrecord").write(dataset.map(tf.io.serialize_tensor))
    """

    def __init__(self, filename, compression_type=None):
        self._filename = filename
        self._compression = compression_type

    def write(self, dataset) -> None:
        """Writes every element of ``dataset`` (scalar ``tf.string`` tensors)."""
        from fluxion.io.tfrecord import TFRecordOptions
        from fluxion.io.tfrecord import TFRecordWriter as RecordWriter

        spec = dataset.element_spec
        if not isinstance(spec, TensorSpec) or spec.dtype is not dtypes.string or \
                spec.shape.rank != 0:
            raise TypeError(f"TFRecordWriter.write: the dataset's elements must be scalar "
                            f"strings, got {spec}")
        options = TFRecordOptions(self._compression) if self._compression else None
        with RecordWriter(self._filename, options) as writer:
            for element in dataset:
                writer.write(element.numpy())


def make_batched_features_dataset(file_pattern, batch_size, features, reader=None,
                                  label_key=None, reader_args=None, num_epochs=None,
                                  shuffle=True, shuffle_buffer_size=10000, shuffle_seed=None,
                                  prefetch_buffer_size=None, reader_num_threads=None,
                                  parser_num_threads=None, sloppy_ordering=False,
                                  drop_final_batch=False) -> Dataset:
    """Batches of parsed ``tf.train.Example`` features read from files.

    Files matching ``file_pattern`` are read with ``reader`` (``TFRecordDataset`` by
    default), repeated ``num_epochs`` times (None: forever), shuffled, batched and
    parsed with ``features``; with ``label_key`` the elements are ``(features, label)``.
    """
    from fluxion.data.csv_readers import files_matching
    from fluxion.data.readers import TFRecordDataset
    from fluxion.io.parsing import parse_example

    files = files_matching(file_pattern)
    reader = reader or TFRecordDataset
    records = reader(files, *(reader_args or []))
    if shuffle:
        records = records.shuffle(shuffle_buffer_size, seed=shuffle_seed)
    records = records.repeat(num_epochs)
    batches = records.batch(batch_size, drop_remainder=drop_final_batch)
    parsed = batches.map(lambda serialized: parse_example(serialized, features),
                         num_parallel_calls=parser_num_threads)
    if label_key is not None:
        if label_key not in features:
            raise ValueError(f"make_batched_features_dataset: label_key {label_key!r} is "
                             f"not among the features {sorted(features)}")
        parsed = parsed.map(lambda f: ({k: v for k, v in f.items() if k != label_key},
                                       f[label_key]))
    return parsed.prefetch(prefetch_buffer_size if prefetch_buffer_size is not None else -1)
