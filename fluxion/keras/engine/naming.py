"""Unique layer names (``dense``, ``dense_1``...) as Keras makes them."""

from __future__ import annotations

import collections

from fluxion.core.snake_case import to_snake_case  # noqa: F401 - Keras names use it

_counts: collections.Counter = collections.Counter()


def unique_name(base: str) -> str:
    count = _counts[base]
    _counts[base] += 1
    return base if count == 0 else f"{base}_{count}"


def reset() -> None:
    """Forgets every name given so far (``keras.backend.clear_session``)."""
    _counts.clear()
