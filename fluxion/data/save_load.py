"""``Dataset.save`` / ``Dataset.load``: a dataset as a directory.

Layout of ``path/``::

    dataset_spec.json     {"format": "fluxion.data", "version": 1, "element_spec": ...,
                           "cardinality": n, "compression": null | "GZIP",
                           "shards": ["shard-00000.fxdata", ...]}
    shard-NNNNN.fxdata    the elements ``shard_func`` sent to shard NNNNN (default: all
                          in shard 0), in the ``element_file`` format

The directory is built under a temporary sibling name and renamed to ``path`` only when
every shard and the spec are written and synced, so ``path`` either holds a complete
save or does not exist: a killed ``save`` leaves only a temporary that ``load`` never
reads (and the next ``save`` to that path deletes).  Saving over an existing directory
replaces it the same way.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil

from fluxion.core import atomic_file, errors, nest
from fluxion.core.tensor import Tensor
from fluxion.core.tensor_spec import TensorSpec
from fluxion.data import element_file, stage_registry
from fluxion.data import element_spec as es
from fluxion.data.dataset import Dataset

SPEC_FILE = "dataset_spec.json"
_FORMAT = "fluxion.data"


def _open(path: str, mode: str, compression: str | None):
    if compression is None:
        return open(path, mode)
    if compression.upper() == "GZIP":
        return gzip.open(path, mode)
    raise ValueError(f"Unsupported compression {compression!r}: use None or 'GZIP'.")


def _encode_spec(spec) -> dict:
    flat = [{"shape": s.shape.dims, "dtype": s.dtype.name} for s in nest.flatten(spec)]
    return {"structure": es.encode_structure(spec), "components": flat}


def _decode_spec(encoded: dict):
    structure = es.decode_structure(encoded["structure"])
    specs = [TensorSpec(c["shape"], c["dtype"]) for c in encoded["components"]]
    return nest.pack_sequence_as(structure, specs) if es.is_structure(structure) else specs[0]


def save(dataset: Dataset, path: str, compression: str | None = None, shard_func=None) -> None:
    path = os.path.abspath(os.fspath(path))
    parent = os.path.dirname(path)
    os.makedirs(parent, exist_ok=True)
    atomic_file.remove_stale_temporaries(path)
    spec = dataset.element_spec
    temp = atomic_file.temporary_name(path)
    os.makedirs(temp)
    try:
        writers: dict = {}
        count = 0
        try:
            for element in dataset._iterator():
                shard = 0 if shard_func is None else _shard_index(shard_func, element)
                if shard not in writers:
                    name = f"shard-{shard:05d}.fxdata"
                    fileobj = _open(os.path.join(temp, name), "wb", compression)
                    writers[shard] = (name, fileobj, element_file.ElementWriter(fileobj))
                writers[shard][2].write(element)
                count += 1
        finally:
            for _name, fileobj, writer in writers.values():
                writer.finish()
                fileobj.close()
        for name, _, _ in writers.values():
            _fsync(os.path.join(temp, name))
        meta = {"format": _FORMAT, "version": 1, "element_spec": _encode_spec(spec),
                "cardinality": count, "compression": compression,
                "shards": sorted(name for name, _, _ in writers.values())}
        with open(os.path.join(temp, SPEC_FILE), "w") as fileobj:
            json.dump(meta, fileobj)
            fileobj.flush()
            os.fsync(fileobj.fileno())
        atomic_file.fsync_directory(temp)
        _replace_directory(temp, path)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def _shard_index(shard_func, element) -> int:
    value = es.unpack_call(shard_func, element)
    index = int(value._value) if isinstance(value, Tensor) else int(value)
    if index < 0:
        raise ValueError(f"save: `shard_func` must return a non-negative shard index, "
                         f"got {index}.")
    return index


def _fsync(path: str) -> None:
    with open(path, "rb") as fileobj:
        os.fsync(fileobj.fileno())


def _replace_directory(temp: str, path: str) -> None:
    if not os.path.exists(path):
        os.rename(temp, path)
    else:
        old = atomic_file.temporary_name(path)
        os.rename(path, old)
        os.rename(temp, path)
        shutil.rmtree(old, ignore_errors=True)
    atomic_file.fsync_directory(os.path.dirname(path))


class LoadedDataset(Dataset):
    def __init__(self, path: str, meta: dict, element_spec, shard: str | None = None):
        super().__init__()
        self._path = path
        self._meta = meta
        self._spec = element_spec
        self._shards = [shard] if shard is not None else meta["shards"]

    def _iterator(self):
        for name in self._shards:
            file_path = os.path.join(self._path, name)
            with _open(file_path, "rb", self._meta["compression"]) as fileobj:
                yield from element_file.read_elements(fileobj, file_path)

    def _cardinality(self) -> int:
        return self._meta["cardinality"] if len(self._shards) == len(self._meta["shards"]) \
            else es.UNKNOWN


def load(path: str, element_spec=None, compression: str | None = None,
         reader_func=None) -> Dataset:
    path = os.path.abspath(os.fspath(path))
    spec_path = os.path.join(path, SPEC_FILE)
    if not os.path.exists(spec_path):
        raise errors.NotFoundError(f"Dataset.load: no saved dataset at {path} (expected "
                                   f"{SPEC_FILE}; was it written by Dataset.save?).")
    with open(spec_path) as fileobj:
        meta = json.load(fileobj)
    if meta.get("format") != _FORMAT:
        raise errors.DataLossError(f"Dataset.load: {spec_path} is not a Fluxion dataset spec.")
    if compression is not None and compression != meta["compression"]:
        raise ValueError(f"Dataset.load: the dataset was saved with compression "
                         f"{meta['compression']!r}, not {compression!r}.")
    spec = _decode_spec(meta["element_spec"]) if element_spec is None else element_spec
    if reader_func is None:
        return LoadedDataset(path, meta, spec)
    from fluxion.data.windowing import ListDataset
    shards = ListDataset([LoadedDataset(path, meta, spec, name) for name in meta["shards"]])
    result = reader_func(shards)
    if not isinstance(result, Dataset):
        raise TypeError(f"Dataset.load: `reader_func` must return a Dataset, got "
                        f"{type(result).__name__}.")
    return result


# Dataset.save / Dataset.load find these by name (the dataset module cannot import this one).
stage_registry.register("save", save)
stage_registry.register("load", load)
