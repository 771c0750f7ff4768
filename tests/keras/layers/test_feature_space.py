"""HashedCrossing (bins equal to Keras's, recorded from Keras 3 with TensorFlow) and
FeatureSpace (encodings, order, dict/concat, functional graph, Dataset.map use)."""

import numpy as np
import pytest

import fluxion as tf
from fluxion import keras

FS = keras.utils.FeatureSpace
DATA = {"a": np.array([1.0, 2.0, 3.0, 4.0]), "b": np.array([0, 1, 1, 2]),
        "c": np.array(["x", "y", "x", "z"]), "d": np.array([0.5, 1.5, 2.5, 3.5])}


def test_hashed_crossing_bins_match_keras():
    layer = keras.layers.HashedCrossing(num_bins=1000)
    np.testing.assert_array_equal(
        np.asarray(layer((np.array([1, 2, 3, 123456789]), np.array([4, 5, 6, 7])))),
        [725, 438, 543, 744])
    np.testing.assert_array_equal(
        np.asarray(layer((np.array(["a", "b", "fixed", "normal"]), np.array([4, 5, 6, 7])))),
        [716, 673, 884, 983])
    assert int(np.asarray(layer((np.array(3), np.array(4))))) == 786
    wide = keras.layers.HashedCrossing(num_bins=2 ** 62)
    np.testing.assert_array_equal(
        np.asarray(wide((np.array([1, 2]), np.array(["x", "y"]), np.array([7, 8])))),
        [1446175987616640333, 2112125839173101890])
    one_hot = keras.layers.HashedCrossing(num_bins=5, output_mode="one_hot")
    np.testing.assert_array_equal(np.asarray(one_hot((np.array([[1], [2]]),
                                                       np.array([[4], [5]])))),
                                  [[1, 0, 0, 0, 0], [0, 0, 0, 1, 0]])
    with pytest.raises(ValueError, match="at least two"):
        layer(np.array([1, 2]))
    assert keras.layers.HashedCrossing.from_config(layer.get_config()).num_bins == 1000


def _space():
    space = FS(features={"a": "float_normalized", "b": "integer_categorical",
                         "c": "string_categorical", "d": FS.float_discretized(num_bins=3)},
               crosses=[("b", "c")], crossing_dim=8, output_mode="concat")
    space.adapt(tf.data.Dataset.from_tensor_slices(DATA))
    return space


def test_concat_encoding_matches_keras():
    out = np.asarray(_space()(DATA))
    assert out.shape == (4, 20) and out.dtype == np.float32
    # a (normalized) | b one-hot (OOV + 3) | c one-hot (OOV + 3) | d (3 bins) | cross (8)
    np.testing.assert_allclose(out[:, 0], [-1.3416407, -0.4472136, 0.4472136, 1.3416407],
                               rtol=1e-5)
    np.testing.assert_array_equal(out[0, 1:], [0, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0,
                                               0, 0, 0, 0, 1, 0, 0, 0])
    np.testing.assert_array_equal(out[1, 12:], [0, 0, 0, 1, 0, 0, 0, 0])
    single = np.asarray(_space()({"a": 1.0, "b": 1, "c": "x", "d": 0.7}))
    assert single.shape == (20,)


def test_dict_mode_orders_by_name_and_hashes():
    space = FS(features={"z": "float", "b": "integer_categorical", "c": "string_hashed"},
               output_mode="dict", hashing_dim=4)
    columns = {"z": DATA["a"], "b": DATA["b"], "c": DATA["c"]}
    space.adapt(tf.data.Dataset.from_tensor_slices(columns).batch(2))
    out = space(columns)
    assert list(out) == ["b", "c", "z"]
    np.testing.assert_array_equal(np.asarray(out["c"]),
                                  [[0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0]])
    np.testing.assert_array_equal(np.asarray(out["z"]), DATA["a"][:, None])


def test_functional_models_from_inputs_and_from_encoded_features():
    space = _space()
    inputs, encoded = space.get_inputs(), space.get_encoded_features()
    assert inputs["c"].dtype == "string" and tuple(encoded.shape) == (None, 20)
    hidden = keras.layers.Dense(3)(encoded)
    prediction = keras.layers.Dense(1, activation="sigmoid")(hidden)
    training_model = keras.Model(inputs=encoded, outputs=prediction)
    inference_model = keras.Model(inputs=inputs, outputs=prediction)
    training_model.compile(optimizer="adam", loss="binary_crossentropy")
    preprocessed = tf.data.Dataset.from_tensor_slices((DATA, np.array([0, 1, 0, 1]))) \
        .batch(2).map(lambda x, y: (space(x), y))
    training_model.fit(preprocessed, epochs=1, verbose=0)
    raw = inference_model.predict({k: v[:, None] for k, v in DATA.items()}, verbose=0)
    direct = training_model.predict(np.asarray(space(DATA)), verbose=0)
    np.testing.assert_allclose(raw, direct, rtol=1e-5)


def test_unadapted_or_wrong_input_is_refused():
    space = FS(features={"a": "float_normalized"})
    with pytest.raises(ValueError, match="adapt"):
        space({"a": np.ones(2)})
    with pytest.raises(ValueError, match="cross"):
        FS(features={"a": "float"}, crosses=[("a", "missing")])
    with pytest.raises(ValueError, match="Invalid value for feature"):
        FS(features={"a": "floaty"})
