"""Saving a Keras model as a TensorFlow.js layers model, and loading one back.

The spelling follows the ``tensorflowjs`` package (``tfjs.converters.save_keras_model``)
so that code written for it runs unchanged::

    import fluxion.js as tfjs
    tfjs.converters.save_keras_model(model, "web_model")

and in the browser ``await tf.loadLayersModel("web_model/model.json")``.  The directory
then holds ``model.json`` (format ``layers-model``: the Keras 2 topology tfjs-layers
reads, from ``keras2_topology``, and the ``weightsManifest``) and the weight shards
(``weights_manifest``).  Every file is written atomically; ``model.json`` goes last, so
a directory holds a loadable model only once all its shards are complete.
"""

from __future__ import annotations

import json
import os

import numpy as np

from fluxion.core import atomic_file
from fluxion.js import keras2_topology, weights_manifest
from fluxion.version import __version__

MODEL_JSON = "model.json"
FORMAT = "layers-model"


# Keras 3 renamed a few weights that tfjs-layers still calls by their Keras 2 names.
_KERAS2_WEIGHT_NAMES = {("DepthwiseConv2D", "kernel"): "depthwise_kernel"}


def named_weights(model) -> list:
    """``[(name, np.ndarray), ...]``: each weight of ``model`` once, named as tfjs-layers
    looks it up: ``<layer>/<weight>`` (``dense/kernel``), or ``<layer>/<inner>/<weight>``
    for weights of an inner layer or cell (``lstm/lstm_cell/kernel``,
    ``bidirectional/forward_lstm/lstm_cell/kernel``), which tfjs also finds under the
    name without the next-to-last part, as it found tf.keras 2's names."""
    entries, seen = [], set()
    for layer in model.layers:
        for prefix, owner in _weight_owners(layer):
            for variable in owner.weights:
                if id(variable) in seen:
                    continue
                seen.add(id(variable))
                path = variable.path
                if not path.startswith(owner.name + "/"):
                    path = f"{owner.name}/{path}"
                parts = path.split("/")
                parts[-1] = _KERAS2_WEIGHT_NAMES.get((type(owner).__name__, parts[-1]),
                                                     parts[-1])
                entries.append(("/".join(prefix + parts), np.asarray(variable.numpy())))
    for variable in model.weights:
        if id(variable) not in seen:
            raise ValueError(f"Weight {variable.path!r} belongs to no layer of the model; "
                             f"TensorFlow.js loads only the weights of its layers.")
    return entries


def _weight_owners(layer) -> list:
    """``[(name prefix, layer), ...]``: the (sub)layers whose weights tfjs scopes apart."""
    forward = getattr(layer, "forward_layer", None)
    backward = getattr(layer, "backward_layer", None)
    if forward is not None and backward is not None:  # Bidirectional
        return [([layer.name], forward), ([layer.name], backward)]
    if type(layer).__name__ in ("Sequential", "Functional", "Model") and layer.layers:
        # A nested model builds its layers in their own scopes (``inner_dense/kernel``).
        return [owner for inner in layer.layers for owner in _weight_owners(inner)]
    return [([], layer)]


def model_json(model, weights_manifest_entries: list) -> dict:
    """The ``model.json`` dict of ``model`` with the given ``weightsManifest``."""
    from fluxion.keras.saving.serialization import serialize_keras_object

    return {"format": FORMAT,
            "generatedBy": f"Fluxion {__version__} (Keras "
                           f"{keras2_topology.KERAS_VERSION} topology)",
            "convertedBy": f"Fluxion {__version__} fluxion.js converter",
            "modelTopology": keras2_topology.keras2_model_topology(
                serialize_keras_object(model), _output_shapes(model)),
            "weightsManifest": weights_manifest_entries}


def _output_shapes(model) -> dict:
    """``{layer name: output shape without the batch}`` for single-output layers."""
    shapes = {}
    for layer in model.layers:
        try:
            shape = layer.output.shape
        except (AttributeError, ValueError, RuntimeError):
            continue
        if shape is not None:
            shapes[layer.name] = list(shape)[1:]
    return shapes


def save_keras_model(model, artifacts_dir, quantization_dtype_map=None,
                     weight_shard_size_bytes: int = weights_manifest.DEFAULT_SHARD_SIZE_BYTES,
                     metadata: dict | None = None) -> None:
    """Writes ``model`` as a TensorFlow.js layers model into ``artifacts_dir``.

    Args:
      model: a built Keras (Fluxion) ``Sequential`` or functional model.
      artifacts_dir: the directory to write (created if missing); it receives
        ``model.json`` and ``group1-shard*of*.bin``.
      quantization_dtype_map: weights to store smaller, ``{"uint8": "*"}`` or
        ``{"float16": ["dense/*"]}`` (dtypes uint8, uint16, float16; shell patterns on
        weight names); tfjs dequantizes them to float32 when it loads the model.
      weight_shard_size_bytes: the largest size of one weight file (4 MiB by default).
      metadata: an optional dict stored as ``userDefinedMetadata`` (what tfjs's
        ``metadata`` argument writes).

    Example:
      >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
      >>> save_keras_model(model, "/tmp/web_model")   # then tf.loadLayersModel(...)
    """
    if not getattr(model, "built", True) or not model.weights and not model.layers:
        raise ValueError("The model has no layers or is not built; call it on data or give "
                         "it an Input before saving it for TensorFlow.js.")
    directory = os.fspath(artifacts_dir)
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise ValueError(f"artifacts_dir must be a directory, but {directory!r} is a file.")
    manifest, shards = weights_manifest.pack_weights(named_weights(model),
                                                     weight_shard_size_bytes,
                                                     quantization_dtype_map)
    content = model_json(model, manifest)
    if metadata is not None:
        content["userDefinedMetadata"] = metadata
    text = json.dumps(content)  # fails before any file is touched if not serializable
    os.makedirs(directory, exist_ok=True)
    weights_manifest.write_shards(directory, shards)
    with atomic_file.atomic_write(os.path.join(directory, MODEL_JSON), "w",
                                  encoding="utf-8") as f:
        f.write(text)


def load_keras_model(config_json_path, custom_objects=None):
    """A Fluxion Keras model from a tfjs layers-model ``model.json`` and its shards.

    Args:
      config_json_path: the ``model.json`` path (shards are read from its directory).
      custom_objects: classes for custom layers, as in ``keras.models.load_model``.
    """
    from fluxion.keras.saving.legacy_h5 import upgrade_config
    from fluxion.keras.saving.saving_api import model_from_config

    path = os.fspath(config_json_path)
    with open(path, encoding="utf-8") as f:
        try:
            content = json.load(f)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path!r} is not JSON ({error}).") from None
    if content.get("format", FORMAT) != FORMAT or "modelTopology" not in content:
        raise ValueError(f"{path!r} is not a TensorFlow.js layers model: expected format "
                         f"{FORMAT!r} with a modelTopology, got format "
                         f"{content.get('format')!r} and keys {sorted(content)}.")
    topology = content["modelTopology"]
    topology = topology.get("model_config", topology)  # tfjs's own saves nest it
    topology = keras2_topology.keras3_node_numbering(topology)
    model = model_from_config(upgrade_config(topology), custom_objects=custom_objects,
                              compile=False)
    values = weights_manifest.read_weights(os.path.dirname(path) or ".",
                                           content.get("weightsManifest", []))
    _assign_by_name(model, values, path)
    return model


def _assign_by_name(model, values: dict, path: str) -> None:
    variables = dict((name, None) for name, _ in named_weights(model))
    by_name = {}
    for variable in model.weights:
        by_name.setdefault(variable.path, variable)
    missing = [name for name in variables if name not in values]
    unused = [name for name in values if name not in by_name]
    if missing or unused:
        raise ValueError(f"The weights in {path!r} do not match the model: missing "
                         f"{missing}, not in the model {unused}.")
    for name, variable in by_name.items():
        value = values[name]
        if tuple(value.shape) != tuple(variable.shape):
            raise ValueError(f"Weight {name!r}: the model expects shape "
                             f"{tuple(variable.shape)}, the file holds {tuple(value.shape)}.")
        variable.assign(value.astype(np.dtype(variable.dtype.name)
                                     if hasattr(variable.dtype, "name") else value.dtype))
