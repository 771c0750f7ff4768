"""Malformed model configs and legacy files get clear errors, never raw Python ones."""

import json

import numpy as np
import pytest

from fluxion import keras
from fluxion.keras.saving.serialization import deserialize_keras_object


def nested(depth: int) -> dict:
    config = {"class_name": "Dense", "config": {"units": 1}}
    for _ in range(depth):
        config = {"class_name": "Sequential", "config": {"layers": [config]}}
    return config


@pytest.mark.parametrize("config, message", [
    ({"class_name": ["Dense"], "config": {}}, "'class_name' must be a string"),
    ({"class_name": "Dense", "config": None}, "Could not rebuild 'Dense'"),
    ({"class_name": "Dense", "config": [1, 2]}, "must be a dict"),
    ({"class_name": "Dense", "config": {"units": 2}, "module": 7}, "non-string 'module'"),
    ({"class_name": "Sequential", "config": {"layers": 7}}, "Could not rebuild 'Sequential'"),
    (nested(600), "more than 200 levels deep"),
])
def test_malformed_configs_are_value_errors(config, message):
    with pytest.raises(ValueError, match=message):
        deserialize_keras_object(config)


def test_moderately_deep_configs_still_load():
    model = deserialize_keras_object(nested(40))
    assert isinstance(model, keras.Sequential)


def test_damaged_legacy_h5_attributes(tmp_path):
    h5py = pytest.importorskip("h5py")
    path = str(tmp_path / "model.h5")
    with h5py.File(path, "w") as f:  # a legacy Keras 2 file, minimal
        f.create_group("model_weights").attrs["layer_names"] = []
    with h5py.File(path, "a") as f:
        f.attrs["model_config"] = "{not json"
    with pytest.raises(ValueError, match="model_config attribute is not valid JSON"):
        keras.models.load_model(path)
    with h5py.File(path, "a") as f:
        f.attrs["model_config"] = json.dumps([1, 2])
    with pytest.raises(ValueError, match="should be a JSON object"):
        keras.models.load_model(path)


def test_a_checkpoint_with_an_edited_dtype_is_data_loss(tmp_path):
    import fluxion as tf
    from fluxion.core.errors import DataLossError
    from fluxion.train import checkpoint_file

    array = np.zeros(3, np.uint16)
    with pytest.raises(DataLossError, match="damaged"):
        checkpoint_file._loaded(array, "no_such_dtype")
    del tf
