"""``keras.backend``: session state and the settings of ``keras.config``."""

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


def clear_session(free_memory: bool = True) -> None:
    """Resets layer naming (``dense``, ``dense_1``... start again), as Keras does."""
    from fluxion.keras.engine import naming

    naming.reset()
