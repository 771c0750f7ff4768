"""``tf.io.decode_csv``: CSV records to one tensor per column."""

from __future__ import annotations

import csv

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import InvalidArgumentError
from fluxion.core.tensor import convert_to_tensor


def _default(spec):
    """(dtype, default value or None if the column is required) of a record default."""
    tensor = convert_to_tensor(spec)
    values = np.asarray(tensor.numpy()).reshape(-1)
    return tensor.dtype, (values[0] if values.size else None)


def _parse(text: str, dtype, default, column: int, record: str):
    if text == "" or text is None:
        if default is None:
            raise InvalidArgumentError(None, None, f"Field {column} is required but missing "
                                                   f"in record {record!r}")
        return default
    try:
        if dtype == dtypes.string:
            return text.encode()
        if dtype.is_integer:
            return int(text)
        return float(text)
    except ValueError:
        raise InvalidArgumentError(None, None, f"Field {column} in record {record!r} is not "
                                               f"a valid {dtype.name}: {text!r}") from None


def decode_csv(records, record_defaults, field_delim=",", use_quote_delim=True, na_value="",
               select_cols=None, name=None) -> list:
    """Parses each CSV string of ``records`` into columns: one tensor per
    ``record_defaults`` entry (its dtype; its value fills empty fields, an empty default
    makes the column required).  ``select_cols`` keeps only those columns.

    >>> [t.numpy().tolist() for t in decode_csv(["1,a", "2,"], [[0], ["z"]])]
    [[1, 2], [b'a', b'z']]
    """
    specs = [_default(d) for d in record_defaults]
    records = convert_to_tensor(records, dtype=dtypes.string)
    options = (field_delim, use_quote_delim, na_value, select_cols)
    if hasattr(records, "_graph_value"):  # in a graph: parsed when the graph runs
        from fluxion.core.tensor_spec import TensorSpec
        from fluxion.ops.script_ops import numpy_function

        outputs = numpy_function(lambda lines: tuple(_columns(lines, specs, *options)),
                                 [records], [TensorSpec(records.shape, dtype)
                                             for dtype, _ in specs])
        return list(outputs)
    lines = np.asarray(records.numpy(), dtype=object)
    return [convert_to_tensor(column, dtype=dtype)
            for column, (dtype, _) in zip(_columns(lines, specs, *options), specs)]


def _columns(lines, specs, field_delim, use_quote_delim, na_value, select_cols) -> list:
    """The parsed columns of the string array ``lines``, as NumPy arrays of its shape."""
    lines = np.asarray(lines, dtype=object)
    shape = lines.shape
    columns = [[] for _ in specs]
    for item in lines.reshape(-1):
        text = item.decode("utf-8") if isinstance(item, bytes) else str(item)
        reader = csv.reader([text], delimiter=field_delim,
                            quoting=csv.QUOTE_MINIMAL if use_quote_delim else csv.QUOTE_NONE)
        fields = next(reader, [])
        if select_cols is not None:
            fields = [fields[i] if i < len(fields) else "" for i in select_cols]
        if len(fields) != len(specs):
            raise InvalidArgumentError(None, None, f"Expect {len(specs)} fields but have "
                                                   f"{len(fields)} in record {text!r}")
        for column, (field, (dtype, default)) in enumerate(zip(fields, specs)):
            field = "" if field == na_value and na_value != "" else field
            columns[column].append(_parse(field, dtype, default, column, text))
    out = []
    for values, (dtype, _default_value) in zip(columns, specs):
        kind = object if dtype == dtypes.string else dtype.np_dtype
        out.append(np.asarray(values, dtype=kind).reshape(shape))
    return out
