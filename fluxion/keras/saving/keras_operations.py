"""Keras 3 operations in functional configs (``x + y``, mask ops), loaded and saved back.

When a Keras 3 functional model applies an op to KerasTensors (``x + y`` becomes
``keras.ops.add``; a ``mask_zero`` Embedding's mask becomes ``not_equal``), its config
holds an entry ``{"module": "keras.src.ops.numpy", "class_name": "Add", ...}``.  On load
each such entry becomes a ``KerasOperation`` layer that calls the matching
``fluxion.keras.ops`` function; on save it is written back in Keras's form, so the file
still loads in Keras.
"""

from __future__ import annotations

from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.weights_h5 import to_snake_case

SCOPE_NAME = "__fluxion_keras_operation__"
_OPS_PREFIX = "keras.src.ops."


class KerasOperation(Layer):
    """A ``keras.ops`` function as a node of a functional model."""

    def __init__(self, op_module: str, op_class: str, op_config=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        from fluxion.keras import ops

        self.op_module, self.op_class = op_module, op_class
        self.op_config = dict(op_config or {})
        self._function = getattr(ops, to_snake_case(op_class), None)
        if self._function is None:
            raise TypeError(f"The model uses the Keras operation {op_module}.{op_class}, which "
                            f"fluxion.keras.ops does not provide (no "
                            f"`{to_snake_case(op_class)}`).")
        self.built = True

    def call(self, *args, **kwargs):
        return self._function(*args, **{**self.op_config, **kwargs})

    def get_config(self) -> dict:
        return {"name": self.name, "op_module": self.op_module, "op_class": self.op_class,
                "op_config": dict(self.op_config)}


def scope() -> dict:
    """The custom objects under which converted configs deserialize."""
    return {SCOPE_NAME: KerasOperation}


def from_keras(config):
    """Rewrites Keras operation entries of a config as ``KerasOperation`` entries."""
    if isinstance(config, list):
        return [from_keras(item) for item in config]
    if not isinstance(config, dict):
        return config
    config = {key: from_keras(value) for key, value in config.items()}
    module = config.get("module")
    if isinstance(module, str) and module.startswith(_OPS_PREFIX) and "class_name" in config:
        inner = dict(config.get("config") or {})
        name = inner.pop("name", config.get("name"))
        config["config"] = {"name": name, "op_module": module,
                            "op_class": config["class_name"], "op_config": inner}
        config["module"], config["class_name"] = "fluxion.keras.saving", "KerasOperation"
        config["registered_name"] = SCOPE_NAME
    return config


def to_keras(config):
    """The inverse of ``from_keras``: ``KerasOperation`` entries back in Keras's form."""
    if isinstance(config, list):
        return [to_keras(item) for item in config]
    if not isinstance(config, dict):
        return config
    config = {key: to_keras(value) for key, value in config.items()}
    if config.get("class_name") == "KerasOperation" and isinstance(config.get("config"), dict):
        inner = config["config"]
        config["module"], config["class_name"] = inner["op_module"], inner["op_class"]
        config["registered_name"] = inner["op_class"]
        config["config"] = {"name": inner["name"], **inner.get("op_config", {})}
        config.pop("build_config", None)
    return config
