"""``decode_csv``: CSV records parsed into one tensor per column (``tf.io.decode_csv``).

Each column has a dtype name (``CSV_TYPES``) and a default (None: required); fields
are converted with range checks (``convert_field``, which ``CsvDataset`` uses too), and
a malformed record raises ``InvalidArgumentError`` naming the record and the field.
"""

from __future__ import annotations

import csv

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import InvalidArgumentError
from fluxion.core.primitive import Aval, define

CSV_TYPES = ("float32", "float64", "int32", "int64", "string")
INT_RANGE = {"int32": (-2**31, 2**31 - 1), "int64": (-2**63, 2**63 - 1)}


def convert_field(field: str, name: str, column: int, record: int):
    """The Python value of one CSV field of dtype ``name``; a clear error when invalid."""
    try:
        if name == "string":
            return field.encode()
        if name.startswith("int"):
            value = int(field)
            low, high = INT_RANGE[name]
            if not low <= value <= high:
                raise ValueError
            return value
        return float(field)
    except ValueError:
        raise InvalidArgumentError(f"Field {column} in record {record} is not a valid "
                                   f"{name}: {field}") from None


def _decode_csv_kernel(records: np.ndarray, *, columns, delim, quoted, na_value, select):
    outputs = [np.empty(records.size, dtype=object if name == "string" else np.dtype(name))
               for name, _ in columns]
    quoting = csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE
    for record, item in enumerate(records.reshape(-1)):
        text = item.decode("utf-8") if isinstance(item, bytes) else str(item)
        row = next(csv.reader([text], delimiter=delim, quoting=quoting), [""])
        if select is not None:
            if select and select[-1] >= len(row):
                raise InvalidArgumentError(f"decode_csv: record {record} has {len(row)} "
                                           f"fields; select_cols asks for column {select[-1]}")
            row = [row[i] for i in select]
        if len(row) != len(columns):
            raise InvalidArgumentError(f"Expect {len(columns)} fields but have {len(row)} "
                                       f"in record {record}")
        for column, (field, (name, default)) in enumerate(zip(row, columns)):
            if field == "" or field == na_value:
                if default is None:
                    raise InvalidArgumentError(f"Field {column} is required but missing in "
                                               f"record {record}!")
                outputs[column][record] = default
            else:
                outputs[column][record] = convert_field(field, name, column, record)
    return tuple(out.reshape(records.shape) for out in outputs)


def _decode_csv_rule(records: Aval, *, columns, **_) -> tuple:
    if records.dtype is not dtypes.string:
        raise TypeError(f"decode_csv: records must be a string tensor, got "
                        f"{records.dtype.name}")
    return tuple(Aval(tuple(records.shape), dtypes.as_dtype(name)) for name, _ in columns)


decode_csv_p = define("decode_csv", _decode_csv_kernel, _decode_csv_rule,
                      multiple_results=True, fresh_output=True)
