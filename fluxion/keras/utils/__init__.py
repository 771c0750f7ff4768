"""``keras.utils``: progress bars, Python datasets, seeding, label encoding, model plots."""

from fluxion.keras.layers.preprocessing.feature_space import FeatureSpace
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
from fluxion.keras.utils.dataset_utils import split_dataset
from fluxion.keras.utils.file_utils import get_file
from fluxion.keras.utils.image_dataset_utils import image_dataset_from_directory
from fluxion.keras.utils.image_utils import array_to_img, img_to_array, load_img, save_img
from fluxion.keras.utils.io_utils import (
    disable_interactive_logging,
    enable_interactive_logging,
    is_interactive_logging_enabled,
)
from fluxion.keras.utils.model_visualization import model_to_dot, plot_model
from fluxion.keras.utils.numerical_utils import normalize, to_categorical
from fluxion.keras.utils.progbar import Progbar
from fluxion.keras.utils.py_dataset import PyDataset
from fluxion.keras.utils.seeding import set_random_seed
from fluxion.keras.utils.sequence_utils import pad_sequences
from fluxion.keras.utils.tensor_utils import (
    get_source_inputs,
    is_keras_tensor,
    pack_x_y_sample_weight,
    standardize_dtype,
    unpack_x_y_sample_weight,
)
from fluxion.keras.utils.text_dataset_utils import text_dataset_from_directory
from fluxion.keras.utils.timeseries_dataset_utils import timeseries_dataset_from_array

Sequence = PyDataset  # Keras 3 keeps the old name as an alias

__all__ = [
    "CustomObjectScope", "FeatureSpace", "Progbar", "PyDataset", "Sequence",
    "custom_object_scope", "deserialize_keras_object", "get_custom_objects",
    "disable_interactive_logging", "enable_interactive_logging",
    "get_registered_name", "get_registered_object", "is_interactive_logging_enabled",
    "model_to_dot", "normalize", "plot_model", "register_keras_serializable",
    "serialize_keras_object", "set_random_seed", "to_categorical", "get_file", "split_dataset",
    "pad_sequences", "image_dataset_from_directory", "text_dataset_from_directory",
    "timeseries_dataset_from_array", "array_to_img", "img_to_array", "load_img", "save_img",
    "clear_session", "get_source_inputs", "is_keras_tensor", "pack_x_y_sample_weight",
    "standardize_dtype", "unpack_x_y_sample_weight",
]


def clear_session(free_memory: bool = True) -> None:
    """``keras.utils.clear_session``: the same as ``keras.backend.clear_session``."""
    from fluxion.keras.backend import clear_session as clear

    clear(free_memory)
