"""``keras.saving``: serialization of Keras objects (model files arrive with the saving issue)."""

from fluxion.keras.saving.serialization import (
    CustomObjectScope,
    custom_object_scope,
    deserialize_keras_object,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    serialize_keras_object,
)
