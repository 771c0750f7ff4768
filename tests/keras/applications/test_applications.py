"""keras.applications against real Keras 3 (fixtures/make_fixtures.py): the same layers,
weights and parameter counts, and the same predictions from Keras's weight files."""

import json
import os

import numpy as np
import pytest

from fluxion import keras

HERE = os.path.join(os.path.dirname(__file__), "fixtures")
with open(os.path.join(HERE, "structures.json")) as f:
    STRUCTURES = json.load(f)


def weighted_layers(layers) -> list:
    """(name, weight shapes) of the layers with weights, in the model's order: the order
    in which legacy ``.h5`` weight files are matched."""
    return [(name, shapes) for name, shapes, *_ in layers if shapes]


@pytest.mark.parametrize("name", sorted(STRUCTURES))
def test_layers_weights_and_parameters_match_keras(name):
    expected = STRUCTURES[name]
    kwargs = dict(expected["kwargs"])
    if "input_shape" in kwargs:
        kwargs["input_shape"] = tuple(kwargs["input_shape"])
    keras.backend.clear_session()  # automatic names numbered from zero, as in the fixture
    model = getattr(keras.applications, name)(**kwargs)
    ours = [[layer.name, [list(w.shape) for w in layer.weights], type(layer).__name__]
            for layer in model.layers]
    assert weighted_layers(ours) == weighted_layers(expected["layers"])
    assert model.count_params() == expected["params"]
    assert [row[0] for row in ours] == [row[0] for row in expected["layers"]]
    assert [row[2] for row in ours] == [row[2] for row in expected["layers"]]


@pytest.mark.parametrize("fixture, build", [
    ("mobilenet_small", lambda: keras.applications.MobileNet(
        alpha=0.25, include_top=True, weights=None, input_shape=(32, 32, 3), classes=7)),
    ("mobilenet_v2_small", lambda: keras.applications.MobileNetV2(
        alpha=0.35, include_top=False, weights=None, input_shape=(32, 32, 3), pooling="avg")),
])
def test_predictions_from_keras_weights_match(fixture, build):
    pytest.importorskip("h5py")
    model = build()
    model.load_weights(os.path.join(HERE, f"{fixture}.weights.h5"))
    data = np.load(os.path.join(HERE, f"{fixture}.npz"))
    got = model.predict(data["x"], verbose=0)
    np.testing.assert_allclose(got, data["y"], rtol=1e-4, atol=1e-5)


def test_weights_path_loads_a_local_file(tmp_path):
    pytest.importorskip("h5py")
    model = keras.applications.MobileNetV2(alpha=0.35, include_top=False, weights=None,
                                           input_shape=(32, 32, 3), pooling="avg")
    model.load_weights(os.path.join(HERE, "mobilenet_v2_small.weights.h5"))
    path = str(tmp_path / "saved.weights.h5")
    model.save_weights(path)
    again = keras.applications.MobileNetV2(alpha=0.35, include_top=False, weights=path,
                                           input_shape=(32, 32, 3), pooling="avg")
    x = np.load(os.path.join(HERE, "mobilenet_v2_small.npz"))["x"]
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0))


def test_preprocess_input_modes():
    image = np.array([[[[0.0, 127.5, 255.0]]]], dtype="float32")
    np.testing.assert_allclose(keras.applications.mobilenet_v2.preprocess_input(image.copy()),
                               [[[[-1.0, 0.0, 1.0]]]])
    np.testing.assert_allclose(keras.applications.vgg16.preprocess_input(image.copy()),
                               [[[[255.0 - 103.939, 127.5 - 116.779, 0.0 - 123.68]]]],
                               rtol=1e-6)
    torch_mode = keras.applications.densenet.preprocess_input(image.copy())
    np.testing.assert_allclose(torch_mode[0, 0, 0, 0], (0.0 - 0.485) / 0.229, rtol=1e-6)


def test_bad_arguments_get_keras_errors(tmp_path):
    with pytest.raises(ValueError, match="`weights` argument"):
        keras.applications.VGG16(weights="no/such/file.h5")
    with pytest.raises(ValueError, match="classes` should be 1000"):
        keras.applications.ResNet50(weights="imagenet", classes=10)
    with pytest.raises(ValueError, match="at least 32x32"):
        keras.applications.VGG16(weights=None, include_top=False, input_shape=(16, 16, 3))
    with pytest.raises(ValueError, match=r"shape \(samples, 1000\)"):
        keras.applications.resnet.decode_predictions(np.zeros((2, 10)))


def test_imagenet_weights_offline_name_the_url(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    from fluxion.keras.utils import file_utils

    def offline(*args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(file_utils.urllib.request, "urlopen", offline, raising=False)
    with pytest.raises(Exception, match="resnet50_weights_tf_dim_ordering_tf_kernels_notop"):
        keras.applications.ResNet50(weights="imagenet", include_top=False,
                                    input_shape=(64, 64, 3))


REAL_KERAS_CASES = [
    ("Xception", dict(include_top=False, input_shape=(71, 71, 3), pooling="avg")),
    ("InceptionV3", dict(include_top=True, input_shape=(75, 75, 3), classes=5,
                         classifier_activation=None)),
    ("InceptionResNetV2", dict(include_top=False, input_shape=(75, 75, 3), pooling="max")),
    ("MobileNetV3Small", dict(include_top=True, input_shape=(64, 64, 3), classes=6,
                              alpha=0.75)),
    ("MobileNetV3Large", dict(include_top=False, input_shape=(64, 64, 3), pooling="avg",
                              minimalistic=True)),
    ("EfficientNetB0", dict(include_top=True, input_shape=(48, 48, 3), classes=4)),
    # (deeper EfficientNets with random weights amplify float rounding past 1e-4)
    ("EfficientNetV2B0", dict(include_top=True, input_shape=(48, 48, 3), classes=4)),
    ("ConvNeXtTiny", dict(include_top=True, input_shape=(64, 64, 3), classes=4)),
    ("NASNetMobile", dict(include_top=True, input_shape=(64, 64, 3), classes=4)),
]


@pytest.mark.parametrize("name, kwargs", REAL_KERAS_CASES)
def test_predictions_match_real_keras_weight_files(name, kwargs, tmp_path):
    """Models too big for committed fixtures: Keras (when installed) writes seeded random
    weights in both of its formats, and Fluxion loads each and predicts the same."""
    legacy_h5_format = pytest.importorskip("keras.src.legacy.saving.legacy_h5_format")
    h5py = pytest.importorskip("h5py")
    import keras as real_keras

    real_keras.utils.set_random_seed(1)
    reference = getattr(real_keras.applications, name)(weights=None, **kwargs)
    rng = np.random.default_rng(0)
    for weight in reference.weights:
        if "moving_variance" in weight.path:
            weight.assign(rng.uniform(0.5, 1.5, weight.shape).astype("float32"))
        elif "moving_mean" in weight.path or "beta" in weight.path:
            weight.assign(rng.uniform(-0.2, 0.2, weight.shape).astype("float32"))
    x = rng.uniform(-1, 1, (2,) + kwargs["input_shape"]).astype("float32")
    expected = reference.predict(x, verbose=0)
    reference.save_weights(str(tmp_path / "w.weights.h5"))
    with h5py.File(tmp_path / "w.h5", "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, reference)
    for path in (tmp_path / "w.weights.h5", tmp_path / "w.h5"):
        keras.backend.clear_session()
        model = getattr(keras.applications, name)(weights=str(path), **kwargs)
        np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-4,
                                   atol=1e-5)


def test_custom_scale_layer_adds_the_scaled_residual_and_round_trips():
    from fluxion.keras.applications.inception_resnet_v2 import CustomScaleLayer

    layer = CustomScaleLayer(0.17, name="scale")
    a, b = np.ones((1, 2), "float32"), np.full((1, 2), 2.0, "float32")
    np.testing.assert_allclose(layer([a, b]), a + 0.17 * b)
    config = keras.layers.serialize(layer)
    again = keras.layers.deserialize(config)
    assert isinstance(again, CustomScaleLayer) and again.scale == 0.17
