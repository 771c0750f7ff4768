"""``keras.utils.get_file``: download a file once into a cache, check it, extract it.

A file enters the cache only whole and verified.  The download streams into a
temporary file beside the target (``.<name>.<pid>.part``); only when it is complete,
flushed to disk and its checksum matches is it renamed onto the target, which is atomic.
So a download interrupted at any point (an error, Ctrl-C, the process killed) leaves
the cached file as it was, absent or complete, never half-written; the next call
starts the download again.  Extraction works the same way: into a temporary folder,
renamed into place when complete.  Temporary files left by killed processes are
removed by the next call.

``origin`` may be ``http://``, ``https://`` or ``file://``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile

from fluxion.keras.utils.io_utils import print_msg

_CHUNK = 1 << 16


class URLFetchError(OSError):
    """The origin could not be fetched (HTTP error, unreachable host, missing file)."""


def keras_home() -> str:
    """The cache root: ``$KERAS_HOME`` if set, else ``~/.keras``."""
    return os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")


def resolve_hasher(algorithm: str, file_hash: str | None = None):
    """The hashlib constructor for ``algorithm`` ("sha256", "md5" or "auto")."""
    if algorithm == "sha256" or (algorithm == "auto" and file_hash is not None
                                 and len(file_hash) == 64):
        return hashlib.sha256
    if algorithm in ("md5", "auto"):
        return hashlib.md5
    raise ValueError(f"hash_algorithm must be 'auto', 'sha256' or 'md5', got {algorithm!r}")


def hash_file(fpath: str, algorithm: str = "sha256", chunk_size: int = _CHUNK) -> str:
    """The hex digest of a file (``algorithm``: "sha256" or "md5")."""
    hasher = resolve_hasher(algorithm)()
    with open(fpath, "rb") as handle:
        for chunk in iter(lambda: handle.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath: str, file_hash: str, algorithm: str = "auto",
                  chunk_size: int = _CHUNK) -> bool:
    """Whether the file's hash equals ``file_hash`` (sha256 or md5, told by its length)."""
    hasher = resolve_hasher(algorithm, file_hash)
    name = "sha256" if hasher is hashlib.sha256 else "md5"
    return hash_file(fpath, name, chunk_size) == str(file_hash).lower()


def get_file(fname: str | None = None, origin: str | None = None, untar: bool = False,
             md5_hash: str | None = None, file_hash: str | None = None,
             cache_subdir: str = "datasets", hash_algorithm: str = "auto",
             extract: bool = False, archive_format: str | list | None = "auto",
             cache_dir: str | None = None, force_download: bool = False) -> str:
    """Downloads a file from a URL if it is not already in the cache (Keras 3 API).

    Args:
      fname: the file's name in the cache; by default the last part of ``origin``'s path.
        With ``extract``, a name without an extension names the extraction folder.
      origin: the URL: ``http://``, ``https://`` or ``file://``.
      untar: deprecated; same as ``extract=True, archive_format="tar"``.
      md5_hash: deprecated; same as ``file_hash`` with ``hash_algorithm="md5"``.
      file_hash: the expected sha256 or md5 of the file; a cached file that does not
        match is downloaded again, a download that does not match raises.
      cache_subdir: the folder under the cache root (an absolute path is used as is).
      hash_algorithm: "sha256", "md5" or "auto" (told by the hash's length).
      extract: extract the archive (tar, tar.gz, tar.bz2, zip) and return its folder.
      archive_format: "auto" (tar then zip), "tar", "zip", or None.
      cache_dir: the cache root; by default ``$KERAS_HOME`` or ``~/.keras``.
      force_download: download again even when the file is cached.

    Returns:
      The path of the cached file, or of the extraction folder with ``extract``.

    >>> import os, tempfile
    >>> source = os.path.join(tempfile.mkdtemp(), "hello.txt")
    >>> _ = open(source, "w").write("hi")
    >>> cache = tempfile.mkdtemp()
    >>> path = get_file(origin="file://" + source, cache_dir=cache)  # doctest: +ELLIPSIS
    Downloading data from file://...
    >>> open(path).read()
    'hi'
    """
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    datadir = _cache_folder(cache_dir, cache_subdir)
    provided = fname is not None
    fname = os.fspath(fname) if fname is not None else ""
    if not fname:
        fname = os.path.basename(urllib.parse.urlsplit(origin).path)
        if not fname:
            raise ValueError(f"Can't parse the file name from the origin provided: {origin!r}. "
                             "Please specify the `fname` argument.")
    elif os.sep in fname or (os.altsep and os.altsep in fname):
        raise ValueError("Paths are not accepted as the `fname` argument; to choose the "
                         f"folder, use `cache_dir` / `cache_subdir`. Received: fname={fname}")
    extracting = bool(extract or untar)
    if extracting:
        if provided and "." in fname:
            target = os.path.join(datadir, fname)
            extraction_dir = os.path.join(datadir, f"{fname[:fname.find('.')]}_extracted")
        else:
            target = os.path.join(datadir, f"{fname}_archive")
            extraction_dir = os.path.join(datadir, fname)
    else:
        target = os.path.join(datadir, fname)
    _remove_stale_parts(datadir, os.path.basename(target))
    if extracting:
        _remove_stale_parts(datadir, os.path.basename(extraction_dir))

    downloaded = False
    if force_download or not os.path.exists(target):
        _download(origin, target, file_hash, hash_algorithm)
        downloaded = True
    elif file_hash is not None and not validate_file(target, file_hash, hash_algorithm):
        print_msg(f"A local file was found, but it seems to be incomplete or outdated because "
                  f"its {hash_algorithm} file hash does not match the original value of "
                  f"{file_hash}, so the data will be downloaded again.")
        _download(origin, target, file_hash, hash_algorithm)
        downloaded = True

    if extracting:
        if untar:
            archive_format = "tar"
        if downloaded or not os.path.isdir(extraction_dir):
            if not extract_archive(target, extraction_dir, archive_format):
                raise ValueError(f"get_file: {target!r} is not an archive of format "
                                 f"{archive_format!r}; it cannot be extracted")
        return extraction_dir
    return target


def _cache_folder(cache_dir: str | None, cache_subdir: str) -> str:
    base = os.path.expanduser(os.fspath(cache_dir) if cache_dir is not None else keras_home())
    os.makedirs(base, exist_ok=True)
    if not os.access(base, os.W_OK):  # Keras's fallback for a read-only home
        base = os.path.join(tempfile.gettempdir(), ".keras")
    datadir = os.path.join(base, cache_subdir)
    os.makedirs(datadir, exist_ok=True)
    return datadir


def _part_prefix(name: str) -> str:
    return f".{name}."


def _remove_stale_parts(datadir: str, name: str) -> None:
    """Deletes the temporary files of downloads whose process has died."""
    prefix = _part_prefix(name)
    for entry in os.listdir(datadir):
        if not (entry.startswith(prefix) and entry.endswith((".part", ".part.old"))):
            continue
        pid_text = entry[len(prefix):].split(".")[0]
        if not pid_text.isdigit() or _process_alive(int(pid_text)):
            continue  # not ours, or another process is downloading it right now
        path = os.path.join(datadir, entry)
        try:
            shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
        except OSError:
            pass


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _download(origin: str, target: str, file_hash: str | None, hash_algorithm: str) -> None:
    """Streams ``origin`` into a temporary file, verifies it, then renames it onto ``target``."""
    print_msg(f"Downloading data from {origin}")
    folder, name = os.path.split(target)
    handle, part = tempfile.mkstemp(prefix=f"{_part_prefix(name)}{os.getpid()}.",
                                    suffix=".part", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            _copy_url(origin, out)
            out.flush()
            os.fsync(out.fileno())
        if file_hash is not None and not validate_file(part, file_hash, hash_algorithm):
            raise ValueError(f"Incomplete or corrupted file detected: the {hash_algorithm} "
                             f"file hash of the download from {origin} does not match the "
                             f"provided value of {file_hash}.")
        os.replace(part, target)
    except BaseException:
        try:
            os.remove(part)
        except OSError:
            pass
        raise


def _copy_url(origin: str, out) -> None:
    try:
        with urllib.request.urlopen(origin) as response:
            total = response.headers.get("Content-Length") if hasattr(response, "headers") \
                else None
            received = 0
            read = getattr(response, "read1", response.read)  # whatever has arrived
            for chunk in iter(lambda: read(_CHUNK), b""):
                out.write(chunk)
                received += len(chunk)
    except urllib.error.HTTPError as error:
        raise URLFetchError(f"URL fetch failure on {origin}: {error.code} -- {error.msg}") \
            from None
    except urllib.error.URLError as error:
        raise URLFetchError(f"URL fetch failure on {origin}: {error.reason}") from None
    except OSError as error:  # a connection reset or timeout while reading
        raise URLFetchError(f"URL fetch failure on {origin}: {error}") from None
    if total is not None and total.isdigit() and received != int(total):
        raise URLFetchError(f"URL fetch failure on {origin}: the connection closed after "
                            f"{received} of {total} bytes")


def extract_archive(file_path: str, path: str = ".", archive_format="auto") -> bool:
    """Extracts a tar or zip archive into ``path``, atomically; False if no format matched.

    The archive is unpacked into a temporary folder beside ``path`` and renamed onto it
    when complete, so ``path`` is never left half-extracted.  Members that would land
    outside ``path`` (absolute names, ``..``, links pointing out) are refused.
    """
    if archive_format is None:
        return False
    formats = ["tar", "zip"] if archive_format == "auto" else (
        [archive_format] if isinstance(archive_format, str) else list(archive_format))
    file_path, path = os.fspath(file_path), os.path.abspath(os.fspath(path))
    for kind in formats:
        if kind == "tar":
            matches = tarfile.is_tarfile(file_path)
        elif kind == "zip":
            matches = zipfile.is_zipfile(file_path)
        else:
            raise NotImplementedError(f"archive_format {kind!r}: use 'tar', 'zip' or 'auto'")
        if not matches:
            continue
        parent = os.path.dirname(path)
        os.makedirs(parent, exist_ok=True)
        staging = tempfile.mkdtemp(prefix=f"{_part_prefix(os.path.basename(path))}"
                                          f"{os.getpid()}.", suffix=".part", dir=parent)
        try:
            if kind == "tar":
                with tarfile.open(file_path) as archive:
                    _extract_tar(archive, staging)
            else:
                with zipfile.ZipFile(file_path) as archive:
                    archive.extractall(staging)  # zipfile already sanitises member names
            _swap_into_place(staging, path)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return True
    return False


def _extract_tar(archive: tarfile.TarFile, dest: str) -> None:
    if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4 / 3.10.12
        archive.extractall(dest, filter="data")
        return
    root = os.path.realpath(dest)  # pragma: no cover - older Pythons
    for member in archive.getmembers():
        target = os.path.realpath(os.path.join(dest, member.name))
        if os.path.commonpath([root, target]) != root or member.issym() or member.islnk():
            raise tarfile.TarError(f"refusing to extract {member.name!r} outside {dest!r}")
    archive.extractall(dest)


def _swap_into_place(staging: str, path: str) -> None:
    if not os.path.exists(path):
        os.replace(staging, path)
        return
    old = f"{staging}.old"
    os.replace(path, old)  # two renames: the complete old tree, then the complete new one
    os.replace(staging, path)
    shutil.rmtree(old, ignore_errors=True)
