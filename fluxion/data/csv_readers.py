"""CSV readers: ``tf.data.experimental.CsvDataset`` and ``make_csv_dataset``.

``CsvDataset`` yields one tuple of scalar tensors per record, typed by
``record_defaults``; ``make_csv_dataset`` builds the usual pipeline on it (file list,
type inference from the first rows, shuffle, repeat, batch, a dict of columns with an
optional label split off, prefetch).  Parsing is Python's ``csv`` module: quoted fields
may hold delimiters, doubled quotes and newlines.
"""

from __future__ import annotations

import collections
import csv
import glob
import os
from collections.abc import Iterator

import numpy as np

from fluxion.core.errors import InvalidArgumentError
from fluxion.core.primitives.csv_decode import INT_RANGE, convert_field
from fluxion.core.tensor import Tensor
from fluxion.core.tensor_spec import TensorSpec
from fluxion.data.dataset import Dataset
from fluxion.data.readers import FileNames, read_lines, string_scalar
from fluxion.io import tfrecord
from fluxion.io.csv_fields import column_type


def _scalar(value, name: str) -> Tensor:
    if name == "string":
        return string_scalar(value if isinstance(value, bytes) else str(value).encode())
    return Tensor(np.asarray(value, dtype=np.dtype(name)))


class CsvDataset(Dataset):
    """The records of CSV files as tuples of scalar tensors (``tf.data.experimental``).

    Args:
      filenames: a path, a list of paths, a string tensor, or a Dataset of paths.
      record_defaults: one entry per (selected) column: a dtype (``float32``,
        ``float64``, ``int32``, ``int64``, ``string``) for a required column, or a
        default value (a scalar or a one-element list) used when the field is empty.
      compression_type: ``""``/None, ``"ZLIB"`` or ``"GZIP"``.
      buffer_size: bytes to buffer when reading.
      header: skip the first line of each file.
      field_delim: the one-character field delimiter.
      use_quote_delim: treat double quotes as quoting fields.
      na_value: a field equal to this string counts as empty.
      select_cols: indices of the columns to keep (sorted), or
      exclude_cols: indices of the columns to drop.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "d.csv")
    >>> _ = open(path, "w").write("1,a\\n,b\\n")
    >>> [(int(x), s.numpy()) for x, s in CsvDataset(path, [[-1], "string"])]
    [(1, b'a'), (-1, b'b')]
    """

    def __init__(self, filenames, record_defaults, compression_type=None, buffer_size=None,
                 header: bool = False, field_delim: str = ",", use_quote_delim: bool = True,
                 na_value: str = "", select_cols=None, exclude_cols=None, name=None):
        super().__init__()
        if select_cols is not None and exclude_cols is not None:
            raise ValueError("CsvDataset: give `select_cols` or `exclude_cols`, not both")
        if len(field_delim) != 1:
            raise ValueError(f"CsvDataset: field_delim must be one character, got "
                             f"{field_delim!r}")
        self._files = FileNames(filenames, "CsvDataset")
        self._columns = [column_type(d, i) for i, d in enumerate(record_defaults)]
        self._compression = tfrecord.compression_name(compression_type)
        self._buffer_size = buffer_size
        self._header = bool(header)
        self._delim = field_delim
        self._quoting = csv.QUOTE_MINIMAL if use_quote_delim else csv.QUOTE_NONE
        self._na_value = na_value
        self._select = None if select_cols is None else [int(i) for i in select_cols]
        self._exclude = None if exclude_cols is None else {int(i) for i in exclude_cols}
        if self._select is not None:
            if self._select != sorted(set(self._select)) or min(self._select, default=0) < 0:
                raise ValueError(f"CsvDataset: select_cols must be sorted, unique and "
                                 f"non-negative, got {self._select}")
            if len(self._select) != len(self._columns):
                raise ValueError(f"CsvDataset: {len(self._select)} select_cols but "
                                 f"{len(self._columns)} record_defaults")

    def _rows(self, path: str) -> Iterator[list]:
        lines = (line.decode("utf-8") + "\n"
                 for line in read_lines(path, self._compression, self._buffer_size))
        reader = csv.reader(lines, delimiter=self._delim, quoting=self._quoting)
        if self._header:
            next(reader, None)
        yield from reader

    def _pick(self, row: list) -> list:
        if self._select is not None:
            if self._select and self._select[-1] >= len(row):
                raise InvalidArgumentError(f"CsvDataset: a record has {len(row)} fields; "
                                           f"select_cols asks for column {self._select[-1]}")
            return [row[i] for i in self._select]
        if self._exclude is not None:
            return [field for i, field in enumerate(row) if i not in self._exclude]
        return row

    def _iterator(self):
        record = 0
        for path in self._files:
            for row in self._rows(path):
                fields = self._pick(row)
                if len(fields) != len(self._columns):
                    raise InvalidArgumentError(
                        f"Expect {len(self._columns)} fields but have {len(fields)} in record "
                        f"{record} of {path}")
                values = []
                for column, (field, (name, default)) in enumerate(zip(fields, self._columns)):
                    if field == "" or field == self._na_value:
                        if default is None:
                            raise InvalidArgumentError(f"Field {column} is required but "
                                                       f"missing in record {record}!")
                        values.append(_scalar(default, name))
                    else:
                        values.append(_scalar(convert_field(field, name, column, record), name))
                record += 1
                yield tuple(values)

    def _compute_element_spec(self):
        return tuple(TensorSpec([], name) for name, _ in self._columns)


# ---- make_csv_dataset -------------------------------------------------------------------

def files_matching(file_pattern) -> list:
    """The sorted files matching a glob pattern (or each of a list of them); an error if
    a pattern matches nothing."""
    patterns = [file_pattern] if isinstance(file_pattern, (str, bytes, os.PathLike)) \
        else list(file_pattern)
    names = []
    for pattern in patterns:
        pattern = tfrecord.path_str(pattern)
        matches = sorted(glob.glob(pattern))
        if not matches:
            raise ValueError(f"No files match `file_pattern` {pattern}.")
        names.extend(matches)
    return names


def _probe_rows(names, compression: str, delim: str, quoting, header: bool, encoding: str):
    for path in names:
        lines = (line.decode(encoding) + "\n" for line in read_lines(path, compression, None))
        reader = csv.reader(lines, delimiter=delim, quoting=quoting)
        if header:
            next(reader, None)
        yield from reader


def _infer_type(field: str, na_value: str, previous):
    """The least permissive type of int32, int64, float32, float64, string that still
    holds this field and every earlier one of the column."""
    if field in ("", na_value):
        return previous
    order = ("int32", "int64", "float32", "float64", "string")
    start = order.index(previous) if previous else 0
    for name in order[start:]:
        if name.startswith("int"):
            try:
                value = int(field)
            except ValueError:
                continue
            low, high = INT_RANGE[name]
            if low <= value <= high:
                return name
        elif name.startswith("float"):
            try:
                value = float(field)
            except ValueError:
                continue
            if name == "float64" or np.isinf(value) or np.isfinite(np.float32(value)):
                return name
        else:
            return name
    return "string"


def make_csv_dataset(file_pattern, batch_size: int, column_names=None, column_defaults=None,
                     label_name=None, select_columns=None, field_delim: str = ",",
                     use_quote_delim: bool = True, na_value: str = "", header: bool = True,
                     num_epochs=None, shuffle: bool = True, shuffle_buffer_size: int = 10000,
                     shuffle_seed=None, prefetch_buffer_size=None, num_parallel_reads=None,
                     sloppy: bool = False, num_rows_for_inference: int = 100,
                     compression_type=None, ignore_errors: bool = False,
                     encoding: str = "utf-8") -> Dataset:
    """Reads CSV files into a dataset of ``(features, label)`` batches (``tf.data.experimental``).

    Column names come from the header (or ``column_names``); column types from
    ``column_defaults`` or, if None, inferred from the first ``num_rows_for_inference``
    rows.  Files are shuffled and records shuffled with ``shuffle_buffer_size``;
    ``num_epochs=None`` repeats forever (and then drops the last partial batch).

    Returns:
      A dataset of ``OrderedDict`` of column name -> ``[batch]`` tensor, or of
      ``(features, label)`` when ``label_name`` is given.
    """
    names = files_matching(file_pattern)
    compression = tfrecord.compression_name(compression_type)
    quoting = csv.QUOTE_MINIMAL if use_quote_delim else csv.QUOTE_NONE
    if column_names is None:
        if not header:
            raise ValueError("Expected `column_names` or `header` arguments. Neither is "
                             "provided.")
        first = next(_probe_rows(names[:1], compression, field_delim, quoting, False,
                                 encoding), None)
        column_names = list(first or [])
    column_names = list(column_names)
    if len(column_names) != len(set(column_names)):
        raise ValueError(f"Either `column_names` argument or CSV header row contains "
                         f"duplicate column names: {column_names}.")
    select = None
    if select_columns is not None:
        select = sorted(column_names.index(c) if isinstance(c, str) else int(c)
                        for c in select_columns)
    if column_defaults is None:
        column_defaults = _inferred_defaults(names, column_names, select, compression,
                                             field_delim, quoting, header, encoding,
                                             na_value, num_rows_for_inference)
    if select is not None:
        if len(column_defaults) != len(select):
            raise ValueError(f"If specified, `column_defaults` and `select_columns` must "
                             f"have the same length: `column_defaults` has length "
                             f"{len(column_defaults)}, `select_columns` has length "
                             f"{len(select)}.")
        column_names = [column_names[i] for i in select]
    if label_name is not None and label_name not in column_names:
        raise ValueError(f"`label_name` provided must be one of the columns: {column_names}. "
                         f"Received: {label_name}.")

    def file_dataset(path):
        dataset = CsvDataset(path, column_defaults, compression_type=compression,
                             header=header, field_delim=field_delim,
                             use_quote_delim=use_quote_delim, na_value=na_value,
                             select_cols=select)
        return dataset.ignore_errors() if ignore_errors else dataset

    def to_features(*columns):
        features = collections.OrderedDict(zip(column_names, columns))
        if label_name is not None:
            return features, features.pop(label_name)
        return features

    dataset = Dataset.from_tensor_slices(np.array(names, dtype=object))
    if shuffle:
        dataset = dataset.shuffle(len(names), seed=shuffle_seed)
    dataset = dataset.interleave(file_dataset, cycle_length=num_parallel_reads or 1,
                                 block_length=1)
    if shuffle:
        dataset = dataset.shuffle(shuffle_buffer_size, seed=shuffle_seed)
    if num_epochs != 1:
        dataset = dataset.repeat(num_epochs)
    dataset = dataset.batch(batch_size, drop_remainder=num_epochs is None)
    dataset = dataset.map(to_features)
    return dataset.prefetch(-1 if prefetch_buffer_size is None else prefetch_buffer_size)


def _inferred_defaults(names, column_names, select, compression, delim, quoting, header,
                       encoding, na_value, limit) -> list:
    columns = select if select is not None else range(len(column_names))
    inferred = [None] * len(columns)
    rows = _probe_rows(names, compression, delim, quoting, header, encoding)
    for count, row in enumerate(rows):
        if limit is not None and count >= limit:
            break
        if len(row) != len(column_names):
            raise ValueError(f"Problem inferring types: CSV row {count + 1} has {len(row)} "
                             f"fields. Expected: {len(column_names)}.")
        for j, index in enumerate(columns):
            inferred[j] = _infer_type(row[index], na_value, inferred[j])
    return [[""] if (t or "string") == "string" else np.zeros(1, dtype=t) for t in inferred]
