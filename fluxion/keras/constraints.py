"""Weight constraints (``keras.constraints``). Minimal seed version; extended by its owner."""

from __future__ import annotations

from fluxion.keras.saving.serialization import deserialize_keras_object


def get(identifier):
    if identifier is None or callable(identifier):
        return identifier
    return deserialize_keras_object(identifier)
