"""``tf.strings.format`` and ``tf.strings.as_string``: tensors as text, as TensorFlow
prints them (floats with 9 / 17 significant digits, ``...`` past ``summarize`` items)."""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import op_error
from fluxion.core.primitive import Aval, define
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.ops.strings.string_kernels import as_bytes, object_array

__all__ = ["format", "as_string"]


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


def format(template, inputs, placeholder="{}", summarize=3, name=None) -> Tensor:  # noqa: A001
    """A scalar string: ``template`` with each ``placeholder`` replaced by the next
    tensor's text (at most ``summarize`` leading and trailing items per axis; -1 for
    all).

    >>> format("x={}", [tf.constant([1, 2])]).numpy()
    b'x=[1 2]'
    """
    tensors = [convert_to_tensor(t) for t in
               (inputs if isinstance(inputs, (list, tuple)) else [inputs])]
    count = template.count(placeholder)
    if count != len(tensors):
        raise op_error(ValueError, "format", f"the template has {count} placeholders but "
                                             f"{len(tensors)} inputs were given")
    return format_p.bind(*tensors, template=str(template), placeholder=str(placeholder),
                         summarize=int(summarize))


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


def as_string(input, precision=-1, scientific=False, shortest=False, width=-1, fill="",  # noqa: A002
              name=None) -> Tensor:
    """Each number (or bool) as text: ``%f`` with 6 decimals by default, ``%e`` with
    ``scientific``, shortest ``%g`` with ``shortest``; padded to ``width`` with ``fill``.

    >>> as_string([1.5]).numpy().tolist()
    [b'1.500000']
    """
    x = convert_to_tensor(input)
    if x.dtype is dtypes.string:
        raise op_error(TypeError, "as_string", "the input is already a string tensor")
    if scientific and shortest:
        raise op_error(ValueError, "as_string", "cannot select both scientific and shortest")
    if len(str(fill)) > 1:
        raise op_error(ValueError, "as_string", f"fill must be one character, got {fill!r}")
    return as_string_p.bind(x, precision=int(precision), scientific=bool(scientific),
                            shortest=bool(shortest), width=int(width), fill=str(fill))
