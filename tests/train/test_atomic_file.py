"""fluxion.core.atomic_file: a file is its old version or its new one, never a mix."""

import hashlib
import os
import random
import signal
import struct
import sys
import time

import pytest

from fluxion.core import atomic_file

posix_only = pytest.mark.skipif(sys.platform == "win32" or not hasattr(os, "fork"),
                                reason="kills forked processes")


def test_write_bytes_and_text(tmp_path):
    path = tmp_path / "a.bin"
    atomic_file.write_bytes(path, b"one")
    assert path.read_bytes() == b"one"
    atomic_file.write_bytes(path, b"two")
    assert path.read_bytes() == b"two"
    atomic_file.write_text(tmp_path / "a.txt", "héllo\n")
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "héllo\n"
    assert sorted(os.listdir(tmp_path)) == ["a.bin", "a.txt"]  # no temporaries left


def test_a_failing_write_leaves_the_old_file(tmp_path):
    path = tmp_path / "a.bin"
    atomic_file.write_bytes(path, b"old")
    with pytest.raises(RuntimeError), atomic_file.atomic_write(path) as fileobj:
        fileobj.write(b"half of the new")
        raise RuntimeError("killed")
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["a.bin"]


def test_atomic_path_for_writers_that_open_by_name(tmp_path):
    path = tmp_path / "w.h5"
    with atomic_file.atomic_path(path) as temp:
        assert os.path.dirname(temp) == str(tmp_path)
        with open(temp, "wb") as fileobj:
            fileobj.write(b"data")
        assert not path.exists()
    assert path.read_bytes() == b"data"
    with pytest.raises(FileNotFoundError, match="Nothing was written"), \
            atomic_file.atomic_path(tmp_path / "never.h5"):
        pass


def test_new_files_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_file.write_bytes(tmp_path / "f", b"x")
    finally:
        os.umask(old)
    assert (tmp_path / "f").stat().st_mode & 0o777 == 0o644


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="mode must be 'w' or 'wb'"), \
            atomic_file.atomic_write(tmp_path / "f", "ab"):
        pass
    with pytest.raises(IsADirectoryError, match="a directory of that name exists"):
        atomic_file.write_bytes(tmp_path, b"x")


@posix_only
def test_stale_temporaries_of_dead_writers_are_removed(tmp_path):
    path = tmp_path / "f.bin"
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)  # a process id that no longer runs
    dead = tmp_path / f"f.bin{atomic_file.TEMP_MARK}{pid}-deadbeef"
    live = tmp_path / f"f.bin{atomic_file.TEMP_MARK}{os.getpid()}-cafecafe"
    dead.write_bytes(b"junk")
    live.write_bytes(b"junk")
    atomic_file.write_bytes(path, b"new")
    assert not dead.exists() and live.exists()


def _payload(version: int) -> bytes:
    body = struct.pack("<Q", version) * (1 << 17)  # 1 MiB
    return body + hashlib.sha256(body).digest()


def _check_payload(data: bytes) -> int:
    body, digest = data[:-32], data[-32:]
    assert len(body) == 8 << 17, f"truncated file: {len(data)} bytes"
    assert hashlib.sha256(body).digest() == digest, "corrupt file"
    return struct.unpack("<Q", body[:8])[0]


def kill_repeatedly(work, check, kills: int = 30, max_delay: float = 0.04, seed: int = 0):
    """Forks ``work(i)`` (a save loop) ``kills`` times, SIGKILLs it after a random delay,
    then calls ``check(i)``."""
    rng = random.Random(seed)
    for i in range(kills):
        pid = os.fork()
        if pid == 0:  # the child: save until killed
            try:
                work(i)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.0, max_delay))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        check(i)


@posix_only
def test_killed_writers_never_leave_a_corrupt_file(tmp_path):
    path = tmp_path / "data.bin"
    atomic_file.write_bytes(path, _payload(0))
    seen, killed_mid_write = [0], [0]

    def work(i):
        version = (i + 1) * 1000
        while True:
            version += 1
            atomic_file.write_bytes(path, _payload(version))

    def check(i):
        if any(atomic_file.TEMP_MARK in name for name in os.listdir(tmp_path)):
            killed_mid_write[0] += 1
        version = _check_payload(path.read_bytes())
        assert version >= seen[0]
        seen[0] = version

    kill_repeatedly(work, check)
    assert seen[0] > 0  # some saves completed
    assert killed_mid_write[0] >= 3  # and many kills landed in the middle of a write
    atomic_file.write_bytes(path, _payload(1))  # cleans the temporaries of killed writers
    assert [n for n in os.listdir(tmp_path) if atomic_file.TEMP_MARK in n] == []
