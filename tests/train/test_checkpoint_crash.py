"""Kill tests: a process SIGKILLed at random moments while it saves checkpoints leaves the
latest checkpoint loadable, old or new, never corrupt."""

import os
import random
import signal
import sys
import time

import numpy as np
import pytest

import fluxion as tf
import fluxion.train as train
from fluxion.core import atomic_file

pytestmark = pytest.mark.skipif(sys.platform == "win32" or not hasattr(os, "fork"),
                                reason="kills forked processes")

SIZE = 250_000  # 1 MB of float32: a save takes long enough to be killed in the middle


_progress = [None]  # the write end of a pipe: a byte after each completed save


def _kill_repeatedly(work, check, kills: int = 30, max_delay: float = 0.05):
    """Forks ``work(i)`` (a save loop), SIGKILLs it at a random moment, ``check(i)``.

    The parent waits (bounded) until the child has completed one save, then kills it
    after a random delay of up to ``max_delay / 0.02`` times that first save's duration:
    on a busy machine the kills still land among the saves.
    """
    rng = random.Random(1234)
    for i in range(kills):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_end)
            _progress[0] = write_end
            try:
                work(i)
            finally:
                os._exit(0)
        os.close(write_end)
        started = time.monotonic()
        _wait_readable(read_end, 30.0)
        first_save = max(time.monotonic() - started, 0.01)
        time.sleep(rng.uniform(0.0, max_delay / 0.02 * first_save))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read_end)
        check(i)


def _wait_readable(fd: int, timeout: float) -> None:
    import select

    select.select([fd], [], [], timeout)


def _state():
    return tf.Variable(np.zeros(SIZE, np.float32)), tf.Variable(0, dtype=tf.int64)


def _saving_loop(save, values, step, first_version):
    version = first_version
    while True:
        version += 1
        values.assign(np.full(SIZE, version, np.float32))
        step.assign(version)
        save()
        if _progress[0] is not None:
            os.write(_progress[0], b".")


def _load_and_check(path, seen):
    values, step = _state()
    train.Checkpoint(values=values, step=step).restore(path).assert_consumed()
    version = int(step)
    assert (values.numpy() == version).all(), "values from two different saves"
    assert version >= seen[0], "an older checkpoint came back"
    seen[0] = version


def test_manager_saves_killed_at_random_points(tmp_path):
    seen = [0]

    def work(i):  # a training program restarted after each kill: it resumes, then saves
        values, step = _state()
        manager = train.CheckpointManager(train.Checkpoint(values=values, step=step), tmp_path,
                                          max_to_keep=2)
        manager.restore_or_initialize()  # also restores save_counter: numbering goes on
        _saving_loop(manager.save, values, step, int(step))

    def check(i):
        latest = train.latest_checkpoint(tmp_path)
        if latest is None:
            assert seen[0] == 0, "the latest checkpoint vanished"
            return
        _load_and_check(latest, seen)

    _kill_repeatedly(work, check, max_delay=0.3)  # a managed save takes five fsyncs
    assert seen[0] > 0
    # One more restart that is not killed: the directory is tidy again.
    values, step = _state()
    manager = train.CheckpointManager(train.Checkpoint(values=values, step=step), tmp_path,
                                      max_to_keep=2)
    manager.restore_or_initialize()
    assert int(step) == seen[0]
    manager.save()
    assert train.get_checkpoint_state(tmp_path).all_model_checkpoint_paths == \
        manager.checkpoints
    assert sorted(n for n in os.listdir(tmp_path) if n.endswith(".index")) == \
        sorted(os.path.basename(p) + ".index" for p in manager.checkpoints)
    assert len(manager.checkpoints) == 2


def test_overwriting_one_checkpoint_killed_at_random_points(tmp_path):
    prefix = str(tmp_path / "backup")
    values, step = _state()
    train.Checkpoint(values=values, step=step).write(prefix)
    seen, killed_mid_write = [0], [0]

    def work(i):
        values, step = _state()
        ckpt = train.Checkpoint(values=values, step=step)
        _saving_loop(lambda: ckpt.write(prefix), values, step, (i + 1) * 100_000)

    def check(i):
        if any(atomic_file.TEMP_MARK in name for name in os.listdir(tmp_path)):
            killed_mid_write[0] += 1
        _load_and_check(prefix, seen)

    # A TF-format save syncs three times (data file, index, folder): give it time to end.
    _kill_repeatedly(work, check, max_delay=0.15)
    assert seen[0] > 0 and killed_mid_write[0] >= 1  # some kills landed mid-write


def test_a_crash_just_before_the_rename_keeps_the_old_checkpoint(tmp_path):
    prefix = str(tmp_path / "c")
    values, step = _state()
    step.assign(1)
    values.assign(np.ones(SIZE, np.float32))
    train.Checkpoint(values=values, step=step).write(prefix)
    pid = os.fork()
    if pid == 0:
        try:
            def die(*args):
                os.kill(os.getpid(), signal.SIGKILL)

            atomic_file.os.replace = die  # the new file is complete, not yet in place
            step.assign(2)
            values.assign(np.full(SIZE, 2, np.float32))
            train.Checkpoint(values=values, step=step).write(prefix)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    seen = [0]
    _load_and_check(prefix, seen)
    assert seen[0] == 1
