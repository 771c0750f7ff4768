"""``keras.backend``: session state, the settings of ``keras.config``, and the dtype
helpers Keras 3 keeps here (``get_uid``, ``is_float_dtype``, ``result_type``...)."""

from __future__ import annotations

from fluxion.keras.config import (  # noqa: F401
    backend,
    epsilon,
    floatx,
    image_data_format,
    set_epsilon,
    set_floatx,
    set_image_data_format,
)
from fluxion.keras.utils.tensor_utils import is_keras_tensor, standardize_dtype  # noqa: F401


def clear_session(free_memory: bool = True) -> None:
    """Resets layer naming (``dense``, ``dense_1``... start again), as Keras does."""
    from fluxion.keras.engine import naming

    naming.reset()


def get_uid(prefix: str = "") -> int:
    """A counter per ``prefix``, shared with layer naming: 1 the first time, then 2, 3...

    >>> get_uid("fluxion_doctest_prefix")
    1
    """
    from fluxion.keras.engine import naming

    naming._counts[prefix] += 1
    return naming._counts[prefix]


def is_float_dtype(dtype) -> bool:
    """Whether ``dtype`` (a name, NumPy or Fluxion dtype) is a floating-point type."""
    return _dtype_name(dtype).startswith(("float", "bfloat"))


def is_int_dtype(dtype) -> bool:
    """Whether ``dtype`` is a signed or unsigned integer type."""
    return _dtype_name(dtype).startswith(("int", "uint"))


def _dtype_name(dtype) -> str:
    # A name is read as it is: "bfloat16" needs no optional package to be classified.
    return dtype if isinstance(dtype, str) else standardize_dtype(dtype)


def result_type(*dtypes):
    """The dtype Keras's promotion gives these dtypes together (``keras.ops``'s rules)."""
    from fluxion.keras.ops.promotion import result_type as promote

    return promote(*dtypes)
