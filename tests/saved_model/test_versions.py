"""Versioned base paths for TensorFlow Serving (base/1, base/2, ...), atomic publication."""

import os

import numpy as np
import pytest

import fluxion as tf
from fluxion import keras
from fluxion.core.atomic_file import TEMP_MARK
from fluxion.saved_model import latest_version, next_version, save_version, versions


def _model(units):
    return keras.Sequential([keras.Input((2,), name="x"), keras.layers.Dense(units)])


def test_versions_are_numbered_upwards(tmp_path):
    base = tmp_path / "mlp"
    assert next_version(base) == 1 and versions(base) == [] and latest_version(base) is None
    assert save_version(_model(1), base) == os.path.join(base, "1")
    assert save_version(_model(2), base) == os.path.join(base, "2")
    (base / "notes").mkdir()          # non-numeric names are not versions
    (base / "7").mkdir()              # an empty numbered directory is not a complete one...
    assert versions(base) == [1, 2] and latest_version(base) == 2
    assert next_version(base) == 8    # ...but its number is never reused
    save_version(_model(3), base, version=10)
    assert versions(base) == [1, 2, 10]
    loaded = tf.saved_model.load(base / "10")
    assert loaded.signatures["serving_default"].structured_outputs["output_0"].shape == \
        tf.TensorShape([None, 3])
    with pytest.raises(ValueError, match="non-negative integer"):
        save_version(_model(1), base, version=-1)


def test_model_export_into_a_version_directory(tmp_path):
    model = _model(2)
    model.export(tmp_path / "base" / "1", verbose=False)
    model.export(tmp_path / "base" / str(next_version(tmp_path / "base")), verbose=False)
    assert versions(tmp_path / "base") == [1, 2]


def test_failed_save_leaves_no_version_and_no_temporary(tmp_path):
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def not_saveable(x):
        return tf.numpy_function(lambda a: a, [x], tf.float32)

    base = tmp_path / "base"
    base.mkdir()
    with pytest.raises(TypeError):
        save_version(not_saveable, base)
    assert os.listdir(base) == []


def test_overwriting_a_version_never_shows_a_partial_directory(tmp_path):
    base = tmp_path / "base"
    save_version(_model(1), base, version=1)
    save_version(_model(4), base, version=1)
    assert sorted(os.listdir(base)) == ["1"]
    assert not any(TEMP_MARK in name for name in os.listdir(base))
    out = tf.saved_model.load(base / "1").signatures["serving_default"](x=np.ones((1, 2)))
    assert out["output_0"].shape == (1, 4)
