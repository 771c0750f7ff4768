"""``keras.config``: global settings (float type, epsilon, image data format, dtype policy)."""

from __future__ import annotations

from fluxion.keras.engine.dtype_policy import dtype_policy, set_dtype_policy
from fluxion.keras.saving.serialization import (  # the setting belongs to deserialization
    enable_unsafe_deserialization,
)

_settings = {"floatx": "float32", "epsilon": 1e-7, "image_data_format": "channels_last"}


def floatx() -> str:
    return _settings["floatx"]


def set_floatx(value: str) -> None:
    if value not in ("float16", "float32", "float64", "bfloat16"):
        raise ValueError(f"Unknown floatx type: {value!r}; expected float16, bfloat16, "
                         f"float32 or float64")
    _settings["floatx"] = value


def epsilon() -> float:
    return _settings["epsilon"]


def set_epsilon(value: float) -> None:
    _settings["epsilon"] = float(value)


def image_data_format() -> str:
    return _settings["image_data_format"]


def set_image_data_format(data_format: str) -> None:
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"The `data_format` argument must be one of 'channels_first', "
                         f"'channels_last'. Received: {data_format}")
    _settings["image_data_format"] = data_format


def backend() -> str:
    return "fluxion"


__all__ = ["backend", "dtype_policy", "enable_unsafe_deserialization", "epsilon", "floatx",
           "image_data_format", "set_dtype_policy", "set_epsilon", "set_floatx",
           "set_image_data_format"]
