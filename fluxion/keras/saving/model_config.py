"""A model's architecture and compile arguments as configs, and back: what ``.keras`` and
legacy ``.h5`` files both store (``model_to_config``, ``model_from_config``,
``get_compile_config``, ``compile_from_config``)."""

from __future__ import annotations

import inspect
import warnings

from fluxion.keras.saving.serialization import (
    SafeModeScope,
    custom_object_scope,
    deserialize_keras_object,
    serialize_keras_object,
)

# Keras 3 writes these classes with their source module (they have no public path).
_MODULE_OVERRIDES = {"Functional": ("keras.src.models.functional", "Functional")}


def model_to_config(model) -> dict:
    """The ``config.json`` content for ``model``: Keras 3's serialized form."""
    config = _keras_modules(serialize_keras_object(model))
    build_config = model.get_build_config()
    if build_config is not None:
        config["build_config"] = build_config
    compile_config = model.get_compile_config()
    if compile_config is not None:
        # an overridden get_compile_config may return objects (functions, optimizers):
        # Keras serializes its values, as it does every config
        config["compile_config"] = serialize_keras_object(compile_config)
    return config


def _keras_modules(config):
    """Writes Keras's own module for classes whose Fluxion module has no Keras counterpart."""
    if isinstance(config, list):
        return [_keras_modules(item) for item in config]
    if not isinstance(config, dict):
        return config
    config = {key: _keras_modules(value) for key, value in config.items()}
    override = _MODULE_OVERRIDES.get(config.get("class_name"))
    if override and config.get("module") == "keras":
        config["module"], config["registered_name"] = override
    return config


def model_from_config(config: dict, custom_objects=None, compile: bool = True,
                      safe_mode: bool = True):
    """Rebuilds (builds, and compiles when asked) a model from its ``config.json`` dict."""
    config = dict(config)
    build_config = config.pop("build_config", None)
    compile_config = config.pop("compile_config", None)
    with custom_object_scope(custom_objects or {}), SafeModeScope(safe_mode):
        model = deserialize_keras_object(config, custom_objects=custom_objects,
                                         safe_mode=safe_mode)
        if build_config and not model.built:
            model.build_from_config(build_config)
            model.built = True
        if compile and compile_config:
            model.compile_from_config(compile_config)
    return model


def get_compile_config(model) -> dict | None:
    """The arguments ``compile`` was given, serialized as Keras 3 writes them."""
    raw = getattr(model, "_compile_config", None)
    if raw is None or not getattr(model, "compiled", False):
        return None
    jit_compile = raw.get("jit_compile")
    return {"optimizer": serialize_keras_object(model.optimizer),
            "loss": serialize_keras_object(model.loss),
            "loss_weights": serialize_keras_object(raw.get("loss_weights")),
            "metrics": serialize_keras_object(raw.get("metrics")),
            "weighted_metrics": serialize_keras_object(raw.get("weighted_metrics")),
            "run_eagerly": bool(raw.get("run_eagerly", False)),
            "steps_per_execution": raw.get("steps_per_execution", 1),
            "jit_compile": jit_compile if isinstance(jit_compile, bool) else False}


def compile_from_config(model, config: dict, build_optimizer: bool = True) -> None:
    """Compiles ``model`` from a compile config and creates the optimizer's variables."""
    if model.compile_is_overridden():
        warnings.warn("`compile()` was not called as part of model loading because the model's "
                      "`compile()` method is custom. All subclassed Models that have "
                      "`compile()` overridden should also override `get_compile_config()` and "
                      "`compile_from_config(config)`. Alternatively, you can call `compile()` "
                      "manually after loading.", stacklevel=3)
        return
    accepted = inspect.signature(type(model).compile).parameters
    args = {key: _deserialize_nested(value) for key, value in config.items()
            if key in accepted and key != "self"}
    if args.get("optimizer") is None:
        args.pop("optimizer", None)
    model.compile(**args)
    if build_optimizer and model.built and model.optimizer is not None \
            and not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)


def _deserialize_nested(value):
    if isinstance(value, dict) and "class_name" in value:
        if value.get("module") == "keras.optimizers" or _is_optimizer_config(value):
            from fluxion.keras import optimizers

            return optimizers.deserialize(value)
        return deserialize_keras_object(value)
    if isinstance(value, dict):
        return {key: _deserialize_nested(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_deserialize_nested(item) for item in value]
    return value


def _is_optimizer_config(value: dict) -> bool:
    from fluxion.keras import optimizers

    return str(value.get("class_name", "")).lower() in optimizers.ALL_OBJECTS_DICT


# --- whole models ---------------------------------------------------------------------------------
