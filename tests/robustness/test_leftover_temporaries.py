"""Temporaries of killed saves are cleaned by the next save into the same directory."""

import os
import subprocess
import sys

import numpy as np

import fluxion as tf
from fluxion.core.atomic_file import TEMP_MARK


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_numbered_checkpoint_leftovers_are_removed_by_the_next_save(tmp_path):
    checkpoint = tf.train.Checkpoint(v=tf.Variable(np.ones(3, np.float32)))
    manager = tf.train.CheckpointManager(checkpoint, str(tmp_path), max_to_keep=2)
    manager.save()
    leftover = tmp_path / f"ckpt-2.fxckpt{TEMP_MARK}{dead_pid()}-0badf00d"
    leftover.write_bytes(b"\0" * 4096)  # what a save killed mid-write leaves
    ours = tmp_path / f"ckpt-9.fxckpt{TEMP_MARK}{os.getpid()}-0000beef"
    ours.write_bytes(b"in progress")  # a live writer's temporary is kept
    manager.save()
    assert not leftover.exists()
    assert ours.exists()
    names = sorted(n for n in os.listdir(tmp_path) if TEMP_MARK not in n)
    assert "checkpoint" in names
    assert {n.split(".")[0] for n in names if n != "checkpoint"} == {"ckpt-1", "ckpt-2"}


def test_killed_save_then_resave_leaves_no_temporaries(tmp_path):
    code = f"""
import os, signal, numpy as np
import fluxion as tf
from fluxion.core import atomic_file
original = atomic_file._fsync_file
def die(path):
    os.kill(os.getpid(), signal.SIGKILL)
atomic_file._fsync_file = die
checkpoint = tf.train.Checkpoint(v=tf.Variable(np.ones(100000, np.float32)))
checkpoint.write({str(tmp_path / 'ckpt-1')!r})
"""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    child = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=root),
                           capture_output=True, timeout=120)
    assert child.returncode == -9
    assert any(TEMP_MARK in name for name in os.listdir(tmp_path))
    tf.train.Checkpoint(v=tf.Variable(np.ones(3, np.float32))).write(str(tmp_path / "ckpt-2"))
    assert not any(TEMP_MARK in name for name in os.listdir(tmp_path))
