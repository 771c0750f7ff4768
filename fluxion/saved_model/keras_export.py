"""``Model.export(path)`` (Keras 3): a Keras model as a saved model for serving.

The directory holds one endpoint, ``serve`` (the model called with
``training=False``), which is also the ``serving_default`` signature, and the model's
weights.  Loaded back (``fluxion.saved_model.load`` or ``keras.layers.TFSMLayer``) it
needs none of the model's Python code.
"""

from __future__ import annotations

import os

from fluxion.keras.saving import export_formats
from fluxion.saved_model import keras_serving
from fluxion.saved_model.loader import load_with_variables
from fluxion.saved_model.saver import DEFAULT_SIGNATURE, Collected, save_collected


def export_saved_model(model, filepath, verbose=None, input_signature=None,
                       **kwargs) -> None:
    """Writes ``model``'s inference function and weights to the directory ``filepath``.

    Args:
      model: a built Keras model (functional, Sequential, or subclassed and called once).
      filepath: the directory to write (replaced atomically if it exists).
      verbose: print the endpoints written (default True, as Keras does).
      input_signature: a list of ``TensorSpec`` s (one per positional argument of the
        model's call) to use instead of the model's own input shapes.
    """
    if kwargs:
        raise TypeError(f"Model.export(format='tf_saved_model') got unexpected arguments "
                        f"{sorted(kwargs)}")
    serve = keras_serving.serving_function(model, input_signature)
    found = Collected()
    found.functions["serve"] = serve
    found.all_variables = list(model.weights)
    found.signatures[DEFAULT_SIGNATURE] = serve
    save_collected(found, filepath)
    if verbose is None or verbose:
        print(_summary(os.fspath(filepath), serve))


def _summary(path: str, serve) -> str:
    concrete = serve.get_concrete_function()
    lines = [f"Saved artifact at '{path}'. The following endpoints are available:", "",
             "* Endpoint 'serve'"]
    for position, spec in enumerate(concrete.input_specs[0]):
        lines.append(f"  args_{position} (POSITIONAL_ONLY): {spec!r}")
    lines.append("Output Type:")
    outputs = [f"{value.aval.dtype.name}{list(value.aval.shape)}"
               for value in concrete.graph.outputs]
    lines.append("  " + ", ".join(outputs))
    return "\n".join(lines)


export_formats.register_export_format("tf_saved_model", export_saved_model)
export_formats.register_loader("tf_saved_model", load_with_variables)
