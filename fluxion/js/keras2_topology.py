"""A Keras 3 model config rewritten in the Keras 2 form that TensorFlow.js reads.

tfjs-layers 4.x (``tf.loadLayersModel``) deserializes the ``modelTopology`` of a
``model.json`` as the Keras 2 JSON that ``tensorflowjs_converter`` wrote.  Keras 3 and
Fluxion serialize a few things differently, and tfjs refuses or misreads them:

- ``InputLayer`` holds ``batch_shape``; tfjs wants ``batch_input_shape``.
- A layer's ``dtype`` is a ``DTypePolicy`` object; tfjs wants the dtype's name.
- Every serialized object carries ``module``, ``registered_name`` and ``build_config``
  keys; Keras 2 had only ``class_name`` and ``config``.
- A functional layer's ``inbound_nodes`` are ``{"args": [...], "kwargs": {...}}`` with
  ``__keras_tensor__`` references; Keras 2 wrote one list a call of
  ``[layer_name, node_index, tensor_index, kwargs]`` entries.
- A functional model's single input or output is ``[name, 0, 0]``; Keras 2 always
  wrapped them in a list.

``keras2_model_topology`` applies these rewrites; ``legacy_h5.upgrade_config`` (the
reader of Keras 2 files) undoes them, which ``load_keras_model`` relies on.
"""

from __future__ import annotations

from typing import Any

KERAS_VERSION = "2.15.0"  # the Keras 2 JSON dialect written (the last Keras 2 release)
BACKEND = "tensor_flow.js"  # what tfjs itself writes in the topology it saves
_DROPPED_KEYS = ("module", "registered_name", "build_config", "compile_config",
                 "shared_object_id")


def keras2_model_topology(model_config: dict) -> dict:
    """The ``modelTopology`` entry of a tfjs layers-model ``model.json``.

    Args:
      model_config: ``{"class_name": ..., "config": ...}`` of a Keras 3 / Fluxion model
        (what ``keras.saving.serialize_keras_object(model)`` returns).

    Returns:
      ``{"class_name", "config", "keras_version", "backend"}`` with the config in the
      Keras 2 form tfjs-layers deserializes.
    """
    if not isinstance(model_config, dict) or "class_name" not in model_config:
        raise ValueError(f"Expected a serialized model ({{'class_name': ..., 'config': ...}}), "
                         f"got {type(model_config).__name__}: {str(model_config)[:200]}")
    return {"class_name": model_config["class_name"],
            "config": _downgrade_model_config(model_config["class_name"],
                                              model_config["config"]),
            "keras_version": KERAS_VERSION,
            "backend": BACKEND}


def _downgrade_model_config(class_name: str, config: dict) -> dict:
    if class_name == "Sequential" or "input_layers" not in config:
        return _downgrade_value(config)
    # A functional model: its layer entries carry their calls (``inbound_nodes``).
    layers = [_downgrade_functional_layer(layer) for layer in config.get("layers", [])]
    config = _downgrade_value({key: value for key, value in config.items()
                               if key != "layers"})
    config["layers"] = layers
    for key in ("input_layers", "output_layers"):
        config[key] = _as_list_of_refs(config[key])
    return config


def _downgrade_object(obj: dict) -> dict:
    """One serialized object (``class_name`` + ``config``), Keras 2 style."""
    class_name = obj["class_name"]
    if class_name in ("DTypePolicy", "Policy", "FloatDTypePolicy"):
        return obj["config"]["name"]
    if class_name in ("Sequential", "Functional", "Model") and "layers" in obj["config"]:
        return {"class_name": class_name,
                "config": _downgrade_model_config(class_name, obj["config"])}
    config = _downgrade_value(obj["config"])
    if class_name == "InputLayer" and "batch_shape" in config:
        config["batch_input_shape"] = config.pop("batch_shape")
        config.pop("optional", None)
    return {"class_name": class_name, "config": config}


def _downgrade_value(value: Any) -> Any:
    if isinstance(value, list):
        return [_downgrade_value(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "class_name" in value and isinstance(value.get("config"), dict):
        return _downgrade_object(value)
    return {key: _downgrade_value(item) for key, item in value.items()
            if key not in _DROPPED_KEYS}


def _downgrade_functional_layer(layer: dict) -> dict:
    downgraded = _downgrade_object(layer)
    downgraded["name"] = layer.get("name", downgraded["config"].get("name"))
    downgraded["inbound_nodes"] = [_downgrade_node(node, downgraded["name"])
                                   for node in layer.get("inbound_nodes", [])]
    return downgraded


def _downgrade_node(node: Any, layer_name: str) -> list:
    """``{"args": [...], "kwargs": {...}}`` -> ``[[name, node, tensor, kwargs], ...]``."""
    if isinstance(node, list):  # already Keras 2's form
        return node
    args = node.get("args", [])
    kwargs = _downgrade_value(node.get("kwargs", {}))
    refs = []
    for arg in args:
        refs.extend(_tensor_refs(arg, layer_name))
    if not refs:
        raise ValueError(f"Layer {layer_name!r} has a call with no tensor argument "
                         f"({node}); TensorFlow.js needs each call to consume a tensor.")
    return [ref + [kwargs] for ref in refs]


def _tensor_refs(arg: Any, layer_name: str) -> list:
    if isinstance(arg, dict) and arg.get("class_name") == "__keras_tensor__":
        name, node_index, tensor_index = arg["config"]["keras_history"]
        return [[name, node_index, tensor_index]]
    if isinstance(arg, (list, tuple)):
        refs = []
        for item in arg:
            refs.extend(_tensor_refs(item, layer_name))
        return refs
    return []  # a constant argument: Keras 2's node form has no place for it


def _as_list_of_refs(refs: list) -> list:
    if refs and not isinstance(refs[0], list):  # one ref, [name, 0, 0]
        return [list(refs)]
    return [list(ref) for ref in refs]
