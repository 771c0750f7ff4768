"""The ``.keras`` file: a zip of ``metadata.json``, ``config.json``, ``model.weights.h5``
and, when some layer has assets (a lookup layer's ``vocabulary.txt``), files under
``assets/`` laid out by the layers' paths (``assets/layers/string_lookup/vocabulary.txt``).

Keras 3 stores the entries uncompressed (``ZIP_STORED``), in that order, and only the
files of ``assets/`` (no folder entries); so do we.  As Keras does, a reader hands the
assets to the layers only when the archive holds more than those three entries.
Asset names that would land outside the assets folder (absolute, or with ``..``) are
refused: such a file is damaged or hostile.
Every file is written to a temporary file in the destination's directory, flushed to
disk, then renamed over the destination (``fluxion.core.atomic_file``), so a process
killed at any moment leaves either the old file or the new one, never a torn one.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import json
import os
import tempfile
import zipfile

from fluxion.core import atomic_file

METADATA_FILENAME = "metadata.json"
CONFIG_FILENAME = "config.json"
WEIGHTS_FILENAME = "model.weights.h5"
ASSETS_DIRNAME = "assets"
MAX_INFLATION = 200  # a member may be this many times its compressed size...
MEMBER_ALLOWANCE = 64 << 20  # ...once past this many bytes
KERAS_VERSION = "3.15.1"  # the Keras file format version these files follow


def atomic_write(path, write) -> None:
    """Calls ``write(binary_file)`` on a temporary sibling of ``path``, then renames it over
    ``path`` (``fluxion.core.atomic_file``, which every Fluxion save goes through)."""
    with atomic_file.atomic_write(path, "wb") as f:
        write(f)


def metadata() -> dict:
    return {"keras_version": KERAS_VERSION,
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}


def write_archive(path, config: dict, weights: bytes, assets: dict | None = None) -> None:
    """Writes a ``.keras`` zip (atomically) from the model config, the weights file bytes
    and the assets (``{"layers/string_lookup/vocabulary.txt": bytes}``)."""

    def write(f) -> None:
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr(METADATA_FILENAME, json.dumps(metadata()))
            zf.writestr(CONFIG_FILENAME, json.dumps(config))
            zf.writestr(WEIGHTS_FILENAME, weights)
            for name in sorted(assets or {}):
                zf.writestr(f"{ASSETS_DIRNAME}/{name}", assets[name])

    atomic_write(path, write)


def write_directory(path, config: dict, weights: bytes, assets: dict | None = None) -> None:
    """The unzipped form (``zipped=False``): the same files in a directory."""
    os.makedirs(path, exist_ok=True)
    atomic_write(os.path.join(path, METADATA_FILENAME),
                 lambda f: f.write(json.dumps(metadata()).encode()))
    atomic_write(os.path.join(path, WEIGHTS_FILENAME), lambda f: f.write(weights))
    for name, data in sorted((assets or {}).items()):
        target = os.path.join(path, ASSETS_DIRNAME, *name.split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        atomic_write(target, lambda f, data=data: f.write(data))
    # The config goes last: a directory is a model once its config.json exists.
    atomic_write(os.path.join(path, CONFIG_FILENAME),
                 lambda f: f.write(json.dumps(config).encode()))


def collect_assets(write_assets) -> dict:
    """Runs ``write_assets(folder)`` on a temporary folder and returns what it wrote, as
    ``{relative posix path: bytes}`` (empty folders are dropped, as Keras's zip drops them)."""
    found: dict = {}
    with tempfile.TemporaryDirectory(prefix="fluxion_assets_") as folder:
        write_assets(folder)
        for parent, _, files in os.walk(folder):
            for name in files:
                full = os.path.join(parent, name)
                relative = os.path.relpath(full, folder).replace(os.sep, "/")
                found[relative] = _read_file(full)
    return found


@contextlib.contextmanager
def extracted_assets(assets: dict):
    """The assets written out to a temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="fluxion_assets_") as folder:
        for name, data in assets.items():
            target = os.path.join(folder, *name.split("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as f:
                f.write(data)
        yield folder


class KerasArchive:
    """The contents of a ``.keras`` file (or directory), read and checked."""

    def __init__(self, config: dict, weights: bytes | None, metadata: dict,
                 assets: dict | None = None, has_assets: bool = False):
        self.config = config
        self.weights = weights
        self.metadata = metadata
        # {path under assets/: bytes}; has_assets is Keras's rule for handing them to the
        # layers at all: the archive holds more than its three model entries.
        self.assets = assets or {}
        self.has_assets = has_assets


def read_archive(path) -> KerasArchive:
    """Reads a ``.keras`` zip or directory; a damaged or foreign file gets a clear ValueError."""
    path = os.fspath(path)
    if os.path.isdir(path):
        names = set(os.listdir(path))
        archive = _read_entries(path, lambda name: _read_file(os.path.join(path, name)), names)
        archive.assets = _directory_assets(os.path.join(path, ASSETS_DIRNAME))
        archive.has_assets = len(names) > 3
        return archive
    if not os.path.exists(path):
        raise FileNotFoundError(f"File not found: filepath={path}. Please ensure the file is "
                                f"an accessible `.keras` zip file.")
    try:
        with zipfile.ZipFile(path, "r") as zf:
            names = set(zf.namelist())
            archive = _read_entries(path, lambda name: _read_member(zf, name, path), names)
            archive.assets = {_asset_name(path, name): _read_member(zf, name, path)
                              for name in sorted(names)
                              if name.startswith(f"{ASSETS_DIRNAME}/")
                              and not name.endswith("/")}
            archive.has_assets = len(names) > 3
            return archive
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as error:
        raise ValueError(f"'{path}' is not a valid .keras file: it is not a complete zip "
                         f"archive ({error}). The file may be truncated or of another "
                         f"kind.") from error
    except (OSError, RuntimeError) as error:  # a corrupt member (CRC mismatch...)
        if isinstance(error, FileNotFoundError):
            raise
        raise ValueError(f"'{path}' is a damaged .keras file: {error}") from error


def _read_member(zf: zipfile.ZipFile, name: str, path: str) -> bytes:
    """A zip member's bytes, refused when its declared size is out of proportion.

    ``zipfile`` stops at the declared uncompressed size, so checking that size first
    bounds what is read: Keras stores members uncompressed or deflated (text deflates
    ~10x), so more than ``MAX_INFLATION`` times the compressed size is a bomb.
    """
    info = zf.getinfo(name)
    if info.file_size > MEMBER_ALLOWANCE and \
            info.file_size > MAX_INFLATION * max(info.compress_size, 1):
        raise ValueError(
            f"'{path}' is a damaged or crafted .keras file: its member '{name}' declares "
            f"{info.file_size:,} bytes from {info.compress_size:,} compressed (more than "
            f"{MAX_INFLATION}x). Refusing to read it.")
    return zf.read(info)


def _asset_name(path: str, name: str) -> str:
    """``name`` (an ``assets/...`` zip entry) relative to ``assets/``, refusing escapes."""
    relative = name[len(ASSETS_DIRNAME) + 1:]
    parts = relative.replace("\\", "/").split("/")
    if parts[0] == "" or ".." in parts or ":" in parts[0]:
        raise ValueError(f"'{path}' is a damaged or unsafe .keras file: its asset entry "
                         f"'{name}' points outside the assets folder.")
    return "/".join(part for part in parts if part not in ("", "."))


def _directory_assets(folder: str) -> dict:
    """The files under a directory model's ``assets/``; a link leaving it is refused."""
    found: dict = {}
    if not os.path.isdir(folder):
        return found
    root = os.path.realpath(folder)
    for parent, directories, files in os.walk(folder):
        for name in files + directories:
            full = os.path.join(parent, name)
            target = os.path.realpath(full)
            if os.path.islink(full) and os.path.commonpath([root, target]) != root:
                raise ValueError(
                    f"The model directory's asset '{os.path.relpath(full, folder)}' is a link "
                    f"to '{target}', outside its assets folder; refusing to follow it.")
        for name in files:
            full = os.path.join(parent, name)
            found[os.path.relpath(full, folder).replace(os.sep, "/")] = _read_file(full)
    return found


def _read_file(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _read_entries(path: str, read, names: set) -> KerasArchive:
    if CONFIG_FILENAME not in names:
        raise ValueError(f"'{path}' is not a .keras model file: it has no {CONFIG_FILENAME} "
                         f"(entries found: {sorted(names)}).")
    config = _parse_json(read(CONFIG_FILENAME), path, CONFIG_FILENAME)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"'{path}': {CONFIG_FILENAME} does not describe a Keras object (no "
                         f"'class_name').")
    meta = _parse_json(read(METADATA_FILENAME), path, METADATA_FILENAME) \
        if METADATA_FILENAME in names else {}
    weights = read(WEIGHTS_FILENAME) if WEIGHTS_FILENAME in names else None
    if weights is None and "model.weights.npz" in names:
        raise ValueError(f"'{path}' stores its weights as model.weights.npz, which Fluxion "
                         f"does not read; save it from Keras with the default h5 weights.")
    return KerasArchive(config, weights, meta)


def _parse_json(data: bytes, path: str, name: str):
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"'{path}' is damaged: its {name} is not valid JSON "
                         f"({error}).") from error


def weights_file(data: bytes):
    """An open, read-only ``h5py.File`` over the weight bytes (a damaged file: ValueError)."""
    from fluxion.keras.saving.weights_h5 import require_h5py

    h5py = require_h5py()
    try:
        return h5py.File(io.BytesIO(data), "r")
    except OSError as error:
        raise ValueError(f"The model's weights ({WEIGHTS_FILENAME}) are not a readable HDF5 "
                         f"file ({error}); the file is damaged or truncated.") from error
