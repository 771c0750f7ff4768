"""Checkpoint files: TensorFlow's V2 format, and Fluxion's older single-file format.

``fluxion.train.Checkpoint`` saves in TensorFlow's format (``fluxion.train.tensor_bundle``,
the object graph by ``fluxion.train.bundle_object_graph``): a checkpoint saved under the
prefix ``dir/ckpt-3`` is ``dir/ckpt-3.index`` plus ``dir/ckpt-3.data-*``, which
TensorFlow reads, and checkpoints TensorFlow writes load here.  The index is written
last and replaced atomically, so a reader sees the old checkpoint or the new one.

Checkpoints of Fluxion's earlier format are still read: ``dir/ckpt-3.fxckpt``, an
uncompressed zip archive that NumPy can also open (``numpy.load``) holding

- ``checkpoint.json``: ``{"format": "fluxion.train.Checkpoint", "version": 1,
  "nodes": [...], "tensors": {...}}``.  ``nodes`` is the object graph, node 0 the root:
  each node names its class, its children (``{"name": node id}``), and the tensor key of
  its value (a variable) or of its named tensors (objects with
  ``_serialize_to_tensors``).  ``tensors`` maps each key to its dtype, shape and member.
- ``tensors/<n>.npy``: each value in NumPy's ``.npy`` format (no pickles).

The zip's CRC-32 of every member (TensorFlow's CRC-32C of every tensor), the listed
dtypes and shapes, and the format and version fields catch a corrupt, truncated or
foreign file, which is reported as ``fluxion.errors.DataLossError`` before anything is
assigned.
"""

from __future__ import annotations

import json
import os
import zipfile

import numpy as np

from fluxion.core.atomic_file import atomic_path
from fluxion.core.errors import DataLossError, NotFoundError
from fluxion.train import bundle_object_graph, tensor_bundle

FORMAT = "fluxion.train.Checkpoint"
VERSION = 1
SUFFIX = ".fxckpt"
GRAPH_MEMBER = "checkpoint.json"
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_ZIP64_FROM = 1 << 30  # members this large are written with zip64 headers


def file_for(prefix: str) -> str:
    """The file of the checkpoint ``prefix`` (``prefix`` itself if it names the file)."""
    prefix = os.fspath(prefix)
    return prefix if prefix.endswith(SUFFIX) else prefix + SUFFIX


def prefix_of(path: str) -> str:
    path = os.fspath(path)
    return path[:-len(SUFFIX)] if path.endswith(SUFFIX) else path


def exists(prefix: str) -> bool:
    return tensor_bundle.exists(prefix_of(prefix)) or os.path.isfile(file_for(prefix))


def remove(prefix: str) -> None:
    """Deletes the checkpoint ``prefix`` (either format); nothing if there is none."""
    tensor_bundle.remove(prefix_of(prefix))
    if os.path.isfile(file_for(prefix)):
        os.remove(file_for(prefix))


def move(source: str, target: str) -> None:
    """Renames the checkpoint ``source`` to ``target`` (either format)."""
    if tensor_bundle.exists(prefix_of(source)):
        if os.path.isfile(file_for(target)):
            os.remove(file_for(target))
        tensor_bundle.move(prefix_of(source), prefix_of(target))
    else:
        tensor_bundle.remove(prefix_of(target))
        os.replace(file_for(source), file_for(target))


def write(prefix: str, nodes: list, tensors: dict) -> str:
    """Writes the checkpoint ``prefix`` in TensorFlow's format; returns the prefix.

    ``nodes`` is the object graph, ``tensors`` maps its keys to arrays.
    """
    prefix = prefix_of(os.fspath(prefix))
    if os.path.isfile(file_for(prefix)):  # an older Fluxion checkpoint of the same name
        os.remove(file_for(prefix))
    return tensor_bundle.write(prefix, bundle_object_graph.to_bundle(nodes, tensors))


def write_legacy(prefix: str, nodes: list, tensors: dict) -> str:
    """Writes the checkpoint ``prefix`` in Fluxion's older single-file format."""
    path = file_for(prefix)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    listing, members = {}, []
    for index, (key, value) in enumerate(tensors.items()):
        array, dtype_name = _storable(np.asarray(value))
        member = f"tensors/{index}.npy"
        listing[key] = {"dtype": dtype_name, "stored": array.dtype.str, "shape": list(array.shape),
                        "member": member}
        members.append((member, array))
    document = {"format": FORMAT, "version": VERSION, "nodes": nodes, "tensors": listing}
    with atomic_path(path) as temp:
        with zipfile.ZipFile(temp, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
            archive.writestr(GRAPH_MEMBER, json.dumps(document, indent=1))
            for member, array in members:
                with archive.open(member, "w", force_zip64=array.nbytes >= _ZIP64_FROM) as out:
                    np.lib.format.write_array(out, array, allow_pickle=False)
    return prefix_of(path)


_MAX_INFLATION = 100  # checkpoints are stored uncompressed; a member may not inflate more
_INFLATION_ALLOWANCE = 1 << 20


def read(prefix: str) -> tuple[list, dict]:
    """``(nodes, tensors)`` of the checkpoint ``prefix``, every tensor loaded and checked.

    Raises:
      NotFoundError: there is no checkpoint at ``prefix``.
      DataLossError: the file is corrupt, truncated, or not a Fluxion checkpoint.
    """
    if tensor_bundle.exists(prefix_of(os.fspath(prefix))):
        return _read_bundle(prefix_of(os.fspath(prefix)))
    path = _locate(os.fspath(prefix))
    try:
        archive = zipfile.ZipFile(path, "r")
    except zipfile.BadZipFile:
        raise DataLossError(_not_a_checkpoint(path)) from None
    except OSError as error:
        raise DataLossError(f"Cannot read the checkpoint file {path!r}: {error}") from None
    with archive:
        try:
            return _read_archive(archive, path)
        except DataLossError:
            raise
        except (zipfile.BadZipFile, ValueError, KeyError, TypeError, EOFError, OSError,
                UnicodeDecodeError) as error:
            raise DataLossError(f"The checkpoint file {path!r} is corrupt or truncated "
                                f"({type(error).__name__}: {error}). Restore from an older "
                                f"checkpoint; nothing was loaded.") from None


def _read_bundle(prefix: str) -> tuple[list, dict]:
    try:
        tensors = tensor_bundle.read(prefix)
        return bundle_object_graph.from_bundle(tensors, prefix), tensors
    except DataLossError as error:
        raise DataLossError(f"The checkpoint {prefix!r} is truncated or corrupt ({error}). "
                            f"Restore from an older checkpoint; nothing was loaded.") from None


def _read_archive(archive: zipfile.ZipFile, path: str) -> tuple[list, dict]:
    names = set(archive.namelist())
    if GRAPH_MEMBER not in names:
        kind = ("a Keras `.keras` model archive: load it with keras.models.load_model"
                if {"config.json", "metadata.json"} <= names else "a zip archive")
        raise DataLossError(f"{path!r} is not a Fluxion checkpoint: it is {kind} (it has no "
                            f"{GRAPH_MEMBER}).")
    document = json.loads(archive.read(GRAPH_MEMBER).decode("utf-8"))
    found = document.get("format") if isinstance(document, dict) else None
    if found != FORMAT:
        raise DataLossError(f"{path!r} is not a Fluxion checkpoint: its {GRAPH_MEMBER} has "
                            f"format {found!r}, expected {FORMAT!r}.")
    version = document.get("version")
    if not isinstance(version, int) or version < 1:
        raise DataLossError(f"{path!r}: invalid checkpoint format version {version!r}.")
    if version > VERSION:
        raise DataLossError(f"{path!r} was written in checkpoint format version {version}, by "
                            f"a newer Fluxion; this one reads versions up to {VERSION}. "
                            f"Upgrade Fluxion to load it.")
    nodes, listing = document["nodes"], document["tensors"]
    _check_graph(nodes, listing, path)
    tensors = {}
    for key, entry in listing.items():
        tensors[key] = _loaded(_read_npy_member(archive, entry, key, path), entry["dtype"])
    return nodes, tensors


def _read_npy_member(archive: zipfile.ZipFile, entry: dict, key: str, path: str) -> np.ndarray:
    """One tensor's ``.npy`` member, its header checked before any data is allocated.

    The header's shape and dtype must be the listing's, and the data they declare must
    fit in the member's declared size, itself in proportion to its compressed size: a
    crafted header cannot make the reader allocate what the file does not hold.
    """
    info = archive.getinfo(entry["member"])
    if info.file_size > _INFLATION_ALLOWANCE and \
            info.file_size > _MAX_INFLATION * max(info.compress_size, 1):
        raise DataLossError(f"{path!r}: tensor {key!r} declares {info.file_size:,} bytes from "
                            f"{info.compress_size:,} compressed; refusing to inflate it.")
    with archive.open(info) as member:
        version = np.lib.format.read_magic(member)
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) \
            else np.lib.format.read_array_header_2_0
        shape, fortran_order, dtype = read_header(member)
        if dtype.str != entry["stored"] or list(shape) != entry["shape"]:
            raise DataLossError(f"{path!r}: tensor {key!r} is {dtype.str}{list(shape)} but the "
                                f"checkpoint lists {entry['stored']}{entry['shape']}.")
        if dtype.hasobject:
            raise DataLossError(f"{path!r}: tensor {key!r} holds Python objects; refused.")
        nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if nbytes > info.file_size:
            raise DataLossError(f"{path!r}: tensor {key!r} declares {nbytes:,} bytes of data "
                                f"in a member of {info.file_size:,} bytes.")
        data = member.read(nbytes)
        if len(data) != nbytes:
            raise DataLossError(f"{path!r}: tensor {key!r} is truncated.")
        if member.read(1):  # also reaches the end, where zipfile checks the CRC-32
            raise DataLossError(f"{path!r}: tensor {key!r} has trailing data.")
    array = np.frombuffer(bytearray(data), dtype=dtype)
    return array.reshape(shape, order="F" if fortran_order else "C")


def _check_graph(nodes, listing, path: str) -> None:
    """Every node well formed, every reference in range: the walk that follows cannot fail."""
    def bad(why: str):
        return DataLossError(f"{path!r}: the checkpoint's object graph is malformed ({why}).")

    if not isinstance(nodes, list) or not nodes or not isinstance(listing, dict):
        raise bad("no nodes or no tensor listing")
    for number, node in enumerate(nodes):
        children = node.get("children", {}) if isinstance(node, dict) else None
        if not isinstance(children, dict) or not all(
                isinstance(c, int) and 0 <= c < len(nodes) for c in children.values()):
            raise bad(f"node {number} has invalid children")
        keys = [node["variable"]] if "variable" in node else []
        keys += list(node.get("tensors", {}).values())
        if any(key not in listing for key in keys):
            raise bad(f"node {number} refers to a tensor that is not listed")
    for key, entry in listing.items():
        if not isinstance(entry, dict) or not {"member", "stored", "shape", "dtype"} <= set(entry):
            raise bad(f"tensor {key!r} is not described")


def _locate(prefix: str) -> str:
    path = file_for(prefix)
    if os.path.isfile(path):
        return path
    if os.path.isfile(prefix):  # a file named directly, whatever its suffix
        return prefix
    if os.path.isdir(prefix):
        raise NotFoundError(f"Failed to restore from checkpoint at {prefix!r}: it is a "
                            f"directory. Pass a checkpoint prefix, e.g. "
                            f"fluxion.train.latest_checkpoint({prefix!r}).")
    raise NotFoundError(f"Failed to restore from checkpoint at {prefix!r}: no file "
                        f"{tensor_bundle.index_file(prefix)!r} (nor {path!r}) exists.")


def _not_a_checkpoint(path: str) -> str:
    with open(path, "rb") as fileobj:
        head = fileobj.read(8)
    if head == _HDF5_MAGIC:
        return (f"{path!r} is not a Fluxion checkpoint: it is an HDF5 file (Keras weights "
                f"or a legacy .h5 model?). Load it with model.load_weights or "
                f"keras.models.load_model.")
    if head.startswith(b"PK"):
        return (f"The checkpoint file {path!r} is truncated or corrupt (its zip directory "
                f"cannot be read). Restore from an older checkpoint; nothing was loaded.")
    return (f"{path!r} is not a Fluxion checkpoint (it starts with {head!r}; a checkpoint "
            f"is a zip archive written by fluxion.train.Checkpoint).")


def _storable(array: np.ndarray) -> tuple[np.ndarray, str]:
    """The array as ``.npy`` can store it without pickles, and its dtype name."""
    if array.dtype == object:  # fluxion.string tensors hold Python bytes objects
        items = [x if isinstance(x, bytes) else str(x).encode("utf-8") for x in array.flat]
        return np.array(items, dtype=bytes).reshape(array.shape), "string"
    if array.dtype.type.__module__.startswith("ml_dtypes"):  # bfloat16 and friends
        return _c_order(array).view(f"u{array.dtype.itemsize}"), array.dtype.name
    return _c_order(array), array.dtype.name


def _c_order(array: np.ndarray) -> np.ndarray:
    return array if array.flags.c_contiguous else array.copy(order="C")  # keeps 0-d arrays


def _loaded(array: np.ndarray, dtype_name: str) -> np.ndarray:
    if dtype_name == "string":
        out = np.empty(array.shape, dtype=object)
        out.flat[:] = [bytes(x) for x in array.flat]
        return out
    if array.dtype.name != dtype_name:  # stored as unsigned integers: bfloat16 and friends
        if dtype_name not in _ML_DTYPES:
            raise DataLossError(f"the checkpoint lists dtype {dtype_name!r} for a tensor "
                                f"stored as {array.dtype.name}; the file is damaged.")
        try:
            import ml_dtypes
        except ImportError:
            raise DataLossError(f"the checkpoint holds a {dtype_name} tensor, which needs the "
                                f"'ml_dtypes' package: pip install ml_dtypes") from None
        return array.view(getattr(ml_dtypes, dtype_name))
    return array


_ML_DTYPES = {"bfloat16", "float8_e4m3fn", "float8_e5m2", "int4", "uint4"}
