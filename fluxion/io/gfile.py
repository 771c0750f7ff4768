"""``tf.io.gfile``: TensorFlow's file API over the local file system.

``GFile`` opens a file like ``open`` (``"r"``/``"w"``/``"a"``, with ``"b"`` for bytes)
and adds ``size()``; the functions mirror TensorFlow's (``exists``, ``makedirs``,
``listdir``, ``glob``, ``walk``, ``copy``, ``rename``, ``rmtree``...), raising
``fluxion.errors.NotFoundError`` where TensorFlow does.  Paths are local; a URL scheme
such as ``gs://`` is refused with a clear error.
"""

from __future__ import annotations

import glob as _glob
import os
import shutil

from fluxion.core.errors import AlreadyExistsError, NotFoundError
from fluxion.core.primitives.files import local_path

_local = local_path  # plain paths and file:// URLs


class GFile:
    """A file object (``tf.io.gfile.GFile``): ``read``, ``write``, ``readline``,
    iteration, ``seek``/``tell``, ``size``, ``flush``, ``close``, and ``with`` blocks."""

    def __init__(self, name, mode: str = "r"):
        self.name = _local(name)
        self.mode = mode
        if "r" in mode and not os.path.exists(self.name):
            raise NotFoundError(f"{self.name}; No such file or directory")
        self._file = open(self.name, mode, **({} if "b" in mode else {"encoding": "utf-8"}))

    def size(self) -> int:
        self._file.flush()
        return os.path.getsize(self.name)

    def __getattr__(self, attribute):
        return getattr(self._file, attribute)

    def __iter__(self):
        return iter(self._file)

    def __enter__(self) -> GFile:
        return self

    def __exit__(self, *exc) -> None:
        self._file.close()


def exists(path) -> bool:
    return os.path.exists(_local(path))


def isdir(path) -> bool:
    return os.path.isdir(_local(path))


def makedirs(path) -> None:
    """Creates ``path`` and its missing parents (nothing if it exists)."""
    os.makedirs(_local(path), exist_ok=True)


def mkdir(path) -> None:
    path = _local(path)
    if os.path.exists(path):
        raise AlreadyExistsError(f"{path}; File exists")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise NotFoundError(f"{parent}; No such file or directory")
    os.mkdir(path)


def listdir(path) -> list:
    path = _local(path)
    if not os.path.isdir(path):
        raise NotFoundError(f"Could not find directory {path}")
    return sorted(os.listdir(path))


def glob(pattern) -> list:
    return sorted(_glob.glob(_local(pattern)))


def remove(path) -> None:
    path = _local(path)
    if not os.path.exists(path):
        raise NotFoundError(f"{path}; No such file or directory")
    os.remove(path)


def rmtree(path) -> None:
    path = _local(path)
    if not os.path.exists(path):
        raise NotFoundError(f"{path}; No such file or directory")
    shutil.rmtree(path)


def rename(src, dst, overwrite: bool = False) -> None:
    src, dst = _local(src), _local(dst)
    if not overwrite and os.path.exists(dst):
        raise AlreadyExistsError(f"{dst}; File exists")
    os.replace(src, dst)


def copy(src, dst, overwrite: bool = False) -> None:
    src, dst = _local(src), _local(dst)
    if not overwrite and os.path.exists(dst):
        raise AlreadyExistsError(f"{dst}; File exists")
    if not os.path.exists(src):
        raise NotFoundError(f"{src}; No such file or directory")
    shutil.copyfile(src, dst)


class _Stat:
    def __init__(self, path: str):
        info = os.stat(path)
        self.length = info.st_size
        self.mtime_nsec = info.st_mtime_ns
        self.is_directory = os.path.isdir(path)


def stat(path) -> _Stat:
    path = _local(path)
    if not os.path.exists(path):
        raise NotFoundError(f"{path}; No such file or directory")
    return _Stat(path)


def walk(top, topdown: bool = True, onerror=None):
    """``(folder, subfolders, files)`` for ``top`` and every folder below it."""
    for folder, subfolders, files in os.walk(_local(top), topdown=topdown, onerror=onerror):
        yield folder, sorted(subfolders), sorted(files)


def join(path, *paths) -> str:
    return os.path.join(path, *paths)
