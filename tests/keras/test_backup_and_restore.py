"""keras.callbacks.BackupAndRestore: an interrupted fit resumes and ends where an
uninterrupted one ends, to the bit."""

import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from fluxion import keras
from fluxion.errors import DataLossError

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _data():
    rng = np.random.default_rng(0)
    x = rng.random((60, 5), dtype=np.float32)
    return x, (x @ rng.random((5, 2))).astype("float32")


def _model():
    keras.utils.set_random_seed(7)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dropout(0.3), keras.layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    return model


def _state(model):
    return [w.numpy() for w in model.weights] + [v.numpy() for v in model.optimizer.variables]


class Interrupt(keras.callbacks.Callback):
    """Raises at (epoch, batch), or as ``epoch`` begins (batch None), as a crash would."""

    def __init__(self, epoch, batch):
        super().__init__()
        self.at = (epoch, batch)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
        if self.at == (epoch, None):
            raise RuntimeError("Interrupting!")

    def on_train_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == self.at:
            raise RuntimeError("Interrupting!")


def _fit(model, callbacks, epochs=4):
    x, y = _data()
    return model.fit(x, y, batch_size=8, epochs=epochs, verbose=0, callbacks=callbacks,
                     shuffle=True)


def _reference():
    model = _model()
    _fit(model, [])
    return _state(model)


@pytest.mark.parametrize("save_freq, stop, resumed_epochs", [
    (3, (1, 4), 3),        # mid-epoch, in epoch 1, two batches after the last backup
    (2, (1, 7), 3),        # the epoch's last batch, before on_epoch_end: redone from (1, 6)
    (2, (2, None), 2),     # between epochs: the backup after epoch 1's end
    ("epoch", (2, 3), 2),
])
def test_resumed_fit_equals_an_uninterrupted_one(tmp_path, save_freq, stop, resumed_epochs):
    expected = _reference()
    backup = str(tmp_path / "backup")
    first = _model()
    with pytest.raises(RuntimeError, match="Interrupting"):
        _fit(first, [keras.callbacks.BackupAndRestore(backup, save_freq=save_freq),
                     Interrupt(*stop)])
    assert os.path.isdir(backup)
    second = _model()  # a new program: same seed, same model, fresh state
    history = _fit(second, [keras.callbacks.BackupAndRestore(backup, save_freq=save_freq)])
    for a, b in zip(expected, _state(second)):
        np.testing.assert_array_equal(a, b)
    assert len(history.history["loss"]) == resumed_epochs
    assert not os.path.exists(backup)  # deleted at the end (delete_checkpoint=True)


def test_without_interruption_and_keep_the_backup(tmp_path):
    expected = _reference()
    model = _model()
    callback = keras.callbacks.BackupAndRestore(tmp_path / "b", save_freq=4,
                                                delete_checkpoint=False)
    history = _fit(model, [callback])
    assert len(history.history["loss"]) == 4
    for a, b in zip(expected, _state(model)):
        np.testing.assert_array_equal(a, b)
    assert _indexes(tmp_path / "b") == ["latest.index"]
    again = _model()  # everything was done: nothing left to train
    assert _fit(again, [keras.callbacks.BackupAndRestore(tmp_path / "b")]).history == {}
    for a, b in zip(expected, _state(again)):
        np.testing.assert_array_equal(a, b)


def _indexes(folder):
    return sorted(name for name in os.listdir(folder) if name.endswith(".index"))


def test_double_checkpoint_falls_back_to_the_previous_backup(tmp_path):
    backup = tmp_path / "b"
    with pytest.raises(RuntimeError):
        _fit(_model(), [keras.callbacks.BackupAndRestore(backup, save_freq=2,
                                                         double_checkpoint=True),
                        Interrupt(1, 5)])
    assert _indexes(backup) == ["latest.index", "previous.index"]
    latest = backup / "latest.index"
    latest.write_bytes(latest.read_bytes()[:100])  # the latest backup is damaged
    model = _model()
    _fit(model, [keras.callbacks.BackupAndRestore(backup, save_freq=2,
                                                  double_checkpoint=True)])
    for a, b in zip(_reference(), _state(model)):
        np.testing.assert_array_equal(a, b)


def test_a_damaged_backup_is_an_error_not_a_silent_restart(tmp_path):
    backup = tmp_path / "b"
    with pytest.raises(RuntimeError):
        _fit(_model(), [keras.callbacks.BackupAndRestore(backup, save_freq=2),
                        Interrupt(0, 4)])
    latest = backup / "latest.index"
    latest.write_bytes(latest.read_bytes()[:-10])
    model = _model()
    before = _state(model)
    with pytest.raises(DataLossError, match="truncated or corrupt"):
        _fit(model, [keras.callbacks.BackupAndRestore(backup, save_freq=2)])
    for a, b in zip(before, _state(model)):
        np.testing.assert_array_equal(a, b)


def test_arguments_and_unbuilt_models(tmp_path):
    with pytest.raises(ValueError, match="Empty `backup_dir` argument passed"):
        keras.callbacks.BackupAndRestore("")
    with pytest.raises(ValueError, match="Invalid value for argument `save_freq`"):
        keras.callbacks.BackupAndRestore(tmp_path, save_freq="batch")
    model = keras.Sequential([keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = _data()
    with pytest.raises(ValueError, match="you model must be built before you call `fit"):
        model.fit(x, y, verbose=0, callbacks=[keras.callbacks.BackupAndRestore(tmp_path)])


# --- a real crash: SIGKILL, then the same program started again -------------------------------
SCRIPT = textwrap.dedent("""
    import sys
    import numpy as np
    from fluxion import keras

    backup, out = sys.argv[1], sys.argv[2]
    keras.utils.set_random_seed(3)
    x = np.random.rand(96, 6).astype("float32")
    y = (x @ np.random.rand(6, 3)).astype("float32")
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dropout(0.25), keras.layers.Dense(3)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")

    class Progress(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            print("batch", flush=True)

    callbacks = [Progress()]
    if backup != "-":
        callbacks.insert(0, keras.callbacks.BackupAndRestore(backup, save_freq=2))
    model.fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=callbacks)
    np.savez(out, *[w.numpy() for w in model.weights],
             *[v.numpy() for v in model.optimizer.variables])
    print("done", flush=True)
""")


def _run(script, *args, kill_after=None):
    """Runs the script; with ``kill_after``, SIGKILLs it after that many batches."""
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    process = subprocess.Popen([sys.executable, str(script), *map(str, args)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    batches = 0
    for line in process.stdout:
        batches += line.startswith("batch")
        if kill_after is not None and batches >= kill_after:
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=60)
    if kill_after is None:
        assert process.returncode == 0, process.stderr.read()
    else:
        assert process.returncode == -signal.SIGKILL
    process.stdout.close()
    process.stderr.close()
    return batches


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_sigkilled_fit_started_again_ends_with_the_same_weights(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    assert _run(script, "-", tmp_path / "uninterrupted.npz") == 36  # 3 epochs of 12 batches
    backup = tmp_path / "backup"
    _run(script, backup, tmp_path / "never.npz", kill_after=5)   # mid-epoch 0
    assert os.path.exists(backup / "latest.index")
    _run(script, backup, tmp_path / "never.npz", kill_after=11)  # in epoch 1 or 2
    last_run = _run(script, backup, tmp_path / "resumed.npz")
    assert last_run <= 36 - 5 - 11 + 4  # it resumed (a backup every 2 batches, 2 runs killed)
    expected, resumed = np.load(tmp_path / "uninterrupted.npz"), np.load(tmp_path / "resumed.npz")
    assert expected.files == resumed.files
    for name in expected.files:
        np.testing.assert_array_equal(expected[name], resumed[name])
    assert not os.path.exists(backup)
    assert not os.path.exists(tmp_path / "never.npz")


def test_a_foreign_checkpoint_in_the_backup_dir(tmp_path):
    import fluxion.train as train

    model = _model()
    train.Checkpoint(model=model).write(tmp_path / "latest")
    with pytest.raises(DataLossError, match="BackupAndRestore did not write"):
        _fit(model, [keras.callbacks.BackupAndRestore(tmp_path)])


def _dataset_pipeline():
    import fluxion as tf

    x, y = _data()
    return tf.data.Dataset.from_tensor_slices((x, y)).shuffle(60, seed=3).batch(8)


@pytest.mark.parametrize("save_freq, stop", [(3, (1, 4)), (2, (2, 5)), ("epoch", (2, 3)),
                                             (2, (3, None)), (4, (1, 1)), (1, (2, 0))])
def test_resumed_fit_on_a_shuffled_dataset_equals_an_uninterrupted_one(tmp_path, save_freq,
                                                                       stop):
    """The pipeline's reshuffling state is in the backup: the resumed epochs see the
    batches the interrupted run would have seen."""
    expected_model = _model()
    expected_model.fit(_dataset_pipeline(), epochs=4, verbose=0)
    backup = str(tmp_path / "backup")
    first = _model()
    with pytest.raises(RuntimeError, match="Interrupting"):
        first.fit(_dataset_pipeline(), epochs=4, verbose=0, callbacks=[
            keras.callbacks.BackupAndRestore(backup, save_freq=save_freq), Interrupt(*stop)])
    second = _model()
    second.fit(_dataset_pipeline(), epochs=4, verbose=0,
               callbacks=[keras.callbacks.BackupAndRestore(backup, save_freq=save_freq)])
    for a, b in zip(_state(expected_model), _state(second)):
        np.testing.assert_array_equal(a, b)
