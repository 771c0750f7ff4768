"""``TFSMLayer``: a saved model (``Model.export``) reloaded as a Keras layer (Keras 3).

The layer calls one endpoint of the loaded model: a saved function (``serve``, the
default, as ``Model.export`` writes it) or a signature (``serving_default``: it returns
a dict).  The loaded variables become the layer's weights, so the layer fine-tunes
(``trainable=True``) and saves its weights like any other; the model's Python code is
not needed.  ``call_training_endpoint`` names another endpoint for ``training=True``.
"""

from __future__ import annotations

import os

from fluxion.keras.engine.variables import KerasVariable
from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving import export_formats

_UNSAFE_MESSAGE = (
    "Requested the deserialization of a `TFSMLayer`, which loads an external SavedModel. "
    "This carries a potential risk of arbitrary code execution and thus it is disallowed "
    "by default. If you trust the source of the artifact, you can override this error by "
    "passing `safe_mode=False` to the loading function, or calling "
    "`keras.config.enable_unsafe_deserialization()`.")


class TFSMLayer(Layer):
    """Reloads a model saved by ``Model.export`` (or ``fluxion.saved_model.save``).

    Args:
      filepath: the saved model's directory.
      call_endpoint: the function attribute or signature the layer calls (``"serve"``
        for ``Model.export``'s directories; ``"serving_default"`` for the signature).
      call_training_endpoint: an endpoint for ``training=True`` calls, if saved.
      trainable, name, dtype: as for any layer.

    >>> layer = keras.layers.TFSMLayer("path/to/artifact")  # doctest: +SKIP
    >>> outputs = layer(inputs)                              # doctest: +SKIP
    """

    def __init__(self, filepath, call_endpoint: str = "serve",
                 call_training_endpoint: str | None = None, trainable: bool = True,
                 name: str | None = None, dtype=None, **kwargs):
        super().__init__(trainable=trainable, name=name, dtype=dtype, **kwargs)
        self.filepath = os.fspath(filepath)
        self.call_endpoint = call_endpoint
        self.call_training_endpoint = call_training_endpoint
        # The loader lives above Keras (fluxion.saved_model) and registers itself there.
        self._reloaded_obj = export_formats.loader("tf_saved_model")(self.filepath,
                                                                     self._make_weight)
        self.call_endpoint_fn = self._endpoint(call_endpoint)
        self.call_training_endpoint_fn = self._endpoint(call_training_endpoint) \
            if call_training_endpoint else None
        self.built = True

    def _make_weight(self, array, trainable: bool, name: str, dtype):
        short = name.split(":")[0].replace("/", "_")
        variable = KerasVariable(array, dtype=dtype, trainable=trainable, name=short,
                                 path=f"{self.name}/{short}", autocast=False)
        owner = self._trainable_variables if trainable else self._non_trainable_variables
        owner.append(variable)
        return variable

    def _endpoint(self, name: str):
        loaded = self._reloaded_obj
        if name != "__call__" and not name.startswith("_") and hasattr(loaded, name) and \
                callable(getattr(loaded, name)):
            return getattr(loaded, name)
        if name in loaded.signatures:
            return loaded.signatures[name]
        raise ValueError(f"The endpoint '{name}' is neither an attribute of the reloaded "
                         f"SavedModel, nor an entry in the `signatures` field of the "
                         f"reloaded SavedModel. Select another endpoint via the "
                         f"`call_endpoint` argument. Available endpoints for this "
                         f"SavedModel: {sorted(loaded.signatures)}")

    def call(self, inputs, training=False, **kwargs):
        if training and self.call_training_endpoint_fn is not None:
            return self.call_training_endpoint_fn(inputs, **kwargs)
        return self.call_endpoint_fn(inputs, **kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), "filepath": self.filepath,
                "call_endpoint": self.call_endpoint,
                "call_training_endpoint": self.call_training_endpoint}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None, safe_mode=None):
        if safe_mode is None:
            from fluxion.keras.saving import serialization

            safe_mode = serialization.in_safe_mode()
        if safe_mode is not False:
            raise ValueError(_UNSAFE_MESSAGE)
        return cls(**config)
