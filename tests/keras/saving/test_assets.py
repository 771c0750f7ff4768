"""``.keras`` assets and non-weight state: lookup vocabularies and TF-IDF weights.

Adapted lookup layers keep their vocabulary in ``assets/<layer path>/vocabulary.txt`` and
their ``idf_weights`` in ``model.weights.h5`` through ``save_own_variables`` (they have no
tracked variables), and a ``TextVectorization`` holds a ``StringLookup`` that is saved at
``<its path>/_lookup_layer``.  The fixtures ``lookup_*.keras`` were written by Keras 3
(``fixtures/make_keras3_lookup_models.py``); the ``test_live_*`` tests load Fluxion's files
with Keras when it is importable.
"""

from __future__ import annotations

import io
import os
import warnings
import zipfile

import numpy as np
import pytest

pytest.importorskip("h5py")

from fluxion import keras  # noqa: E402
from fluxion.keras import layers  # noqa: E402
from fluxion.keras.saving import keras_archive, weights_h5  # noqa: E402

HERE = os.path.join(os.path.dirname(__file__), "fixtures")
TEXTS = ["The cat sat on the mat.", "The dog ate my homework!", "a cat and a dog",
         "the mat, the cat; the end"]
WORDS = np.array([["red", "green"], ["blue", "red"], ["red", "yellow"], ["green", "red"]])
NUMBERS = np.array([[3, 7], [7, 7], [12, 3], [5, 7]], dtype="int64")
TEXT_IN = np.array([["the cat ate the homework"], ["zebra mat"]])
WORDS_IN = np.array([["red", "purple"], ["", "blue"]])
NUMBERS_IN = np.array([[7, 99], [3, 3]], dtype="int64")
# Building a functional model from its config calls a tf_idf lookup layer symbolically
# before its idf_weights are loaded, which IndexLookup.call refuses (index_lookup.py).


def _outputs(model, inputs) -> list:
    out = model(inputs)
    return [np.asarray(o.numpy()) for o in (out if isinstance(out, (list, tuple)) else [out])]


def _of_type(model, cls) -> list:
    return [layer for layer in model.layers if isinstance(layer, cls)]


def _int_model():
    text, words, numbers = (keras.Input((1,), dtype="string", name="text"),
                            keras.Input((2,), dtype="string", name="words"),
                            keras.Input((2,), dtype="int64", name="numbers"))
    vectorize = layers.TextVectorization(output_sequence_length=6)
    vectorize.adapt(TEXTS)
    bigrams = layers.TextVectorization(ngrams=2, output_mode="multi_hot", max_tokens=12)
    bigrams.adapt(TEXTS)
    strings = layers.StringLookup(num_oov_indices=2, mask_token="")
    strings.adapt(WORDS)
    ints = layers.IntegerLookup(output_mode="count")
    ints.adapt(NUMBERS)
    model = keras.Model([text, words, numbers],
                        [vectorize(text), bigrams(text), strings(words), ints(numbers)])
    return model, [TEXT_IN, WORDS_IN, NUMBERS_IN]


def _tfidf_model():
    text, numbers = (keras.Input((1,), dtype="string", name="text"),
                     keras.Input((2,), dtype="int64", name="numbers"))
    vectorize = layers.TextVectorization(output_mode="tf_idf")
    vectorize.adapt(TEXTS)
    ints = layers.IntegerLookup(output_mode="tf_idf")
    ints.adapt(NUMBERS)
    return keras.Model([text, numbers], [vectorize(text), ints(numbers)]), \
        [np.array([["the cat ate the cat"], ["zebra mat"]]), NUMBERS_IN]


def _fixture(case: str):
    arrays = dict(np.load(os.path.join(HERE, f"{case}.npz")))
    count = sum(key.startswith("x") for key in arrays)
    return (os.path.join(HERE, f"{case}.keras"), [arrays[f"x{i}"] for i in range(count)],
            [arrays[f"y{i}"] for i in range(len(arrays) - count)])


# --- the archive's layout ---------------------------------------------------------------------
def test_archive_holds_vocabularies_by_layer_path(tmp_path):
    model, _ = _int_model()
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        names = zf.namelist()
        assert names[:3] == ["metadata.json", "config.json", "model.weights.h5"]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
        assets = {n: zf.read(n).decode() for n in names[3:]}
    assert sorted(assets) == [
        "assets/layers/integer_lookup/vocabulary.txt",
        "assets/layers/string_lookup/vocabulary.txt",
        "assets/layers/text_vectorization/_lookup_layer/vocabulary.txt",
        "assets/layers/text_vectorization/vocabulary.txt",
        "assets/layers/text_vectorization_1/_lookup_layer/vocabulary.txt",
        "assets/layers/text_vectorization_1/vocabulary.txt"]
    vectorize, ints = _of_type(model, layers.TextVectorization)[0], \
        _of_type(model, layers.IntegerLookup)[0]
    assert assets["assets/layers/text_vectorization/vocabulary.txt"].split("\n") == \
        vectorize.get_vocabulary()
    assert assets["assets/layers/integer_lookup/vocabulary.txt"].split("\n") == \
        [str(v) for v in ints.get_vocabulary()]
    assert assets["assets/layers/string_lookup/vocabulary.txt"].startswith("\n[UNK]\n[UNK]\n")


def test_idf_weights_saved_for_layers_without_variables(tmp_path):
    import h5py

    model, _ = _tfidf_model()
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        with h5py.File(io.BytesIO(zf.read("model.weights.h5")), "r") as f:
            vectorize = _of_type(model, layers.TextVectorization)[0]._lookup_layer
            for path in ("layers/text_vectorization/vars/idf_weights",
                         "layers/text_vectorization/_lookup_layer/vars/idf_weights"):
                np.testing.assert_allclose(f[path][()], vectorize.idf_weights)
            assert f["layers/integer_lookup/vars/idf_weights"].shape == (5,)
            assert f["layers/text_vectorization/_lookup_layer/vars"].attrs["name"] == \
                vectorize.name


def test_vocabulary_in_config_writes_no_asset(tmp_path):
    inputs = keras.Input((2,), dtype="string")
    model = keras.Model(inputs, layers.StringLookup(vocabulary=["a", "b"])(inputs))
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        assert zf.namelist() == ["metadata.json", "config.json", "model.weights.h5"]
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    x = np.array([["a", "z"], ["b", "a"]])
    np.testing.assert_array_equal(_outputs(loaded, x)[0], [[1, 0], [2, 1]])


# --- Fluxion -> Fluxion -------------------------------------------------------------------------
@pytest.mark.parametrize("zipped", [True, False])
def test_lookup_model_round_trip(tmp_path, zipped):
    model, inputs = _int_model()
    path = tmp_path / ("m.keras" if zipped else "m_dir")
    model.save(path, zipped=zipped)
    loaded = keras.saving.load_model(path)
    for got, want in zip(_outputs(loaded, inputs), _outputs(model, inputs)):
        np.testing.assert_array_equal(got, want)
    for a, b in zip(loaded.layers, model.layers):
        if hasattr(b, "get_vocabulary"):
            assert a.get_vocabulary() == b.get_vocabulary()


def test_tfidf_model_round_trip(tmp_path):
    model, inputs = _tfidf_model()
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    for got, want in zip(_outputs(loaded, inputs), _outputs(model, inputs)):
        np.testing.assert_allclose(got, want, rtol=1e-6)


@pytest.mark.parametrize("kwargs", [{"output_mode": "tf_idf"},
                                    {"output_mode": "tf_idf", "ngrams": 2}])
def test_tfidf_layer_state_round_trip(tmp_path, kwargs):
    """The saver and loader alone, on a layer rebuilt from its config (no functional build)."""
    import h5py

    layer = layers.TextVectorization(**kwargs)
    layer.adapt(TEXTS)
    with h5py.File(tmp_path / "w.h5", "w") as f:
        weights_h5.write_state(layer, f)
    weights_h5.write_assets(layer, str(tmp_path / "assets"))
    assert sorted(os.listdir(tmp_path / "assets")) == ["_lookup_layer", "vocabulary.txt"]
    fresh = layers.TextVectorization.from_config(layer.get_config())
    with h5py.File(tmp_path / "w.h5", "r") as f:
        weights_h5.read_state(fresh, f)
    weights_h5.read_assets(fresh, str(tmp_path / "assets"))
    x = np.array([["the cat ate the cat"], ["zebra mat"]])
    np.testing.assert_allclose(fresh(x).numpy(), layer(x).numpy(), rtol=1e-6)
    assert fresh.get_vocabulary() == layer.get_vocabulary()


def test_integer_lookup_tfidf_state_round_trip(tmp_path):
    import h5py

    layer = layers.IntegerLookup(output_mode="tf_idf")
    layer.adapt(NUMBERS)
    with h5py.File(tmp_path / "w.h5", "w") as f:
        weights_h5.write_state(layer, f)
    weights_h5.write_assets(layer, str(tmp_path))
    fresh = layers.IntegerLookup.from_config(layer.get_config())
    with h5py.File(tmp_path / "w.h5", "r") as f:
        weights_h5.read_state(fresh, f)
    weights_h5.read_assets(fresh, str(tmp_path))
    np.testing.assert_allclose(fresh(NUMBERS_IN).numpy(), layer(NUMBERS_IN).numpy())


def test_missing_asset_names_the_layer(tmp_path):
    model, _ = _int_model()
    model.save(tmp_path / "m.keras")
    damaged = tmp_path / "damaged.keras"
    with zipfile.ZipFile(tmp_path / "m.keras") as src, zipfile.ZipFile(damaged, "w") as dst:
        for name in src.namelist():
            if name != "assets/layers/string_lookup/vocabulary.txt":
                dst.writestr(name, src.read(name))
    with pytest.raises(ValueError, match="1 objects could not be loaded") as info:
        keras.saving.load_model(damaged)
    assert "string_lookup" in str(info.value) and "vocabulary.txt" in str(info.value)


def test_asset_entry_outside_assets_is_refused(tmp_path):
    model, _ = _int_model()
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras", "a") as zf:
        zf.writestr("assets/../../evil.txt", b"x")
    with pytest.raises(ValueError, match="outside the assets folder"):
        keras.saving.load_model(tmp_path / "m.keras")


def test_archive_without_assets_leaves_layers_alone(tmp_path):
    """An archive of three entries (Keras's rule) hands no assets to the layers."""
    model, _ = _int_model()
    archive = keras_archive.KerasArchive({"class_name": "X"}, b"", {})
    assert not archive.has_assets and archive.assets == {}
    model.save(tmp_path / "m.keras")
    assert keras_archive.read_archive(tmp_path / "m.keras").has_assets


# --- Keras 3 -> Fluxion -------------------------------------------------------------------------
def test_keras3_lookup_file_loads():
    path, inputs, outputs = _fixture("lookup_int")
    model = keras.saving.load_model(path)
    for got, want in zip(_outputs(model, inputs), outputs):
        np.testing.assert_array_equal(got, want)


def test_keras3_tfidf_file_loads():
    path, inputs, outputs = _fixture("lookup_tfidf")
    model = keras.saving.load_model(path)
    for got, want in zip(_outputs(model, inputs), outputs):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


# --- Fluxion -> Keras 3 -------------------------------------------------------------------------
def _keras_outputs(path, inputs) -> list:
    real_keras = pytest.importorskip("keras")
    tf = pytest.importorskip("tensorflow")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = real_keras.saving.load_model(path)
        out = model([tf.constant(x) for x in inputs])
    return [np.asarray(o) for o in (out if isinstance(out, (list, tuple)) else [out])]


@pytest.mark.parametrize("build", [_int_model, _tfidf_model], ids=["int", "tf_idf"])
def test_live_fluxion_lookup_file_loads_in_keras(tmp_path, build):
    pytest.importorskip("keras")
    model, inputs = build()
    model.save(tmp_path / "m.keras")
    for got, want in zip(_keras_outputs(tmp_path / "m.keras", inputs), _outputs(model, inputs)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
