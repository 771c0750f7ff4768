"""Argument checks shared by the convolution and pooling layers.

Keras normalises window arguments once, in ``__init__``: sizes and strides become
tuples of ``rank`` positive ints, ``padding`` a lower-case keyword, ``data_format``
``'channels_last'`` or ``'channels_first'``.  The ``tf_*`` helpers translate those into
the arguments of ``fluxion.nn`` (``'SAME'``, ``'NHWC'``...).
"""

from __future__ import annotations

import numpy as np


def standardize_tuple(value, n: int, name: str, allow_zero: bool = False) -> tuple:
    """``value`` (an int or ``n`` ints) as a tuple of ``n`` ints, checked positive."""
    message = f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value}"
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        values = (int(value),) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            raise ValueError(message) from None
        if len(values) != n:
            raise ValueError(message)
        try:
            values = tuple(int(v) for v in values)
        except (TypeError, ValueError):
            raise ValueError(f"{message}, including a non-integer element") from None
    bad = sorted({v for v in values if (v < 0 if allow_zero else v <= 0)})
    if bad:
        raise ValueError(f"{message}, including values {bad} that do not satisfy "
                         f"`value {'>= 0' if allow_zero else '> 0'}`")
    return values


def standardize_padding(value, allow_causal: bool = False) -> str:
    """``'valid'`` or ``'same'`` (or ``'causal'`` where allowed), lower-cased."""
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    padding = value.lower() if isinstance(value, str) else value
    if padding not in allowed:
        raise ValueError(f"The `padding` argument must be one of {allowed}. "
                         f"Received: padding={value!r}")
    return padding


def standardize_data_format(data_format) -> str:
    """``'channels_last'`` or ``'channels_first'``; None means ``keras.config``'s choice."""
    if data_format is None:
        from fluxion.keras import config

        return config.image_data_format()
    text = str(data_format).lower()
    if text not in ("channels_first", "channels_last"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', "
                         f"'channels_last'}}. Received: data_format={data_format!r}")
    return text


def tf_data_format(data_format: str, rank: int) -> str:
    """``'NWC'``, ``'NCHW'``... for ``rank`` spatial axes."""
    axes = "DHW"[3 - rank:]
    return f"N{axes}C" if data_format == "channels_last" else f"NC{axes}"


def channel_axis(data_format: str) -> int:
    return -1 if data_format == "channels_last" else 1


def spatial_axes(data_format: str, rank: int) -> tuple:
    return tuple(range(1, rank + 1)) if data_format == "channels_last" \
        else tuple(range(2, rank + 2))


def check_strides_and_dilation(strides: tuple, dilation_rate: tuple) -> None:
    if max(strides) > 1 and max(dilation_rate) > 1:
        raise ValueError(f"`strides > 1` not supported in conjunction with `dilation_rate > "
                         f"1`. Received: strides={strides} and dilation_rate={dilation_rate}")


def check_positive(value, name: str) -> None:
    if value is not None and value <= 0:
        raise ValueError(f"Invalid value for argument `{name}`. Expected a strictly positive "
                         f"value. Received {name}={value}.")


def input_channels(input_shape, data_format: str, layer_name: str) -> int:
    """The channel count of ``input_shape``; a clear error when it is unknown."""
    channels = input_shape[channel_axis(data_format)]
    if channels is None:
        raise ValueError(f'Layer "{layer_name}" needs a known number of input channels '
                         f"(axis {channel_axis(data_format)} with data_format="
                         f"{data_format!r}); received input shape {tuple(input_shape)}")
    return int(channels)
