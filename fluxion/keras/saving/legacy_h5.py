"""Reading the legacy full-model ``.h5`` files of Keras 2 (and Keras 3's ``model.save("x.h5")``).

Such a file holds the model's JSON config in the ``model_config`` attribute, the compile
arguments in ``training_config``, and the weights in ``model_weights``: one group per
layer (listed in the ``layer_names`` attribute) whose ``weight_names`` attribute lists
its datasets in the layer's weight order.  Weights are matched to layers by order (the
layers that have weights, in model order) or, with ``by_name=True``, by layer name.

Keras 2 configs differ from Keras 3's in a few places that are translated here:
``batch_input_shape``, single-element ``axis`` lists, ``Policy`` dtypes, functional
``inbound_nodes`` written as ``[[layer, node, tensor, kwargs], ...]``, and optimizer
configs with ``lr``/``decay``/``jit_compile``/``is_legacy_optimizer``.
"""

from __future__ import annotations

import json
import warnings

import numpy as np

from fluxion.keras.saving import h5_safety
from fluxion.keras.saving.weights_h5 import require_h5py

_DROPPED_OPTIMIZER_KEYS = ("jit_compile", "is_legacy_optimizer", "decay")


# --- Keras 2 configs -> Keras 3 configs ------------------------------------------------------
def upgrade_config(config):
    """A Keras 2 model/layer config rewritten in Keras 3's form (Keras 3 configs pass through)."""
    if isinstance(config, list):
        return [upgrade_config(item) for item in config]
    if not isinstance(config, dict):
        return config
    if "class_name" not in config or not isinstance(config.get("config"), dict):
        return {key: upgrade_config(value) for key, value in config.items()}
    config = dict(config)
    class_name = config["class_name"]
    inner = dict(config["config"])
    batch_input_shape = inner.pop("batch_input_shape", None)
    if batch_input_shape is not None:
        key = "batch_shape" if class_name == "InputLayer" else "input_shape"
        inner[key] = batch_input_shape if key == "batch_shape" else batch_input_shape[1:]
    axis = inner.get("axis")
    if isinstance(axis, list) and len(axis) == 1:
        inner["axis"] = int(axis[0])
    dtype = inner.get("dtype")
    if isinstance(dtype, dict) and dtype.get("class_name") == "Policy":
        inner["dtype"] = dtype.get("config", {}).get("name", "float32")
    if class_name == "Embedding":
        inner.pop("input_length", None)
    if class_name == "Sequential" and "layers" in inner:
        inner["layers"] = _sequential_layers(inner["layers"])
    elif "layers" in inner:
        inner["layers"] = [_upgrade_functional_layer(layer) for layer in inner["layers"]]
        for key in ("input_layers", "output_layers"):  # Keras 2 wrapped even a single one
            refs = inner.get(key)
            if isinstance(refs, list) and len(refs) == 1 and isinstance(refs[0], list):
                inner[key] = refs[0]
    else:
        inner = {key: upgrade_config(value) for key, value in inner.items()}
    config["config"] = inner
    return config


def _sequential_layers(layers: list) -> list:
    layers = [upgrade_config(layer) for layer in layers]
    if layers and layers[0].get("class_name") != "InputLayer":
        first = layers[0]["config"]
        shape = first.pop("input_shape", None)
        if shape is not None:  # Keras 2 put the input shape on the first layer
            layers.insert(0, {"class_name": "InputLayer",
                              "config": {"batch_shape": [None] + list(shape),
                                         "dtype": first.get("dtype", "float32")
                                         if isinstance(first.get("dtype"), str) else "float32",
                                         "name": f"{first.get('name', 'input')}_input"}})
    return layers


def _upgrade_functional_layer(layer: dict) -> dict:
    upgraded = upgrade_config(layer)
    nodes = layer.get("inbound_nodes", [])
    upgraded["inbound_nodes"] = [_upgrade_node(node) for node in nodes]
    if "name" not in upgraded:
        upgraded["name"] = upgraded["config"].get("name")
    return upgraded


def _upgrade_node(node):
    if isinstance(node, dict):  # already Keras 3's {"args": ..., "kwargs": ...}
        return node
    refs = [_tensor_ref(entry) for entry in node]
    kwargs = node[0][3] if node and len(node[0]) > 3 and isinstance(node[0][3], dict) else {}
    return {"args": [refs[0]] if len(refs) == 1 else [refs], "kwargs": dict(kwargs)}


def _tensor_ref(entry) -> dict:
    name, node_index, tensor_index = entry[0], entry[1], entry[2]
    return {"class_name": "__keras_tensor__",
            "config": {"shape": None, "dtype": None,
                       "keras_history": [name, node_index, tensor_index]}}


def upgrade_optimizer_config(config: dict) -> dict:
    config = dict(config)
    inner = dict(config.get("config", {}))
    if "lr" in inner:
        inner.setdefault("learning_rate", inner.pop("lr"))
    for key in _DROPPED_OPTIMIZER_KEYS:
        inner.pop(key, None)
    config["config"] = inner
    return config


# --- HDF5 attributes --------------------------------------------------------------------------
def _text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def load_attributes(group, name: str) -> list:
    """A list attribute, also when Keras split it into ``name0``, ``name1``... chunks."""
    if name in group.attrs:
        return [_text(v) for v in np.asarray(group.attrs[name]).ravel()]
    values, chunk = [], 0
    while f"{name}{chunk}" in group.attrs:
        values.extend(_text(v) for v in np.asarray(group.attrs[f"{name}{chunk}"]).ravel())
        chunk += 1
    return values


def _layer_values(group) -> list:
    """The layer's weight datasets, checked (no links out, no foreign storage), unread."""
    return [h5_safety.dataset(group, name) for name in load_attributes(group, "weight_names")]


def _legacy_weights(layer) -> list:
    return layer.trainable_weights + layer.non_trainable_weights


# --- weights ------------------------------------------------------------------------------------
def load_weights_from_group(group, model, skip_mismatch: bool = False,
                            by_name: bool = False) -> None:
    """Loads ``model_weights`` into ``model`` by layer order (or name); all-or-nothing."""
    plan = _plan_by_name(group, model, skip_mismatch) if by_name else \
        _plan_by_order(group, model, skip_mismatch)
    arrays = [(variable, value.read()) for variable, value in plan]  # every shape checked
    for variable, value in arrays:
        variable.assign(value.astype(variable.dtype.np_dtype, copy=False))


def _plan_by_order(group, model, skip_mismatch: bool) -> list:
    layers = [layer for layer in model.layers if _legacy_weights(layer)]
    names = [name for name in load_attributes(group, "layer_names")
             if load_attributes(h5_safety.child(group, name), "weight_names")]
    if len(names) != len(layers):
        raise ValueError(f"Layer count mismatch when loading weights from file. Model expected "
                         f"{len(layers)} layers, found {len(names)} saved layers.")
    plan = []
    for k, (name, layer) in enumerate(zip(names, layers)):
        values = _layer_values(h5_safety.child(group, name))
        variables = _legacy_weights(layer)
        if len(values) != len(variables):
            raise ValueError(f"Weight count mismatch for layer #{k} (named {layer.name} in the "
                             f"current model, {name} in the save file). Layer expects "
                             f"{len(variables)} weight(s). Received {len(values)} saved "
                             f"weight(s)")
        plan.extend(_pairs(variables, values, f"layer #{k} (named {layer.name})",
                           skip_mismatch))
    return plan


def _plan_by_name(group, model, skip_mismatch: bool) -> list:
    index: dict = {}
    for layer in model.layers:
        index.setdefault(layer.name, []).append(layer)
    plan = []
    for k, name in enumerate(load_attributes(group, "layer_names")):
        values = _layer_values(h5_safety.child(group, name))
        for layer in index.get(name, []):
            variables = _legacy_weights(layer)
            if len(values) != len(variables):
                msg = (f"layer #{k} (named {layer.name}) due to mismatch in number of weights. "
                       f"Layer expects {len(variables)} weight(s). Received {len(values)} "
                       f"saved weight(s)")
                if skip_mismatch:
                    warnings.warn(f"Skipping loading of weights for {msg}", stacklevel=4)
                    continue
                raise ValueError(f"Weight count mismatch for {msg}")
            plan.extend(_pairs(variables, values, f"layer #{k} (named {layer.name})",
                               skip_mismatch))
    return plan


def _pairs(variables: list, values: list, name: str, skip_mismatch: bool) -> list:
    pairs = []
    for variable, value in zip(variables, values):
        if tuple(variable.shape) != tuple(value.shape):
            msg = (f"{name} for weight {variable.path}. Weight expects shape "
                   f"{tuple(variable.shape)}. Received saved weight with shape {value.shape}")
            if skip_mismatch:
                warnings.warn(f"Skipping loading weights for {msg}", stacklevel=5)
                continue
            raise ValueError(f"Shape mismatch in {msg}")
        pairs.append((variable, value))
    return pairs


# --- whole models ---------------------------------------------------------------------------------
def load_model(filepath, custom_objects=None, compile: bool = True, safe_mode: bool = True):
    """A model from a legacy ``.h5`` file, with its weights (and, if compiled, optimizer)."""
    from fluxion.keras.saving.model_config import compile_from_config, model_from_config

    h5py = require_h5py()
    try:
        f = h5py.File(filepath, "r")
    except OSError as error:
        raise ValueError(f"'{filepath}' is not a readable HDF5 file ({error}): it is damaged, "
                         f"truncated or of another kind.") from error
    with f:
        raw = f.attrs.get("model_config")
        if raw is None:
            raise ValueError(f"No model config found in the file at {filepath}.")
        config = upgrade_config(_json_attribute(raw, "model_config", filepath))
        model = model_from_config(config, custom_objects=custom_objects, compile=False,
                                  safe_mode=safe_mode)
        if "model_weights" not in f:
            raise ValueError(f"'{filepath}' has a model config but no 'model_weights' group.")
        load_weights_from_group(h5_safety.child(f, "model_weights"), model)
        training = f.attrs.get("training_config")
        if not compile:
            return model
        if training is None:
            warnings.warn("No training configuration found in the save file, so the model was "
                          "*not* compiled. Compile it manually.", stacklevel=2)
            return model
        training = _json_attribute(training, "training_config", filepath)
        try:
            arguments = _compile_args(training)
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"'{filepath}': its training_config is damaged "
                             f"({type(error).__name__}: {error}).") from None
        compile_from_config(model, arguments, build_optimizer=True)
        if "optimizer_weights" in f:
            _load_optimizer_weights(h5_safety.child(f, "optimizer_weights"), model.optimizer)
    return model


def _json_attribute(raw, name: str, filepath) -> dict:
    """A JSON attribute of a legacy file, as a dict; anything else is a damaged file."""
    try:
        value = json.loads(_text(raw))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"'{filepath}': its {name} attribute is not valid JSON ({error}); "
                         f"the file is damaged.") from None
    if not isinstance(value, dict):
        raise ValueError(f"'{filepath}': its {name} attribute should be a JSON object, got "
                         f"{type(value).__name__}; the file is damaged.")
    return value


def _compile_args(training: dict) -> dict:
    args = {"optimizer": upgrade_optimizer_config(training["optimizer_config"])
            if training.get("optimizer_config") else "rmsprop"}
    for key in ("loss", "metrics", "weighted_metrics", "loss_weights"):
        if training.get(key) is not None:
            args[key] = training[key]
    return args


def _load_optimizer_weights(group, optimizer) -> None:
    names = load_attributes(group, "weight_names")
    values = [h5_safety.dataset(group, name) for name in names]
    variables = optimizer.variables
    if len(values) != len(variables) or any(
            tuple(v.shape) != tuple(x.shape) for v, x in zip(variables, values)):
        warnings.warn("Error in loading the saved optimizer state. As a result, your model is "
                      "starting with a freshly initialized optimizer.", stacklevel=3)
        return
    for variable, value in zip(variables, [value.read() for value in values]):
        variable.assign(value.astype(variable.dtype.np_dtype, copy=False))
