"""Argument normalisation shared by the reshaping (and spatial) layers, with Keras's messages."""

from __future__ import annotations


def standardize_data_format(data_format) -> str:
    """``"channels_last"`` (Keras's default image data format) or ``"channels_first"``."""
    if data_format is None:
        return "channels_last"
    data_format = str(data_format).lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', "
                         f"'channels_last'}}. Received: data_format={data_format}")
    return data_format


def standardize_tuple(value, n: int, name: str, allow_zero: bool = False) -> tuple:
    """``value`` as a tuple of ``n`` non-negative (or positive) ints; an int is repeated."""
    error = (f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value}")
    if isinstance(value, int) and not isinstance(value, bool):
        value_tuple = (value,) * n
    else:
        try:
            value_tuple = tuple(value)
        except TypeError:
            raise ValueError(error) from None
        if len(value_tuple) != n:
            raise ValueError(error)
        for item in value_tuple:
            if not isinstance(item, int) or isinstance(item, bool):
                raise ValueError(f"{error} including element {item} of type {type(item)}")
    bad = [v for v in value_tuple if v < 0] if allow_zero else [v for v in value_tuple if v <= 0]
    if bad:
        requirement = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{error}, including values {set(bad)} that do not satisfy "
                         f"`value {requirement}`")
    return value_tuple


def spatial_axes(rank: int, data_format: str) -> list:
    """The indices of the ``rank`` spatial axes of a ``rank + 2`` tensor."""
    first = 2 if data_format == "channels_first" else 1
    return list(range(first, first + rank))
