"""Self-contained saved models (``tf.saved_model``): save, load, and serve.

>>> import fluxion as tf                                          # doctest: +SKIP
>>> tf.saved_model.save(model, "/models/mlp/1")                   # doctest: +SKIP
>>> loaded = tf.saved_model.load("/models/mlp/1")                 # doctest: +SKIP
>>> loaded.signatures["serving_default"](input_layer=x)           # doctest: +SKIP
{'output_0': <tf.Tensor ...>}

The directory format is described in ``fluxion/saved_model/FORMAT.md``.
"""

from fluxion.saved_model.errors import SavedModelError, SavedModelNotFoundError
from fluxion.saved_model.loaded_function import (
    CLASSIFY_METHOD_NAME,
    PREDICT_METHOD_NAME,
    REGRESS_METHOD_NAME,
    LoadedFunction,
    SignatureFunction,
)
from fluxion.saved_model.loader import LoadedObject, contains_saved_model, load
from fluxion.saved_model.saver import DEFAULT_SIGNATURE, Signature, save
from fluxion.saved_model.versions import latest_version, next_version, save_version, versions

DEFAULT_SERVING_SIGNATURE_DEF_KEY = DEFAULT_SIGNATURE
SERVING = "serve"
CLASSIFY_INPUTS = "inputs"
CLASSIFY_OUTPUT_CLASSES = "classes"
CLASSIFY_OUTPUT_SCORES = "scores"
REGRESS_INPUTS = "inputs"
REGRESS_OUTPUTS = "outputs"
PREDICT_INPUTS = "inputs"
PREDICT_OUTPUTS = "outputs"

__all__ = ["CLASSIFY_METHOD_NAME", "DEFAULT_SERVING_SIGNATURE_DEF_KEY", "LoadedFunction",
           "LoadedObject", "PREDICT_METHOD_NAME", "REGRESS_METHOD_NAME", "SERVING",
           "SavedModelError", "SavedModelNotFoundError", "Signature", "SignatureFunction",
           "contains_saved_model", "latest_version", "load", "next_version", "save",
           "save_version", "versions"]
