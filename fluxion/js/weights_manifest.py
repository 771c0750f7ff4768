"""The weights of a tfjs layers model: binary shards and their ``weightsManifest``.

The values of all weights are concatenated, in manifest order, as little-endian bytes
(C order), then cut into files of at most ``weight_shard_size_bytes`` named
``group1-shard{i}of{n}.bin`` (the names ``tensorflowjs_converter`` gives; tfjs fetches
them relative to ``model.json``).  The manifest is one group:
``[{"paths": [...], "weights": [{"name", "shape", "dtype"}, ...]}]``; a weight's name
is ``<layer name>/<weight name>`` (``dense/kernel``), which is how tfjs-layers matches
stored values to the variables of the model it rebuilds.
"""

from __future__ import annotations

import os

import numpy as np

from fluxion.core import atomic_file
from fluxion.js import quantization as quant

DEFAULT_SHARD_SIZE_BYTES = 4 * 1024 * 1024  # tensorflowjs_converter's default
_TFJS_DTYPES = {np.dtype("float32"): "float32", np.dtype("int32"): "int32",
                np.dtype("bool"): "bool"}
_FROM_TFJS = {"float32": np.dtype("<f4"), "int32": np.dtype("<i4"), "bool": np.dtype("u1")}


def as_tfjs_array(name: str, value) -> np.ndarray:
    """``value`` as the little-endian array tfjs stores (float64 narrowed to float32,
    int64 to int32 when the values fit, which is what tfjs's converter does)."""
    array = np.asarray(value)
    if array.dtype.kind == "f":
        array = array.astype(np.float32)
    elif array.dtype.kind in "iu":
        if array.size and (array.min() < np.iinfo(np.int32).min
                           or array.max() > np.iinfo(np.int32).max):
            raise ValueError(f"Weight {name!r} has integer values outside int32, the widest "
                             f"integer TensorFlow.js stores; got dtype {array.dtype}.")
        array = array.astype(np.int32)
    if array.dtype not in _TFJS_DTYPES:
        raise ValueError(f"Weight {name!r} has dtype {array.dtype}; TensorFlow.js stores "
                         f"float32, int32 or bool weights.")
    return np.ascontiguousarray(array.astype(array.dtype.newbyteorder("<")))


def pack_weights(named_values: list, shard_size_bytes: int = DEFAULT_SHARD_SIZE_BYTES,
                 quantization_dtype_map: dict | None = None):
    """Returns ``(manifest, shards)``: the ``weightsManifest`` list and ``{file: bytes}``.

    Args:
      named_values: ``[(name, array), ...]`` in the order tfjs should read them.
      shard_size_bytes: the largest size of one ``.bin`` file (tensorflowjs's
        ``weight_shard_size_bytes``); a weight may span two shards, as in tfjs.
      quantization_dtype_map: which float weights to store as uint8/uint16/float16
        (``quantization.dtype_for``).
    """
    if not isinstance(shard_size_bytes, int) or shard_size_bytes <= 0:
        raise ValueError(f"weight_shard_size_bytes must be a positive int, got "
                         f"{shard_size_bytes!r}.")
    entries, chunks, seen = [], [], set()
    for name, value in named_values:
        if name in seen:
            raise ValueError(f"Two weights are named {name!r}; tfjs matches weights to "
                             f"variables by name, so names must be unique.")
        seen.add(name)
        array = as_tfjs_array(name, value)
        entry = {"name": name, "shape": list(array.shape),
                 "dtype": _TFJS_DTYPES[array.dtype.newbyteorder("=")]}
        target = quant.dtype_for(name, quantization_dtype_map)
        if target is not None and entry["dtype"] == "float32":
            array, entry["quantization"] = quant.quantize(array, target)
        entries.append(entry)
        chunks.append(array.astype(np.uint8) if array.dtype == np.bool_ else array)
    data = b"".join(chunk.tobytes() for chunk in chunks)
    count = max(1, -(-len(data) // shard_size_bytes))
    shards = {f"group1-shard{i + 1}of{count}.bin":
              data[i * shard_size_bytes:(i + 1) * shard_size_bytes] for i in range(count)}
    return [{"paths": list(shards), "weights": entries}], shards


def write_shards(directory: str, shards: dict) -> None:
    """Writes each shard atomically into ``directory``."""
    for file_name, data in shards.items():
        with atomic_file.atomic_write(os.path.join(directory, file_name), "wb") as f:
            f.write(data)


def read_weights(directory: str, manifest: list) -> dict:
    """``{name: np.ndarray}`` from the shards a ``weightsManifest`` names (float32, int32
    and bool weights; quantized ones are dequantized with their ``quantization`` entry)."""
    values = {}
    for group in manifest:
        data = b"".join(_read(os.path.join(directory, path)) for path in group["paths"])
        offset = 0
        for entry in group["weights"]:
            array, offset = _decode(entry, data, offset)
            values[entry["name"]] = array
        if offset != len(data):
            raise ValueError(f"The shards {group['paths']} hold {len(data)} bytes but the "
                             f"manifest describes {offset}; the files do not match.")
    return values


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _decode(entry: dict, data: bytes, offset: int):
    shape = tuple(entry["shape"])
    count = int(np.prod(shape, dtype=np.int64))
    quantization = entry.get("quantization")
    stored = np.dtype(quantization["dtype"]).newbyteorder("<") if quantization \
        else _FROM_TFJS.get(entry["dtype"])
    if stored is None:
        raise ValueError(f"Weight {entry['name']!r} has dtype {entry['dtype']!r}; expected "
                         f"one of {sorted(_FROM_TFJS)}.")
    end = offset + count * stored.itemsize
    if end > len(data):
        raise ValueError(f"Weight {entry['name']!r} of shape {list(shape)} needs bytes "
                         f"{offset}..{end} but the shards hold only {len(data)}.")
    array = np.frombuffer(data[offset:end], dtype=stored).reshape(shape)
    if quantization:
        array = quant.dequantize(array, quantization)
    elif entry["dtype"] == "bool":
        array = array.astype(np.bool_)
    else:
        array = array.astype(stored.newbyteorder("="))
    return array, end
