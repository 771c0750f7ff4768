"""The serving function of a Keras model: its inference call, traced for export.

Keras 3's ``Model.export`` saves one endpoint, ``serve``, that calls the model with
``training=False`` on inputs shaped as the model's: a functional or Sequential model's
``keras.Input`` s (named after them; a dict of inputs stays a dict, several inputs a
list), or, for a subclassed model, the shapes it was first called with (batch size
left unknown, inputs named ``args_0`` ...).  ``input_signature`` overrides them.
"""

from __future__ import annotations

from fluxion.core import nest
from fluxion.core.tensor_spec import TensorSpec


def is_keras_model(obj) -> bool:
    from fluxion.keras.models.model import Model

    return isinstance(obj, Model)


def input_signature(model) -> list:
    """The ``input_signature`` (a list, one entry per positional argument) of ``serve``."""
    struct = getattr(model, "_inputs_struct", None)
    if struct is None and getattr(model, "inputs", None):
        struct = model.inputs[0] if len(model.inputs) == 1 else list(model.inputs)
    if struct is not None:
        return [nest.map_structure(_spec_of_keras_tensor, struct)]
    shapes = getattr(model, "_build_shapes", None)
    if not getattr(model, "built", False) or shapes is None:
        raise ValueError(f"The model {model.name!r} has never been called, so its input "
                         f"shapes are unknown. Call it once on real data (or pass "
                         f"input_signature=[fluxion.TensorSpec(shape, dtype)]) before "
                         f"exporting it.")
    dtype = getattr(model, "input_dtype", None) or getattr(model, "compute_dtype", None) \
        or "float32"
    return [_specs_of_shapes(shapes, dtype)]


def _spec_of_keras_tensor(tensor) -> TensorSpec:
    return TensorSpec(tuple(tensor.shape), tensor.dtype, tensor.name)


def _is_shape(value) -> bool:
    return isinstance(value, (tuple, list)) and all(
        d is None or (isinstance(d, int) and not isinstance(d, bool)) for d in value)


def _specs_of_shapes(shapes, dtype):
    if _is_shape(shapes):
        dims = list(shapes)
        if dims:
            dims[0] = None  # any batch size
        return TensorSpec(dims, dtype)
    if isinstance(shapes, dict):
        return {key: _specs_of_shapes(value, dtype) for key, value in shapes.items()}
    if isinstance(shapes, (list, tuple)):
        return type(shapes)(_specs_of_shapes(value, dtype) for value in shapes)
    raise ValueError(f"Cannot tell the model's input shapes from {shapes!r}; pass "
                     f"input_signature=[fluxion.TensorSpec(shape, dtype)] to export it.")


def serving_function(model, signature=None):
    """A ``fluxion.function`` with an input signature that runs ``model`` for inference."""
    from fluxion.graph.function import Function

    signature = list(signature) if signature is not None else input_signature(model)

    def serve(*args):
        return model(*args, training=False)

    serve.__name__ = "serve"
    return Function(serve, input_signature=signature, name="serve")
