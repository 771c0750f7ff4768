"""fluxion.train.CheckpointManager: numbering, pruning, the state file, intervals."""

import os

import pytest

import fluxion as tf
import fluxion.train as train
from fluxion.train import checkpoint_manager


def _files(directory):
    """The index files of the checkpoints in ``directory``; no data file left orphaned."""
    names = os.listdir(directory)
    indexes = sorted(name for name in names if name.endswith(".index"))
    orphans = [name for name in names if ".data-" in name
               and name.split(".data-")[0] + ".index" not in indexes]
    assert not orphans, orphans
    return indexes


def test_max_to_keep_prunes_the_oldest(tmp_path):
    v = tf.Variable(0.0)
    manager = train.CheckpointManager(train.Checkpoint(v=v), tmp_path, max_to_keep=2)
    assert manager.latest_checkpoint is None and manager.checkpoints == []
    paths = []
    for i in range(4):
        v.assign(float(i))
        paths.append(manager.save())
    assert paths == [str(tmp_path / f"ckpt-{i}") for i in range(1, 5)]
    assert manager.checkpoints == paths[2:]
    assert manager.latest_checkpoint == paths[-1] == train.latest_checkpoint(tmp_path)
    assert _files(tmp_path) == ["ckpt-3.index", "ckpt-4.index"]
    state = train.get_checkpoint_state(tmp_path)
    assert state.all_model_checkpoint_paths == paths[2:]
    assert len(state.all_model_checkpoint_timestamps) == 2

    # A new manager (a restarted program) picks the state up and keeps pruning.
    again = train.CheckpointManager(train.Checkpoint(v=v), tmp_path, max_to_keep=2)
    assert again.checkpoints == paths[2:] and again.latest_checkpoint == paths[-1]
    v.assign(-1.0)
    assert again.restore_or_initialize() == paths[-1] and float(v) == 3.0
    again.save(checkpoint_number=10)
    assert _files(tmp_path) == ["ckpt-10.index", "ckpt-4.index"]


def test_max_to_keep_none_keeps_all_and_custom_names(tmp_path):
    manager = train.CheckpointManager(train.Checkpoint(v=tf.Variable(1)), tmp_path,
                                      max_to_keep=None, checkpoint_name="model")
    for _ in range(3):
        manager.save()
    assert _files(tmp_path) == ["model-1.index", "model-2.index", "model-3.index"]
    assert manager.directory == str(tmp_path) and manager.checkpoint is not None


def test_keep_checkpoint_every_n_hours(tmp_path, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(checkpoint_manager, "_clock", lambda: clock[0])
    manager = train.CheckpointManager(train.Checkpoint(v=tf.Variable(1)), tmp_path,
                                      max_to_keep=1, keep_checkpoint_every_n_hours=1)
    for _ in range(8):  # one save every 20 minutes, from t=1000 s
        manager.save()
        clock[0] += 1200.0
    # Kept: the latest, plus among those pruned one an hour: ckpt-4 (t=4600), the first an
    # hour after the manager started, then ckpt-7 (t=8200), an hour after that.
    assert _files(tmp_path) == ["ckpt-4.index", "ckpt-7.index", "ckpt-8.index"]
    assert manager.checkpoints == [str(tmp_path / "ckpt-8")]


def test_checkpoint_interval(tmp_path):
    step = tf.Variable(0, dtype=tf.int64)
    manager = train.CheckpointManager(train.Checkpoint(step=step), tmp_path, max_to_keep=None,
                                      step_counter=step, checkpoint_interval=10)
    saved = []
    for value in (0, 5, 10, 10, 15, 25):
        step.assign(value)
        saved.append(manager.save() is not None)
    assert saved == [True, False, True, False, False, True]
    step.assign(27)
    assert manager.save(check_interval=False) is not None
    assert manager.save(check_interval=False) is None  # same step: never twice
    assert manager.checkpoint_interval == 10


def test_restore_or_initialize_calls_init_fn(tmp_path):
    calls = []
    manager = train.CheckpointManager(train.Checkpoint(v=tf.Variable(1)), tmp_path / "empty",
                                      max_to_keep=1, init_fn=lambda: calls.append(1))
    assert manager.restore_or_initialize() is None and calls == [1]


def test_bad_arguments(tmp_path):
    ckpt = train.Checkpoint(v=tf.Variable(1))
    with pytest.raises(ValueError, match="positive integer or `None` for `max_to_keep`"):
        train.CheckpointManager(ckpt, tmp_path, max_to_keep=0)
    with pytest.raises(ValueError, match="`step_counter` should be passed"):
        train.CheckpointManager(ckpt, tmp_path, max_to_keep=1, checkpoint_interval=5)
    with pytest.raises(TypeError, match="expects a fluxion.train.Checkpoint"):
        train.CheckpointManager(tf.Variable(1), tmp_path, max_to_keep=1)


def test_state_file_with_escapes_and_absolute_paths(tmp_path):
    odd = str(tmp_path / 'we"ird\\name-1')
    train.update_checkpoint_state(tmp_path, odd, all_model_checkpoint_paths=["/elsewhere/c-1"])
    state = train.get_checkpoint_state(tmp_path)
    assert state.model_checkpoint_path == odd
    assert state.all_model_checkpoint_paths == ["/elsewhere/c-1", odd]
    assert train.latest_checkpoint(tmp_path) is None  # the file it names does not exist
    (tmp_path / "checkpoint").write_text("model_checkpoint_path: oops\n")
    with pytest.raises(tf.errors.DataLossError, match="Cannot parse line 1"):
        train.get_checkpoint_state(tmp_path)
