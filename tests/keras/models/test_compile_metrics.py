"""``compile(metrics=..., weighted_metrics=...)``: names and values as Keras 3 gives them."""

import numpy as np

from fluxion import keras


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3)).astype("float32")
    y = (rng.random(40) > 0.5).astype("float32")
    weights = rng.random(40).astype("float32")
    return x, y, weights


def _binary(**compile_kwargs):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.SGD(0.0), "binary_crossentropy", **compile_kwargs)
    return model


def test_same_metric_plain_and_weighted_gives_accuracy_and_weighted_accuracy():
    x, y, weights = _data()
    model = _binary(metrics=["accuracy"], weighted_metrics=["accuracy"])
    history = model.fit(x, y, sample_weight=weights, batch_size=40, verbose=0).history
    assert set(history) == {"loss", "accuracy", "weighted_accuracy"}
    correct = ((model.predict(x, verbose=0)[:, 0] > 0.5) == y).astype("float64")
    np.testing.assert_allclose(history["accuracy"], [correct.mean()], rtol=1e-5)
    np.testing.assert_allclose(history["weighted_accuracy"],
                               [np.sum(weights * correct) / np.sum(weights)], rtol=1e-5)


def test_weighted_only_metric_keeps_its_name_and_mixed_lists_rename_only_clashes():
    x, y, weights = _data()
    only = _binary(weighted_metrics=["accuracy"]).fit(x, y, sample_weight=weights,
                                                       verbose=0).history
    assert set(only) == {"loss", "accuracy"}
    mixed = _binary(metrics=["mae"], weighted_metrics=["mae", "mse"]).fit(
        x, y, sample_weight=weights, verbose=0).history
    assert set(mixed) == {"loss", "mae", "weighted_mae", "mse"}


def test_one_metric_object_in_both_lists_gets_a_weighted_twin():
    x, y, weights = _data()
    metric = keras.metrics.MeanAbsoluteError(name="m")
    model = _binary(metrics=[metric], weighted_metrics=[metric])
    history = model.fit(x, y, sample_weight=weights, batch_size=40, verbose=0).history
    assert set(history) == {"loss", "m", "weighted_m"} and metric.name == "m"
    error = np.abs(model.predict(x, verbose=0)[:, 0] - y)
    np.testing.assert_allclose(history["m"], [error.mean()], rtol=1e-5)
    np.testing.assert_allclose(history["weighted_m"],
                               [np.sum(weights * error) / np.sum(weights)], rtol=1e-5)


def test_multi_output_names_and_metrics_listed_from_compile_on():
    inputs = keras.Input((3,))
    model = keras.Model(inputs, [keras.layers.Dense(1, name="a")(inputs),
                                 keras.layers.Dense(2, name="b")(inputs)])
    model.compile("sgd", ["mse", "mse"], metrics=[["mae"], ["mae"]],
                  weighted_metrics=[["mae"], []])
    assert [m.name for m in model.metrics] == ["loss", "compile_metrics", "a_loss", "b_loss"]
    x, y, _ = _data()
    history = model.fit(x, [y, np.ones((40, 2))], verbose=0).history
    assert set(history) == {"loss", "a_loss", "b_loss", "a_mae", "a_weighted_mae", "b_mae"}
