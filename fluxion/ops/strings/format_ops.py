"""``tf.strings.format`` and ``tf.strings.as_string``: tensors as text, as TensorFlow
prints them (floats with 9 / 17 significant digits, ``...`` past ``summarize`` items)."""

from __future__ import annotations

from fluxion.core import dtypes
from fluxion.core.errors import op_error
from fluxion.core.primitives.string_format import as_string_p, format_p
from fluxion.core.tensor import Tensor, convert_to_tensor

__all__ = ["format", "as_string"]


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
