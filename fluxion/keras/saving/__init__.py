"""``keras.saving``: serialization of Keras objects and the ``.keras`` / weight files."""

from fluxion.keras.saving.saving_api import (
    load_model,
    load_weights,
    save_model,
    save_weights,
)
from fluxion.keras.saving.serialization import (
    CustomObjectScope,
    custom_object_scope,
    deserialize_keras_object,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    serialize_keras_object,
)
