"""CSV fields typed by record defaults, and ``tf.io.decode_csv``.

A record default fixes a column's dtype (``float32``, ``float64``, ``int32``, ``int64``
or ``string``) and its value when a field is empty or equals ``na_value``; an empty
default makes the column required.  ``CsvDataset`` (``fluxion.data``) reads files with
the same rules; ``decode_csv`` parses string tensors already in memory.  Quoted fields
may hold the delimiter and doubled quotes (Python's ``csv`` module parses them).
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitives.csv_decode import CSV_TYPES, decode_csv_p
from fluxion.core.tensor import Tensor, convert_to_tensor


def column_type(default, index: int, op: str = "CsvDataset") -> tuple:
    """``(dtype name, default value or None when required)`` for one record default."""
    if isinstance(default, dtypes.DType) or (isinstance(default, str) and default in CSV_TYPES):
        name = dtypes.as_dtype(default).name
        value = None
    else:
        tensor = default if isinstance(default, Tensor) else convert_to_tensor(default)
        name = tensor.dtype.name
        array = np.asarray(tensor.numpy(), dtype=object).reshape(-1)
        if array.size > 1:
            raise ValueError(f"{op}: record_defaults[{index}] must be a dtype, a scalar "
                             f"or a one-element list, got {array.size} values")
        value = array[0] if array.size else None
    if name not in CSV_TYPES:
        raise TypeError(f"{op}: record_defaults[{index}] has dtype {name}; CSV columns "
                        f"may be {', '.join(CSV_TYPES)}")
    return name, value


def decode_csv(records, record_defaults, field_delim: str = ",", use_quote_delim: bool = True,
               na_value: str = "", select_cols=None, name=None) -> list:
    """Splits each CSV line of ``records`` into typed columns (``tf.io.decode_csv``).

    Args:
      records: a string tensor of lines, any shape.
      record_defaults: one per output column: a one-element list with the default
        (its dtype is the column's), or an empty list / a dtype for a required column.
      field_delim: the one-character delimiter.
      use_quote_delim: whether double quotes group a field.
      na_value: a field text that counts as missing.
      select_cols: sorted indices of the columns to keep, one per record default.

    Returns:
      A list of tensors, one per column, each of ``records``' shape.

    >>> [t.numpy() for t in decode_csv(["1,x"], [[0], ["?"]])]
    [array([1], dtype=int32), array([b'x'], dtype=object)]
    """
    if len(field_delim) != 1:
        raise ValueError(f"decode_csv: field_delim must be one character, got {field_delim!r}")
    columns = tuple(column_type(d, i, "decode_csv") for i, d in enumerate(record_defaults))
    select = None
    if select_cols is not None:
        select = tuple(int(i) for i in select_cols)
        if list(select) != sorted(set(select)) or min(select, default=0) < 0:
            raise ValueError(f"decode_csv: select_cols must be sorted, unique and "
                             f"non-negative, got {list(select)}")
        if len(select) != len(columns):
            raise ValueError(f"decode_csv: {len(select)} select_cols but {len(columns)} "
                             f"record_defaults; give one default per selected column")
    tensor = convert_to_tensor(records, dtype=dtypes.string)
    return list(decode_csv_p.bind(tensor, columns=columns, delim=field_delim,
                                  quoted=bool(use_quote_delim), na_value=na_value,
                                  select=select))
