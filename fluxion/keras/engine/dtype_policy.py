"""``DTypePolicy``: a layer's variable and compute dtypes (``"float32"``, ``"mixed_float16"``)."""

from __future__ import annotations

from fluxion.keras.saving.serialization import keras_class

_global_policy = None


@keras_class("keras")
class DTypePolicy:
    """Variables in ``variable_dtype``, computation in ``compute_dtype``.

    >>> DTypePolicy("mixed_float16").compute_dtype
    'float16'
    """

    def __init__(self, name: str = "float32"):
        if name.startswith("mixed_"):
            self.compute_dtype, self.variable_dtype = name[len("mixed_"):], "float32"
        else:
            self.compute_dtype = self.variable_dtype = name
        if self.compute_dtype not in ("float16", "float32", "float64", "bfloat16", "int32",
                                      "int64", "bool", "uint8", "string"):
            raise ValueError(f"Unknown dtype policy {name!r}; expected e.g. 'float32', "
                             f"'float64' or 'mixed_float16'")
        self.name = name

    def get_config(self) -> dict:
        return {"name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self) -> str:
        return f'<DTypePolicy "{self.name}">'


def as_policy(value) -> DTypePolicy:
    if value is None:
        return _global_policy or DTypePolicy("float32")
    if isinstance(value, DTypePolicy):
        return value
    if isinstance(value, dict):
        return DTypePolicy(**value.get("config", value))
    name = getattr(value, "name", value)
    return DTypePolicy(str(name))


def set_dtype_policy(policy) -> None:
    global _global_policy
    _global_policy = as_policy(policy) if policy is not None else None


def dtype_policy() -> DTypePolicy:
    return _global_policy or DTypePolicy("float32")
