"""keras.callbacks.TensorBoard: the same runs, tags and steps as Keras 3's callback."""

import os

import numpy as np
import pytest
from event_reading import read_run

from fluxion import keras

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "keras_logs")


def fit_like_the_fixture(log_dir, **options):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)),
                              keras.layers.Dense(3, activation="relu", name="d1"),
                              keras.layers.Dense(2, name="d2")])
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    x = np.random.default_rng(0).random((64, 4)).astype("float32")
    y = (x.sum(axis=1) > 2).astype("int32")
    settings = dict(histogram_freq=1, update_freq="batch", write_images=True,
                    write_steps_per_second=True)
    settings.update(options)
    callback = keras.callbacks.TensorBoard(log_dir, **settings)
    history = model.fit(x, y, epochs=2, batch_size=16, validation_data=(x, y),
                        callbacks=[callback], verbose=0)
    return model, history


def layout(records, model_name="sequential"):
    """Tag -> (steps, dtype, shape, plugin); the model's name (numbered per process, as
    in Keras) is written as Keras's first one, ``sequential``."""
    return {tag.replace(f"{model_name}/", "sequential/", 1): ([step for step, _, _ in rows], rows[0][1].dtype, rows[0][1].shape, rows[0][2])
            for tag, rows in records.items() if tag != "__graph__"}


def test_runs_tags_steps_and_kinds_match_keras(tmp_path):
    model, _ = fit_like_the_fixture(str(tmp_path))
    for run in ("train", "validation"):
        ours = layout(read_run(str(tmp_path / run)), model.name)
        theirs = layout(read_run(os.path.join(FIXTURES, run)))
        assert sorted(ours) == sorted(theirs), run
        for tag in theirs:
            if tag == "keras":  # the model config: same kind, Fluxion's own JSON
                assert ours[tag][0] == theirs[tag][0] and ours[tag][3] == theirs[tag][3]
                continue
            assert ours[tag] == theirs[tag], (run, tag)


def test_logged_values_are_the_history(tmp_path):
    _, history = fit_like_the_fixture(str(tmp_path), histogram_freq=0, update_freq="epoch")
    train = read_run(str(tmp_path / "train"))
    validation = read_run(str(tmp_path / "validation"))
    np.testing.assert_allclose([float(v) for _, v, _ in train["epoch_loss"]],
                               history.history["loss"], rtol=1e-6)
    np.testing.assert_allclose([float(v) for _, v, _ in validation["epoch_accuracy"]],
                               history.history["val_accuracy"], rtol=1e-6)
    np.testing.assert_allclose([float(v) for _, v, _ in train["epoch_learning_rate"]],
                               [0.001, 0.001], rtol=1e-6)
    assert not any(tag.startswith("batch_") for tag in train)


def test_update_freq_every_n_steps(tmp_path):
    fit_like_the_fixture(str(tmp_path), update_freq=3, histogram_freq=0)
    train = read_run(str(tmp_path / "train"))
    assert [s for s, _, _ in train["batch_loss"]] == [3, 6]


def test_weight_histograms_hold_the_trained_weights(tmp_path):
    model, _ = fit_like_the_fixture(str(tmp_path), update_freq="epoch")
    train = read_run(str(tmp_path / "train"))
    kernel = model.get_layer("d1").kernel.numpy()
    _, buckets, plugin = train[f"{model.name}/d1/kernel/histogram"][-1]
    assert plugin == "histograms" and buckets[:, 2].sum() == kernel.size
    assert buckets[0, 0] == pytest.approx(kernel.min()) and buckets[-1, 1] == \
        pytest.approx(kernel.max())


def test_the_graph_of_the_training_step_is_written_grouped_by_layer(tmp_path):
    model, _ = fit_like_the_fixture(str(tmp_path), histogram_freq=0)
    (graph_def,) = read_run(str(tmp_path / "train"))["__graph__"]
    names = [node.name for node in graph_def.node]
    assert any(name.startswith(f"{model.name}/d1/") for name in names)
    assert any(name.startswith(f"{model.name}/d2/") for name in names)
    matmuls = [n for n in graph_def.node if n.op == "matmul"]
    assert matmuls and all("_output_shapes" in n.attr for n in matmuls)
    for node in graph_def.node:
        for source in node.input:
            assert source.split(":")[0] in names, source


def test_hparams_callback_writes_a_session(tmp_path):
    from tensorboard.plugins.hparams import metadata

    log_dir = str(tmp_path)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(np.ones((8, 2)), np.ones((8, 1)), epochs=1, verbose=0, callbacks=[
        keras.callbacks.TensorBoard(log_dir),
        keras.callbacks.HParamsCallback(log_dir, {"units": 1, "optimizer": "sgd"},
                                        trial_id="run-1")])
    records = read_run(log_dir)
    start = records[metadata.SESSION_START_INFO_TAG]
    end = records[metadata.SESSION_END_INFO_TAG]
    assert start[0][2] == "hparams" and end[0][2] == "hparams"
    from event_reading import first_event  # noqa: F401 - the file opens as TF's do
    assert "epoch_loss" in read_run(os.path.join(log_dir, "train"))


def test_bad_update_freq_is_refused(tmp_path):
    with pytest.raises(ValueError, match="update_freq"):
        keras.callbacks.TensorBoard(str(tmp_path), update_freq="sometimes")
