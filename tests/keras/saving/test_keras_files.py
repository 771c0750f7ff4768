"""``.keras`` files, weight files and legacy ``.h5`` files, against real Keras 3's.

The fixtures under ``fixtures/`` were written once by ``fixtures/make_keras3_models.py``
with Keras 3: each model must load here and predict what Keras predicted, and the trained
ones must resume training exactly (optimizer state restored).  When Keras itself is
importable, files written here are also loaded back with Keras (``test_live_*``).
"""

from __future__ import annotations

import io
import json
import os
import sys
import warnings
import zipfile

import numpy as np
import pytest

pytest.importorskip("h5py")

from fluxion import keras  # noqa: E402
from fluxion.keras import layers  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
import custom_models  # noqa: E402,F401  (registers the subclassed fixture's classes)

HERE = os.path.join(os.path.dirname(__file__), "fixtures")
CASES = ["sequential_mlp", "functional_multi", "subclassed", "conv2d", "conv1d_3d",
         "embedding_masking", "layer_zoo", "attention", "functional_ops"]
TRAINED = ["sequential_mlp", "functional_multi", "subclassed"]


def _fixture(case: str):
    return os.path.join(HERE, f"{case}.keras"), dict(np.load(os.path.join(HERE, f"{case}.npz")))


def _numbered(arrays: dict, prefix: str) -> list:
    found, i = [], 0
    while f"{prefix}{i}" in arrays:
        found.append(arrays[f"{prefix}{i}"])
        i += 1
    return found


def _single(values: list):
    return values if len(values) > 1 else values[0]


def _predict(model, inputs: list) -> list:
    out = model.predict(_single(inputs), verbose=0)
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _small_model(units: int = 3):
    model = keras.Sequential([keras.Input((4,)), layers.Dense(units, activation="relu"),
                              layers.BatchNormalization(), layers.Dense(2)])
    model.compile(keras.optimizers.Adam(0.01), "mse", metrics=["mae"])
    rng = np.random.RandomState(1)
    model.fit(rng.rand(16, 4).astype("float32"), rng.rand(16, 2).astype("float32"),
              batch_size=8, epochs=1, verbose=0)
    return model


def _variables(model) -> list:
    return [v.numpy().copy() for v in model.weights]


# --- Keras 3 -> Fluxion ---------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES)
def test_keras3_file_loads_and_predicts(case):
    path, arrays = _fixture(case)
    model = keras.saving.load_model(path)
    for got, want in zip(_predict(model, _numbered(arrays, "x")), _numbered(arrays, "y")):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", TRAINED)
def test_keras3_training_resumes_exactly(case):
    path, arrays = _fixture(case)
    model = keras.saving.load_model(path)
    assert model.compiled and int(model.optimizer.iterations.numpy()) > 0
    with zipfile.ZipFile(path) as zf:
        import h5py

        with h5py.File(io.BytesIO(zf.read("model.weights.h5")), "r") as f:
            saved = f["optimizer/vars"]
            assert len(saved) == len(model.optimizer.variables)
            for i, variable in enumerate(model.optimizer.variables):
                np.testing.assert_array_equal(variable.numpy(), saved[str(i)][()])
    model.train_on_batch(_single(_numbered(arrays, "train_x")),
                         _single(_numbered(arrays, "train_y")))
    after = _numbered(arrays, "after_step")
    assert len(after) == len(model.get_weights())
    for got, want in zip(model.get_weights(), after):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_keras3_weights_file_loads_into_model():
    model = keras.saving.load_model(os.path.join(HERE, "sequential_mlp.keras"))
    arrays = dict(np.load(os.path.join(HERE, "sequential_mlp_weights.npz")))
    # Keras saved an optimizer that was never built; like Keras, loading warns and skips it.
    with pytest.warns(UserWarning, match="Skipping variable loading for optimizer"):
        model.load_weights(os.path.join(HERE, "sequential_mlp.weights.h5"))
    np.testing.assert_allclose(model.predict(arrays["x0"], verbose=0), arrays["y0"],
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", ["legacy_keras3", "legacy_keras2"])
def test_legacy_h5_model_loads(case):
    arrays = dict(np.load(os.path.join(HERE, f"{case}.npz")))
    model = keras.saving.load_model(os.path.join(HERE, f"{case}.h5"))
    np.testing.assert_allclose(model.predict(arrays["x0"], verbose=0), arrays["y0"],
                               rtol=1e-5, atol=1e-6)
    assert model.compiled and type(model.optimizer).__name__ == "Adam"


def test_legacy_h5_weights_by_order_and_by_name():
    source = keras.saving.load_model(os.path.join(HERE, "legacy_keras2.h5"), compile=False)
    arrays = dict(np.load(os.path.join(HERE, "legacy_keras2.npz")))
    fresh = keras.Model.from_config(source.get_config())
    fresh.load_weights(os.path.join(HERE, "legacy_keras2.h5"))
    np.testing.assert_allclose(fresh.predict(arrays["x0"], verbose=0), arrays["y0"], rtol=1e-5)
    # By name: only the layer called "dense" matches; the others keep their values.
    inp = keras.Input((5,))
    other = keras.Model(inp, layers.Dense(4, name="dense")(layers.Dense(5, name="pre")(inp)))
    before = other.get_layer("pre").get_weights()
    other.load_weights(os.path.join(HERE, "legacy_keras2.h5"), by_name=True)
    np.testing.assert_array_equal(other.get_layer("dense").get_weights()[0],
                                  source.get_layer("dense").get_weights()[0])
    np.testing.assert_array_equal(other.get_layer("pre").get_weights()[0], before[0])


# --- the file Fluxion writes ---------------------------------------------------------------------
def test_round_trip_restores_weights_optimizer_and_compile(tmp_path):
    model = _small_model()
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    x = np.random.RandomState(2).rand(5, 4).astype("float32")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.compiled and type(loaded.optimizer).__name__ == "Adam"
    assert len(loaded.optimizer.variables) == len(model.optimizer.variables)
    for a, b in zip(loaded.optimizer.variables, model.optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    uncompiled = keras.saving.load_model(path, compile=False)
    assert not uncompiled.compiled


def test_archive_layout_matches_keras(tmp_path):
    model = _small_model()
    path = tmp_path / "m.keras"
    keras.saving.save_model(model, path)
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos] == ["metadata.json", "config.json",
                                               "model.weights.h5"]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in infos)
        config = json.loads(zf.read("config.json"))
        assert {"keras_version", "date_saved"} <= set(json.loads(zf.read("metadata.json")))
        weights = zf.read("model.weights.h5")
    assert {"module", "class_name", "config", "registered_name"} <= set(config)
    assert config["class_name"] == "Sequential" and config["module"] == "keras"
    compile_config = config["compile_config"]
    assert compile_config["optimizer"]["class_name"] == "Adam"
    assert compile_config["loss"] == "mse" and compile_config["metrics"] == ["mae"]
    import h5py

    with h5py.File(io.BytesIO(weights), "r") as f:
        assert f["vars"].attrs["name"] == model.name
        assert sorted(f["layers"]) == ["batch_normalization", "dense", "dense_1"]
        assert len(f["layers/batch_normalization/vars"]) == 4
        assert f["layers/dense/vars/0"].shape == (4, 3)
        assert len(f["optimizer/vars"]) == len(model.optimizer.variables)


def test_functional_config_and_paths(tmp_path):
    a, b = keras.Input((3,), name="a"), keras.Input((3,), name="b")
    shared = layers.Dense(2, name="shared")
    out = layers.Add()([shared(a), shared(b)])
    model = keras.Model([a, b], out)
    model.save(tmp_path / "f.keras")
    with zipfile.ZipFile(tmp_path / "f.keras") as zf:
        config = json.loads(zf.read("config.json"))
        import h5py

        with h5py.File(io.BytesIO(zf.read("model.weights.h5")), "r") as f:
            assert sorted(f["layers"]) == ["add", "dense", "input_layer", "input_layer_1"]
    assert config["module"] == "keras.src.models.functional"
    assert config["registered_name"] == "Functional"
    entries = {e["name"]: e for e in config["config"]["layers"]}
    assert len(entries["shared"]["inbound_nodes"]) == 2
    assert config["config"]["input_layers"] == [["a", 0, 0], ["b", 0, 0]]
    loaded = keras.saving.load_model(tmp_path / "f.keras")
    x = [np.ones((2, 3), "float32"), np.full((2, 3), 2.0, "float32")]
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_unzipped_directory(tmp_path):
    model = _small_model()
    model.save(tmp_path / "dir_model", zipped=False)
    assert sorted(os.listdir(tmp_path / "dir_model")) == ["config.json", "metadata.json",
                                                          "model.weights.h5"]
    loaded = keras.saving.load_model(tmp_path / "dir_model")
    np.testing.assert_array_equal(loaded.get_weights()[0], model.get_weights()[0])


def test_save_weights_and_load_weights(tmp_path):
    model = _small_model()
    model.save_weights(tmp_path / "w.weights.h5")
    other = _small_model()
    other.load_weights(tmp_path / "w.weights.h5")
    for a, b in zip(other.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    other.load_weights(tmp_path / "w.weights.h5")  # a .keras file works too
    model.save(tmp_path / "m.keras")
    third = _small_model()
    third.load_weights(tmp_path / "m.keras")
    np.testing.assert_array_equal(third.get_weights()[0], model.get_weights()[0])
    with pytest.raises(ValueError, match="must end in `.weights.h5`"):
        model.save_weights(tmp_path / "w.h5")


def test_mismatched_weights_raise_and_leave_model_unchanged(tmp_path):
    _small_model(units=3).save_weights(tmp_path / "w.weights.h5")
    model = _small_model(units=5)
    before = _variables(model)
    with pytest.raises(ValueError, match="could not be loaded"):
        model.load_weights(tmp_path / "w.weights.h5")
    for a, b in zip(_variables(model), before):
        np.testing.assert_array_equal(a, b)


def test_skip_mismatch_loads_what_fits(tmp_path):
    source = _small_model(units=3)
    source.save_weights(tmp_path / "w.weights.h5")
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="relu"),
                              layers.BatchNormalization(), layers.Dense(7)])
    with pytest.warns(UserWarning, match="could not be loaded"):
        model.load_weights(tmp_path / "w.weights.h5", skip_mismatch=True)
    np.testing.assert_array_equal(model.layers[0].get_weights()[0],
                                  source.layers[0].get_weights()[0])
    assert model.layers[2].get_weights()[0].shape == (3, 7)


# --- damaged files ------------------------------------------------------------------------
def test_truncated_and_foreign_files_raise_clearly(tmp_path):
    model = _small_model()
    good = tmp_path / "good.keras"
    model.save(good)
    data = good.read_bytes()
    truncated = tmp_path / "truncated.keras"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a valid .keras file"):
        keras.saving.load_model(truncated)
    text = tmp_path / "text.keras"
    text.write_text("hello")
    with pytest.raises(ValueError, match="not a valid .keras file"):
        keras.saving.load_model(text)
    no_config = tmp_path / "no_config.keras"
    with zipfile.ZipFile(no_config, "w") as zf:
        zf.writestr("readme.txt", "hi")
    with pytest.raises(ValueError, match="no config.json"):
        keras.saving.load_model(no_config)
    with pytest.raises(ValueError, match="File format not supported"):
        keras.saving.load_model(tmp_path / "model.pb")
    with pytest.raises(ValueError, match="File not found"):
        keras.saving.load_model(tmp_path / "missing.keras")


def test_damaged_weights_leave_model_unchanged(tmp_path):
    model = _small_model()
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        entries = {name: zf.read(name) for name in zf.namelist()}
    weights = entries["model.weights.h5"]
    entries["model.weights.h5"] = weights[: len(weights) // 3]
    with zipfile.ZipFile(tmp_path / "bad.keras", "w") as zf:
        for name, value in entries.items():
            zf.writestr(name, value)
    target = _small_model()
    before = _variables(target)
    with pytest.raises(ValueError, match="damaged|truncated"):
        target.load_weights(tmp_path / "bad.keras")
    with pytest.raises(ValueError):
        keras.saving.load_model(tmp_path / "bad.keras")
    (tmp_path / "bad.weights.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 50)
    with pytest.raises(ValueError, match="not a readable HDF5"):
        target.load_weights(tmp_path / "bad.weights.h5")
    for a, b in zip(_variables(target), before):
        np.testing.assert_array_equal(a, b)


def test_failed_save_keeps_previous_file(tmp_path, monkeypatch):
    from fluxion.keras.saving import saving_api

    model = _small_model()
    path = tmp_path / "m.keras"
    model.save(path)
    original = path.read_bytes()

    def broken(_model):
        raise RuntimeError("disk full")

    monkeypatch.setattr(saving_api, "weights_to_bytes", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        model.save(path)
    assert path.read_bytes() == original
    assert os.listdir(tmp_path) == ["m.keras"]


def test_missing_h5py_says_how_to_install_it(monkeypatch):
    from fluxion.keras.saving.weights_h5 import require_h5py

    monkeypatch.setitem(sys.modules, "h5py", None)
    with pytest.raises(ImportError, match=r"required dependency.*pip install h5py"):
        require_h5py()


# --- custom objects and safe mode ---------------------------------------------------------
def test_lambda_refused_in_safe_mode(tmp_path):
    model = keras.Sequential([keras.Input((2,)), layers.Lambda(lambda x: x * 2.0)])
    model.save(tmp_path / "lambda.keras")
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.saving.load_model(tmp_path / "lambda.keras")
    loaded = keras.saving.load_model(tmp_path / "lambda.keras", safe_mode=False)
    np.testing.assert_allclose(loaded.predict(np.ones((1, 2), "float32"), verbose=0), [[2, 2]])


class Scale(layers.Layer):  # deliberately not registered
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def test_custom_objects_and_scope(tmp_path):
    model = keras.Sequential([keras.Input((2,)), Scale(3.0)])
    model.save(tmp_path / "custom.keras")
    with pytest.raises(TypeError, match="Could not locate class 'Scale'"):
        keras.saving.load_model(tmp_path / "custom.keras")
    loaded = keras.saving.load_model(tmp_path / "custom.keras", custom_objects={"Scale": Scale})
    assert loaded.layers[0].factor == 3.0
    with keras.saving.custom_object_scope({"Scale": Scale}):
        assert keras.saving.load_model(tmp_path / "custom.keras").layers[0].factor == 3.0


def test_subclassed_model_round_trip(tmp_path):
    model = custom_models.TwoTower(4)
    x = np.random.RandomState(3).rand(3, 4).astype("float32")
    model(x)
    model.save(tmp_path / "sub.keras")
    loaded = keras.saving.load_model(tmp_path / "sub.keras")
    assert type(loaded) is custom_models.TwoTower
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


# --- Fluxion -> Keras 3, live (only where Keras is installed) ------------------------------------
def _real_keras():
    pytest.importorskip("keras")
    pytest.importorskip("tensorflow")
    sys.path.insert(0, HERE)
    import keras as real_keras
    import make_keras3_models  # noqa: F401  (registers the Keras twins of custom_models)

    return real_keras


@pytest.mark.parametrize("case", CASES)
def test_live_fluxion_file_loads_in_keras(case, tmp_path):
    real_keras = _real_keras()
    path, arrays = _fixture(case)
    keras.saving.load_model(path).save(tmp_path / "out.keras")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = real_keras.saving.load_model(tmp_path / "out.keras")
        got = model.predict(_single(_numbered(arrays, "x")), verbose=0)
    got = list(got) if isinstance(got, (list, tuple)) else [got]
    for value, want in zip(got, _numbered(arrays, "y")):
        np.testing.assert_allclose(value, want, rtol=1e-5, atol=1e-5)


def test_live_fluxion_trained_model_resumes_in_keras(tmp_path):
    real_keras = _real_keras()
    model = _small_model()
    model.save(tmp_path / "trained.keras")
    x = np.random.RandomState(4).rand(8, 4).astype("float32")
    y = np.random.RandomState(5).rand(8, 2).astype("float32")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = real_keras.saving.load_model(tmp_path / "trained.keras")
        np.testing.assert_allclose(theirs.predict(x, verbose=0), model.predict(x, verbose=0),
                                   rtol=1e-5, atol=1e-6)
        assert int(theirs.optimizer.iterations.numpy()) == int(model.optimizer.iterations.numpy())
        theirs.train_on_batch(x, y)
    model.train_on_batch(x, y)
    for a, b in zip(model.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    model.save_weights(tmp_path / "w.weights.h5")
    theirs.load_weights(tmp_path / "w.weights.h5")
    np.testing.assert_array_equal(theirs.get_weights()[0], model.get_weights()[0])
