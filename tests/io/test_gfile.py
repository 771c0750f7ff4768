"""tf.io.gfile on the local file system."""

import os

import pytest

import fluxion as tf
from fluxion.errors import AlreadyExistsError, NotFoundError, UnimplementedError


def test_files_and_folders(tmp_path):
    gfile = tf.io.gfile
    folder = str(tmp_path / "a" / "b")
    gfile.makedirs(folder)
    gfile.makedirs(folder)  # exists already: nothing
    assert gfile.isdir(folder) and gfile.exists(folder)
    path = os.path.join(folder, "x.txt")
    with gfile.GFile(path, "w") as handle:
        handle.write("line 1\nline 2\n")
        assert handle.size() == 14
    with gfile.GFile(path) as handle:
        assert list(handle) == ["line 1\n", "line 2\n"]
    with gfile.GFile(path, "rb") as handle:
        assert handle.read(4) == b"line"
    gfile.copy(path, path + ".bak")
    with pytest.raises(AlreadyExistsError):
        gfile.copy(path, path + ".bak")
    gfile.rename(path + ".bak", os.path.join(folder, "y.txt"))
    assert gfile.listdir(folder) == ["x.txt", "y.txt"]
    assert gfile.glob(os.path.join(folder, "*.txt")) == [path, os.path.join(folder, "y.txt")]
    assert gfile.stat(path).length == 14 and not gfile.stat(path).is_directory
    walked = list(gfile.walk(str(tmp_path)))
    assert walked[0] == (str(tmp_path), ["a"], [])
    gfile.remove(path)
    with pytest.raises(NotFoundError):
        gfile.GFile(path)
    with pytest.raises(NotFoundError):
        gfile.listdir(path)
    gfile.rmtree(str(tmp_path / "a"))
    assert not gfile.exists(str(tmp_path / "a"))
    with pytest.raises(UnimplementedError, match="scheme 'gs' not implemented.*local paths"):
        gfile.exists("gs://bucket/x")
