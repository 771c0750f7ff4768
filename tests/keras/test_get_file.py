"""keras.utils.get_file: caching, checksums, extraction, atomic and interruption-safe writes."""

import hashlib
import io
import os
import subprocess
import sys
import tarfile
import time
import zipfile

import pytest
from local_http import LocalServer

from fluxion.keras.utils import file_utils
from fluxion.keras.utils.file_utils import URLFetchError, get_file

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PAYLOAD = os.urandom(300_000)
SHA = hashlib.sha256(PAYLOAD).hexdigest()
MD5 = hashlib.md5(PAYLOAD).hexdigest()


@pytest.fixture
def served(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    (root / "blob.bin").write_bytes(PAYLOAD)
    server = LocalServer(str(root))
    yield server, root
    server.close()


def _cache_files(cache):
    return sorted(os.listdir(cache / "datasets")) if (cache / "datasets").exists() else []


def test_download_http_and_cache_hit(served, tmp_path):
    server, root = served
    cache = tmp_path / "cache"
    path = get_file("blob.bin", server.url("blob.bin"), file_hash=SHA, cache_dir=str(cache))
    assert path == str(cache / "datasets" / "blob.bin")
    assert open(path, "rb").read() == PAYLOAD
    (root / "blob.bin").unlink()  # served no more: the second call must use the cache
    assert get_file("blob.bin", server.url("blob.bin"), file_hash=SHA,
                    cache_dir=str(cache)) == path
    assert _cache_files(cache) == ["blob.bin"]


def test_file_origin_and_default_name(tmp_path, monkeypatch):
    source = tmp_path / "src" / "data.txt"
    source.parent.mkdir()
    source.write_bytes(b"local data")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    path = get_file(origin=source.as_uri(), cache_subdir="sub")
    assert path == str(tmp_path / "home" / "sub" / "data.txt")
    assert open(path, "rb").read() == b"local data"


def test_md5_and_hash_algorithm(served, tmp_path):
    server, _ = served
    path = get_file("a.bin", server.url("blob.bin"), md5_hash=MD5, cache_dir=str(tmp_path))
    assert file_utils.validate_file(path, MD5)
    assert file_utils.validate_file(path, SHA, algorithm="sha256")
    assert file_utils.hash_file(path, "md5") == MD5


def test_checksum_mismatch_raises_and_caches_nothing(served, tmp_path):
    server, _ = served
    with pytest.raises(ValueError, match="hash .* does not match"):
        get_file("blob.bin", server.url("blob.bin"), file_hash="0" * 64, cache_dir=str(tmp_path))
    assert _cache_files(tmp_path) == []


def test_corrupt_cached_file_is_downloaded_again(served, tmp_path):
    server, _ = served
    target = tmp_path / "datasets" / "blob.bin"
    target.parent.mkdir(parents=True)
    target.write_bytes(PAYLOAD[:1000])  # a stale, truncated copy
    path = get_file("blob.bin", server.url("blob.bin"), file_hash=SHA, cache_dir=str(tmp_path))
    assert open(path, "rb").read() == PAYLOAD


def test_force_download_replaces(served, tmp_path):
    server, root = served
    get_file("blob.bin", server.url("blob.bin"), cache_dir=str(tmp_path))
    (root / "blob.bin").write_bytes(b"new")
    path = get_file("blob.bin", server.url("blob.bin"), cache_dir=str(tmp_path),
                    force_download=True)
    assert open(path, "rb").read() == b"new"


def test_http_errors(served, tmp_path):
    server, _ = served
    with pytest.raises(URLFetchError, match="404"):
        get_file("x", server.url("missing.bin"), cache_dir=str(tmp_path))
    with pytest.raises(URLFetchError):
        get_file("y", (tmp_path / "nope.bin").as_uri(), cache_dir=str(tmp_path))
    assert _cache_files(tmp_path) == []


def test_connection_closed_early_leaves_nothing(served, tmp_path):
    server, _ = served
    with pytest.raises(URLFetchError):
        get_file("blob.bin", server.url("blob.bin", "short"), cache_dir=str(tmp_path))
    assert _cache_files(tmp_path) == []


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="origin"):
        get_file("x")
    with pytest.raises(ValueError, match="fname"):
        get_file(os.path.join("a", "b"), origin="file:///x", cache_dir=str(tmp_path))
    with pytest.raises(ValueError, match="file name"):
        get_file(origin="http://127.0.0.1/", cache_dir=str(tmp_path))


def _tar_bytes(members: dict) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_extract_tar_and_zip(served, tmp_path):
    server, root = served
    (root / "pack.tar.gz").write_bytes(_tar_bytes({"pack/a.txt": b"A", "pack/b/c.txt": b"C"}))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("z/inner.txt", "zip!")
    (root / "pack.zip").write_bytes(buffer.getvalue())
    cache = str(tmp_path / "cache")
    folder = get_file("pack", server.url("pack.tar.gz"), extract=True, cache_dir=cache)
    assert folder == os.path.join(cache, "datasets", "pack")
    assert open(os.path.join(folder, "pack", "b", "c.txt")).read() == "C"
    assert os.path.exists(os.path.join(cache, "datasets", "pack_archive"))
    folder = get_file("pack.zip", server.url("pack.zip"), extract=True, cache_dir=cache)
    assert folder == os.path.join(cache, "datasets", "pack_extracted")
    assert open(os.path.join(folder, "z", "inner.txt")).read() == "zip!"
    folder = get_file(origin=server.url("pack.tar.gz"), untar=True, cache_dir=cache)
    assert folder == os.path.join(cache, "datasets", "pack.tar.gz")
    assert sorted(os.listdir(folder)) == ["pack"]


def test_extract_refuses_escaping_members(tmp_path):
    archive = tmp_path / "evil.tar.gz"
    archive.write_bytes(_tar_bytes({"../escape.txt": b"x"}))
    with pytest.raises(tarfile.TarError):
        file_utils.extract_archive(str(archive), str(tmp_path / "out"))
    assert not (tmp_path / "escape.txt").exists()
    assert not (tmp_path / "out").exists()


def test_not_an_archive(tmp_path):
    source = tmp_path / "plain.bin"
    source.write_bytes(b"not an archive")
    with pytest.raises(ValueError, match="cannot be extracted"):
        get_file("plain", source.as_uri(), extract=True, cache_dir=str(tmp_path / "c"))


def test_killed_mid_download_leaves_no_corrupt_file(served, tmp_path):
    """A download process killed (SIGKILL) mid-transfer leaves no cached file; the
    next call downloads it whole and removes the dead process's temporary file."""
    server, _ = served
    cache = tmp_path / "cache"
    script = ("import sys; from fluxion.keras.utils.file_utils import get_file; "
              "get_file('blob.bin', sys.argv[1], file_hash=sys.argv[2], cache_dir=sys.argv[3])")
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    child = subprocess.Popen([sys.executable, "-c", script, server.url("blob.bin", "slow"), SHA,
                              str(cache)], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
    datasets = cache / "datasets"
    deadline = time.time() + 30
    try:
        while time.time() < deadline:  # wait until half the file sits in the temporary file
            parts = [p for p in (os.listdir(datasets) if datasets.exists() else [])
                     if p.endswith(".part")]
            if parts and os.path.getsize(datasets / parts[0]) >= len(PAYLOAD) // 4:
                break
            assert child.poll() is None, child.stderr.read().decode()
            time.sleep(0.05)
        else:
            pytest.fail("the child never started downloading")
    finally:
        child.kill()
        child.wait()
        child.stderr.close()
    assert not (datasets / "blob.bin").exists()
    path = get_file("blob.bin", server.url("blob.bin"), file_hash=SHA, cache_dir=str(cache))
    assert open(path, "rb").read() == PAYLOAD
    assert os.listdir(datasets) == ["blob.bin"]
