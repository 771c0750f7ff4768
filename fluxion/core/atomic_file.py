"""Atomic file writes: a file is either its old version or its new one, never a mix.

Every save in Fluxion goes through here.  The new content is written to a temporary
file in the *same directory* (so the final rename never crosses file systems), flushed
and ``fsync``-ed, then moved over the target with ``os.replace`` (one atomic rename),
and the directory itself is ``fsync``-ed so that the rename survives a power cut.  A
process killed at any moment leaves the old file in place, plus at worst a temporary
named ``<target>.fluxion-tmp-<pid>-<random>``; the next atomic write into the same
directory deletes such leftovers once their process no longer runs (whatever their
target: numbered checkpoints ``ckpt-1``, ``ckpt-2``... never write the same name twice).

>>> with atomic_write("weights.bin") as f:      # a file object
...     f.write(b"...")
>>> with atomic_path("model.h5") as temp:       # a path, for libraries that open by name
...     h5py.File(temp, "w").close()
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from typing import IO

TEMP_MARK = ".fluxion-tmp-"


def temporary_name(path: str) -> str:
    """A sibling of ``path`` for work in progress, stamped with this process's id."""
    return f"{path}{TEMP_MARK}{os.getpid()}-{uuid.uuid4().hex[:8]}"


@contextlib.contextmanager
def atomic_write(path, mode: str = "wb", encoding: str | None = None) -> Iterator[IO]:
    """Yields a file object; when the block ends without error it replaces ``path``.

    Args:
      path: the file to write (str or ``os.PathLike``); its directory must exist.
      mode: ``"wb"`` (default) or ``"w"`` for text.
      encoding: the text encoding for ``mode="w"`` (default UTF-8).

    If the block raises, ``path`` is left as it was and the temporary is removed.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write: mode must be 'w' or 'wb', got {mode!r}")
    if mode == "w" and encoding is None:
        encoding = "utf-8"
    with atomic_path(path) as temp:
        with open(temp, mode.replace("w", "x"), encoding=encoding) as fileobj:
            yield fileobj
            fileobj.flush()
            os.fsync(fileobj.fileno())


@contextlib.contextmanager
def atomic_path(path) -> Iterator[str]:
    """Yields a temporary path to write by name; it then replaces ``path`` atomically.

    Use it for libraries that open files by name (h5py, zipfile on a path).  The file
    written at the temporary path is ``fsync``-ed before the rename.
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(f"Cannot write the file {path!r}: a directory of that name "
                                f"exists.")
    remove_stale_temporaries(path)
    temp = temporary_name(path)
    committed = False
    try:
        yield temp
        if not os.path.exists(temp):
            raise FileNotFoundError(f"Nothing was written to the temporary file {temp!r} for "
                                    f"{path!r}.")
        _fsync_file(temp)
        os.replace(temp, path)
        committed = True
        fsync_directory(os.path.dirname(os.path.abspath(path)))
    finally:
        if not committed:
            with contextlib.suppress(OSError):
                os.remove(temp)


def write_bytes(path, data: bytes) -> None:
    """Writes ``data`` to ``path`` atomically."""
    with atomic_write(path, "wb") as fileobj:
        fileobj.write(data)


def write_text(path, text: str, encoding: str = "utf-8") -> None:
    """Writes ``text`` to ``path`` atomically."""
    with atomic_write(path, "w", encoding=encoding) as fileobj:
        fileobj.write(text)


def fsync_directory(path: str) -> None:
    """Makes a rename inside ``path`` durable (a no-op where directories cannot be opened)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(path or ".", os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remove_stale_temporaries(path) -> None:
    """Deletes the temporaries in ``path``'s directory left by writers that no longer run."""
    folder = os.path.dirname(os.path.abspath(os.fspath(path)))
    with contextlib.suppress(OSError):
        for name in os.listdir(folder):
            mark = name.rfind(TEMP_MARK)
            if mark < 0:
                continue
            pid = name[mark + len(TEMP_MARK):].split("-", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                leftover = os.path.join(folder, name)
                with contextlib.suppress(OSError):
                    if os.path.isdir(leftover):
                        shutil.rmtree(leftover)
                    else:
                        os.remove(leftover)


def _fsync_file(path: str) -> None:
    if os.path.isdir(path):
        return
    with open(path, "rb") as fileobj:
        os.fsync(fileobj.fileno())


def _alive(pid: int) -> bool:
    if pid == os.getpid() or os.name != "posix":  # Windows' os.kill would end the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but is not ours, or the platform cannot tell: keep its files
        return True
    return True
