"""``keras.layers.serialize`` / ``deserialize``: a layer to its Keras 3 dict and back."""

from __future__ import annotations

from fluxion.keras.saving.serialization import deserialize_keras_object, serialize_keras_object


def serialize(layer) -> dict:
    """The layer's ``{module, class_name, config, registered_name}`` dict (Keras 3's).

    >>> from fluxion import keras
    >>> serialize(keras.layers.Dense(2))["class_name"]
    'Dense'
    """
    return serialize_keras_object(layer)


def deserialize(config: dict, custom_objects=None):
    """A new layer (or model) from ``serialize``'s dict; ``custom_objects`` names user
    classes.  A bare ``{"class_name": "Dense", "config": {...}}`` is found among the
    built-in layers, as tf.keras did."""
    from fluxion.keras import layers

    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"keras.layers.deserialize expects a dict with 'class_name' and "
                         f"'config' (from keras.layers.serialize), got {config!r}")
    builtins = {name: getattr(layers, name) for name in dir(layers) if name[:1].isupper()}
    return deserialize_keras_object(config, custom_objects=custom_objects,
                                    module_objects=builtins, printable_module_name="layer")
