"""Saves that cannot be written fail up front with a clear error: ``model.save`` before it
serializes anything, ``ModelCheckpoint`` before the first epoch trains (not at its end)."""

import os

import numpy as np
import pytest

pytest.importorskip("h5py")

from fluxion import keras  # noqa: E402

X = np.random.default_rng(0).random((16, 3)).astype("float32")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))


def _model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    return model


def test_save_into_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        _model().save(tmp_path / "missing" / "m.keras")


def test_save_under_a_file(tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(NotADirectoryError, match="is a file, not a directory"):
        _model().save(tmp_path / "afile" / "m.keras")


def test_save_into_read_only_directory(tmp_path, monkeypatch):
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if os.fspath(p) == str(tmp_path)
                        else real_access(p, mode))
    with pytest.raises(PermissionError, match="not writable"):
        _model().save(tmp_path / "m.keras")
    with pytest.raises(PermissionError, match="not writable"):
        _model().save_weights(tmp_path / "m.weights.h5")


class _CountEpochs(keras.callbacks.Callback):
    epochs = 0

    def on_epoch_end(self, epoch, logs=None):
        _CountEpochs.epochs += 1


def test_checkpoint_fails_before_training(tmp_path):
    (tmp_path / "afile").write_text("x")
    model = _model()
    before = [w.copy() for w in model.get_weights()]
    checkpoint = keras.callbacks.ModelCheckpoint(str(tmp_path / "afile" / "ckpt.keras"))
    _CountEpochs.epochs = 0
    with pytest.raises(NotADirectoryError, match="ModelCheckpoint"):
        model.fit(X, X[:, :1], epochs=2, verbose=0, callbacks=[_CountEpochs(), checkpoint])
    assert _CountEpochs.epochs == 0
    for got, want in zip(model.get_weights(), before):
        np.testing.assert_array_equal(got, want)


def test_checkpoint_creates_missing_folders(tmp_path):
    path = tmp_path / "runs" / "{epoch:02d}" / "ckpt.keras"
    checkpoint = keras.callbacks.ModelCheckpoint(str(path))
    _model().fit(X, X[:, :1], epochs=2, verbose=0, callbacks=[checkpoint])
    assert sorted(os.listdir(tmp_path / "runs")) == ["01", "02"]


def test_checkpoint_without_h5py_fails_before_training(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "h5py", None)
    checkpoint = keras.callbacks.ModelCheckpoint(str(tmp_path / "ckpt.keras"))
    _CountEpochs.epochs = 0
    with pytest.raises(ImportError, match="pip install h5py"):
        _model().fit(X, X[:, :1], epochs=1, verbose=0, callbacks=[_CountEpochs(), checkpoint])
    assert _CountEpochs.epochs == 0


def test_distribution_name_and_required_h5py():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        project = tomllib.load(f)["project"]
    assert project["name"] == "fluxion-ml"  # `fluxion` on PyPI is another project
    assert any(dep.startswith("h5py") for dep in project["dependencies"])
