"""``keras.layers``: the layer base, ``Input``, and every layer family."""

from fluxion.keras.layers.activations import *
from fluxion.keras.layers.attention import *
from fluxion.keras.layers.convolutional import *
from fluxion.keras.layers.core import *
from fluxion.keras.layers.input_layer import Input, InputLayer
from fluxion.keras.layers.input_spec import InputSpec
from fluxion.keras.layers.layer import Layer
from fluxion.keras.layers.merging import *
from fluxion.keras.layers.normalization import *
from fluxion.keras.layers.pooling import *
from fluxion.keras.layers.preprocessing import *
from fluxion.keras.layers.regularization import *
from fluxion.keras.layers.reshaping import *
from fluxion.keras.layers.rnn import *
from fluxion.keras.saving.serialization import deserialize_keras_object, serialize_keras_object


# serialize / deserialize live here, beside the names they look up: a bare
# ``{"class_name": "Dense", ...}`` is resolved among this package's layers.
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
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"keras.layers.deserialize expects a dict with 'class_name' and "
                         f"'config' (from keras.layers.serialize), got {config!r}")
    builtins = {name: value for name, value in globals().items() if name[:1].isupper()}
    return deserialize_keras_object(config, custom_objects=custom_objects,
                                    module_objects=builtins, printable_module_name="layer")
