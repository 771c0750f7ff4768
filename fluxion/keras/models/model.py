"""``Model``: a layer that trains (``compile``/``fit``/``evaluate``/``predict``).

``Model(inputs, outputs)`` builds a functional model; subclassing ``Model`` and writing
``call`` gives a subclassed model.  Training lives in ``Trainer``; the summary table in
``summary``.
"""

from __future__ import annotations

import json

from fluxion.keras.layers.layer import Layer
from fluxion.keras.models.trainer import Trainer
from fluxion.keras.saving import export_formats, saving_api
from fluxion.keras.saving.serialization import keras_class, serialize_keras_object


@keras_class("keras")
class Model(Trainer, Layer):
    """Groups layers into an object with training and inference features (``keras.Model``)."""

    # ``Model(inputs, outputs)`` is a ``Functional``, a subclass of Model defined in
    # functional.py; it records itself here when defined (fluxion.keras.models loads it), so
    # that this module need not import the one that builds on it.
    functional_form: type | None = None

    def __new__(cls, *args, **kwargs):
        if cls is Model and functional_arguments(args, kwargs):
            return Model.functional_form.__new__(Model.functional_form)
        return super().__new__(cls)

    def __init__(self, *args, **kwargs):
        if functional_arguments(args, kwargs):
            # Model(inputs, outputs), or a subclass of Model that kept this constructor
            # (class CustomModel(keras.Model) overriding train_step): the instance becomes
            # functional, its own methods still first in line.
            functional = Model.functional_form
            if not isinstance(self, functional):
                self.__class__ = functional.variant_of(type(self))
            functional.__init__(self, *args, **kwargs)
            return
        trainable = kwargs.pop("trainable", True)
        name = kwargs.pop("name", None)
        dtype = kwargs.pop("dtype", None)
        Layer.__init__(self, *args, trainable=trainable, name=name, dtype=dtype, **kwargs)
        Trainer.__init__(self)

    # --- structure --------------------------------------------------------------------------------
    @property
    def layers(self) -> list:
        return list(self._layers)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by name or by index in ``layers``."""
        if index is not None and name is not None:
            raise ValueError("Provide only a layer name or a layer index, not both.")
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only "
                                 f"has {len(self.layers)} layers.")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: "
                         f"{[layer.name for layer in self.layers]}.")

    def build(self, input_shape=None) -> None:
        """Builds a subclassed model by tracing ``call`` on symbolic inputs of ``input_shape``."""
        if self.built:
            return
        if input_shape is None:
            raise ValueError(f"Model {self.name} cannot be built without an input shape: call "
                             f"it on data or pass build(input_shape).")
        from fluxion.keras.engine.keras_tensor import output_spec_for_shapes

        self._build_shapes = input_shape
        self.built = True
        try:
            output_spec_for_shapes(self, input_shape)
        except Exception:
            self.built = False
            raise

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None) -> None:
        """Prints Keras's table: layer (type), output shape, parameter count, totals."""
        from fluxion.keras.models.summary import print_summary

        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable,
                      layer_range=layer_range)

    # --- configuration ----------------------------------------------------------------------------
    def get_config(self) -> dict:
        return {"name": self.name, "trainable": self.trainable}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        if "input_layers" in config and "layers" in config:  # a functional model's config
            return Model.functional_form.build_from_config(cls, config, custom_objects)
        return super().from_config(config)

    def to_json(self, **kwargs) -> str:
        """The model's serialized config as JSON (``keras.models.model_from_json`` reads it)."""
        return json.dumps(serialize_keras_object(self), **kwargs)

    def get_compile_config(self) -> dict | None:
        return saving_api.get_compile_config(self)

    def compile_from_config(self, config: dict) -> None:
        saving_api.compile_from_config(self, config)

    # --- saving (fluxion/keras/saving) ------------------------------------------------------------
    def save(self, filepath, overwrite: bool = True, zipped=None, **kwargs) -> None:
        """Saves the model as a Keras 3 ``.keras`` file (``keras.saving.save_model``)."""
        saving_api.save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def save_weights(self, filepath, overwrite: bool = True, max_shard_size=None) -> None:
        """Saves the variables to a ``.weights.h5`` file (``keras.saving.save_weights``)."""
        saving_api.save_weights(self, filepath, overwrite=overwrite, max_shard_size=max_shard_size)

    def load_weights(self, filepath, skip_mismatch: bool = False, **kwargs) -> None:
        """Loads variables from ``.weights.h5``, ``.keras`` or legacy ``.h5`` files."""
        saving_api.load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    def export(self, filepath, format: str = "tf_saved_model", verbose=None,
               input_signature=None, **kwargs) -> None:
        """Exports the model for inference outside Fluxion (Keras 3's ``Model.export``).

        ``format="tf_saved_model"`` (the default) writes a saved model directory
        (``fluxion.saved_model``) with the endpoint ``serve`` and the signature
        ``serving_default``, ready for ``fluxion serve`` (TensorFlow Serving's API);
        ``input_signature`` (a list of ``TensorSpec`` s) overrides the model's input
        shapes.  ``format="onnx"`` writes an ONNX file (``fluxion.onnx.export``);
        ``opset_version`` picks the opset (default 17).  ``format="litert"`` writes a
        ``.tflite`` file (``fluxion.lite``); keyword arguments set the converter's options.
        """
        # The exporters sit above Keras and register their formats (saving/export_formats.py).
        exporter = export_formats.export_function(format)
        exporter(self, filepath, verbose=verbose, input_signature=input_signature, **kwargs)

    def __call__(self, *args, **kwargs):
        return Layer.__call__(self, *args, **kwargs)


def functional_arguments(args: tuple, kwargs: dict) -> bool:
    """Whether constructor arguments are a functional model's ``(inputs, outputs)``."""
    return (len(args) == 2 or (len(args) == 1 and "outputs" in kwargs)
            or ("inputs" in kwargs and "outputs" in kwargs))


def model_from_json(json_string: str, custom_objects=None):
    """Rebuilds a model (untrained) from ``Model.to_json()`` text."""
    from fluxion.keras.saving.serialization import deserialize_keras_object

    return deserialize_keras_object(json.loads(json_string), custom_objects=custom_objects)


