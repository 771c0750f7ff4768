"""TensorFlow.js export: ``fluxion.js.save_keras_model(model, directory)`` writes a tfjs
layers model (``model.json`` + weight shards) that ``tf.loadLayersModel`` loads in the
browser; ``load_keras_model`` reads one back.  The names follow the ``tensorflowjs``
package (``tfjs.converters.save_keras_model``)."""

from fluxion.js import converters
from fluxion.js.converters import load_keras_model, save_keras_model

__all__ = ["converters", "load_keras_model", "save_keras_model"]
