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

import json
from typing import Any

KERAS_VERSION = "2.15.0"  # the Keras 2 JSON dialect written (the last Keras 2 release)
BACKEND = "tensor_flow.js"  # what tfjs itself writes in the topology it saves
_DROPPED_KEYS = ("module", "registered_name", "build_config", "compile_config",
                 "shared_object_id")


def keras2_model_topology(model_config: dict, output_shapes: dict | None = None) -> dict:
    """The ``modelTopology`` entry of a tfjs layers-model ``model.json``.

    Args:
      model_config: ``{"class_name": ..., "config": ...}`` of a Keras 3 / Fluxion model
        (what ``keras.saving.serialize_keras_object(model)`` returns).
      output_shapes: ``{layer name: output shape without the batch dimension}`` of the
        built model, used to write a ``Reshape``'s ``-1`` as the number tfjs needs.

    Returns:
      ``{"class_name", "config", "keras_version", "backend"}`` with the config in the
      Keras 2 form tfjs-layers deserializes.
    """
    if not isinstance(model_config, dict) or "class_name" not in model_config:
        raise ValueError(f"Expected a serialized model ({{'class_name': ..., 'config': ...}}), "
                         f"got {type(model_config).__name__}: {str(model_config)[:200]}")
    config = _downgrade_model_config(model_config["class_name"], model_config["config"])
    for layer in config.get("layers", []):
        if layer["class_name"] == "Reshape":
            _resolve_reshape(layer["config"], (output_shapes or {}).get(layer["config"]
                                                                        .get("name")))
    return {"class_name": model_config["class_name"], "config": config,
            "keras_version": KERAS_VERSION, "backend": BACKEND}


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
    _count_nested_models_own_node(config)
    return config


def keras3_node_numbering(topology: dict) -> dict:
    """A Keras 2 / tfjs topology with nested models' calls numbered from 0 again, as
    Keras 3 (and ``legacy_h5.upgrade_config``, which reads it next) numbers them."""
    topology = json.loads(json.dumps(topology))
    config = topology.get("config", {})
    if isinstance(config, dict) and "input_layers" in config:
        _count_nested_models_own_node(config, shift=-1)
    return topology


def _count_nested_models_own_node(config: dict, shift: int = 1) -> None:
    """A nested model rebuilt by tfjs already has a node of its own (its inputs to its
    outputs), so the calls the outer model makes are its nodes 1, 2...; Keras 3 numbers
    them from 0.  References to a nested model's outputs are shifted by one."""
    nested = {layer["name"] for layer in config["layers"]
              if layer["class_name"] in _MODEL_CLASSES}
    if not nested:
        return
    for layer in config["layers"]:
        for node in layer["inbound_nodes"]:
            for ref in node:
                if ref[0] in nested:
                    ref[1] = max(0, ref[1] + shift)
    for ref in config["output_layers"]:
        if ref[0] in nested:
            ref[1] = max(0, ref[1] + shift)


# The layer classes tfjs-layers 4.22 registers (its deserializer knows no others).
TFJS_LAYERS = frozenset("""
    Activation Add AlphaDropout Average AveragePooling1D AveragePooling2D AveragePooling3D
    BatchNormalization Bidirectional CategoryEncoding CenterCrop Concatenate Conv1D Conv2D
    Conv2DTranspose Conv3D Conv3DTranspose ConvLSTM2D Cropping2D Dense DepthwiseConv2D Dot
    Dropout ELU EinsumDense Embedding Flatten Functional GaussianDropout GaussianNoise GRU
    GlobalAveragePooling1D GlobalAveragePooling2D GlobalMaxPooling1D GlobalMaxPooling2D
    InputLayer LSTM LayerNormalization LeakyReLU Masking MaxPooling1D MaxPooling2D
    MaxPooling3D Maximum Minimum Model Multiply PReLU Permute RNN RandomHeight RandomWidth
    ReLU RepeatVector Rescaling Reshape Resizing SeparableConv2D Sequential SimpleRNN
    Softmax SpatialDropout1D ThresholdedReLU TimeDistributed UpSampling2D ZeroPadding2D
    GRUCell LSTMCell SimpleRNNCell StackedRNNCells ConvLSTM2DCell
    """.split())
# Activation names tfjs knows (snake_case as in Keras JSON), and Keras 3's new spellings.
# (Not hard_sigmoid: tfjs's is clip(0.2 x + 0.5), Keras 3's is relu6(x + 3) / 6.)
TFJS_ACTIVATIONS = frozenset("elu gelu gelu_new linear log_softmax mish relu "
                             "relu6 selu sigmoid softmax softplus softsign swish tanh".split())
_ACTIVATION_RENAMES = {"silu": "swish"}
_MODEL_CLASSES = ("Sequential", "Functional", "Model")
_LAYER_CLASSES = ("Layer",) + _MODEL_CLASSES


def _check_layer(class_name: str, config: dict) -> None:
    name = config.get("name", class_name)
    if class_name not in TFJS_LAYERS:
        raise ValueError(f"Layer {name!r} ({class_name}) has no TensorFlow.js equivalent: "
                         f"tfjs-layers 4.22 has only {', '.join(sorted(TFJS_LAYERS))}. "
                         f"Replace it, or export to ONNX instead.")
    if class_name in ("GRU", "GRUCell") and config.get("reset_after"):
        raise ValueError(f"Layer {name!r} (GRU) has reset_after=True (Keras 3's default), "
                         f"which TensorFlow.js does not implement; build the GRU with "
                         f"reset_after=False to export it.")


def _activation(value: Any, where: str) -> Any:
    if not isinstance(value, str):
        return value
    value = _ACTIVATION_RENAMES.get(value, value)
    if value not in TFJS_ACTIVATIONS:
        raise ValueError(f"{where}: activation {value!r} has no TensorFlow.js equivalent; "
                         f"expected one of {sorted(TFJS_ACTIVATIONS)}.")
    return value


def _downgrade_object(obj: dict) -> dict:
    """One serialized object (``class_name`` + ``config``), Keras 2 style."""
    class_name = obj["class_name"]
    module = obj.get("module") or ""
    if module.startswith("keras.layers") or class_name in _LAYER_CLASSES:
        _check_layer(class_name, obj["config"])
    if class_name in ("DTypePolicy", "Policy", "FloatDTypePolicy"):
        name = obj["config"]["name"]
        if name not in ("float32", "int32", "bool"):
            raise ValueError(f"dtype policy {name!r}: TensorFlow.js layers compute in "
                             f"float32; set the policy to 'float32' before exporting.")
        return name
    if class_name in ("Sequential", "Functional", "Model") and "layers" in obj["config"]:
        return {"class_name": class_name,
                "config": _downgrade_model_config(class_name, obj["config"])}
    config = _downgrade_value(obj["config"])
    for key in ("activation", "recurrent_activation"):
        if key in config:
            config[key] = _activation(config[key], f"Layer {config.get('name')!r}")
    if class_name == "Bidirectional":
        _undo_forward_prefix(config)
    if class_name == "InputLayer" and "batch_shape" in config:
        config["batch_input_shape"] = config.pop("batch_shape")
        config.pop("optional", None)
    return {"class_name": class_name, "config": config}


def _resolve_reshape(config: dict, known: list | None) -> None:
    """tfjs leaves a ``-1`` of ``Reshape`` unknown in the shapes it infers, so a layer
    after it (LayerNormalization, Dense) cannot size its weights; the output shape of
    the built layer (``known``, without the batch) fixes the value."""
    target = list(config.get("target_shape") or [])
    if -1 in target and known and len(known) == len(target) and None not in known:
        config["target_shape"] = [int(dim) for dim in known]


def _undo_forward_prefix(config: dict) -> None:
    """Keras 3 stores the wrapped layer under its ``forward_`` name; tfjs adds the prefix
    itself when it rebuilds the wrapper (and derives the backward layer from it)."""
    inner = config.get("layer", {}).get("config", {})
    if str(inner.get("name", "")).startswith("forward_"):
        inner["name"] = inner["name"][len("forward_"):]
    config.pop("backward_layer", None)


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
