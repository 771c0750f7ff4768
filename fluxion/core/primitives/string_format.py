"""String formatting primitives: ``string_format`` (``tf.strings.format``: a template
filled with tensors' text, summarised as TensorFlow prints them) and
``strings_as_string`` (``tf.strings.as_string``: numbers to text with printf's
precision, width and fill).
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval, define
from fluxion.core.primitives.strings import as_bytes, object_array


def _scalar_text(value, dtype: np.dtype) -> str:
    if dtype.kind == "O":
        return '"' + as_bytes(value).decode("utf-8", "replace") + '"'
    if dtype.kind == "b":
        return "1" if value else "0"
    if dtype.kind == "f":  # the short form when it reads back exactly, else full precision
        short, full = (15, 17) if dtype.itemsize >= 8 else (6, 9)
        text = f"{float(value):.{short}g}"
        if dtype.type(float(text)) != dtype.type(value):
            text = f"{float(value):.{full}g}"
        return text
    if dtype.kind == "c":
        return f"({value.real:g},{value.imag:g})"
    return str(value)


def tensor_text(array: np.ndarray, summarize: int, indent: int = 0) -> str:
    """TF's text of an array: nested brackets, ``...`` for elided middles."""
    if array.ndim == 0:
        return _scalar_text(array[()], array.dtype)
    size = array.shape[0]
    elide = 0 <= summarize and size > 2 * summarize
    indices = list(range(summarize)) + [None] + list(range(size - summarize, size)) \
        if elide else list(range(size))
    if array.ndim == 1:
        parts = ["..." if i is None else _scalar_text(array[i], array.dtype) for i in indices]
        return "[" + " ".join(parts) + "]"
    parts = ["..." if i is None else tensor_text(array[i], summarize, indent + 1)
             for i in indices]
    separator = "\n" * (array.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(parts) + "]"


def _format_kernel(*values, template, placeholder, summarize):
    pieces = template.split(placeholder)
    text = pieces[0]
    for value, piece in zip(values, pieces[1:]):
        text += tensor_text(np.asarray(value), summarize) + piece
    out = np.empty((), object)
    out[()] = text.encode()
    return out


format_p = define("string_format", _format_kernel,
                  lambda *values, template, placeholder, summarize: Aval((), dtypes.string),
                  fresh_output=True)


def _as_string_kernel(x, *, precision, scientific, shortest, width, fill):
    kind = x.dtype.kind

    def text(value) -> str:
        if kind == "b":
            body = "true" if value else "false"
        elif kind in "iu":
            body = str(int(value))
        elif kind == "c":
            return f"({text(value.real)},{text(value.imag)})"
        else:
            spec = "g" if shortest else ("e" if scientific else "f")
            digits = "" if precision < 0 and shortest else f".{6 if precision < 0 else precision}"
            body = f"{float(value):{digits}{spec}}"
        if width > 0:
            if fill == "0" and body[:1] == "-":  # printf's zero padding goes after the sign
                return "-" + body[1:].rjust(width - 1, "0")
            body = body.rjust(width, fill or " ")
        return body

    items = [text(v).encode() for v in x.reshape(-1)]
    return object_array(items, x.shape)


as_string_p = define("strings_as_string", _as_string_kernel,
                     lambda x, **_: Aval(x.shape, dtypes.string), fresh_output=True)
