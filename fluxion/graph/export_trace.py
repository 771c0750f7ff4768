"""The function an exporter converts, traced into a Fluxion graph of primitives.

The TFLite and ONNX exporters both start here: a Keras model, a ``fluxion.function``
or a concrete function becomes ``(graph, input names, output names)``, the raw trace
(variables still ``read_variable`` nodes, which the exporters read at export time),
with the batch dimension left open.  Nothing here knows a file format; ``caller``
names the user-facing entry point in error messages.
"""

from __future__ import annotations

from fluxion.core import nest
from fluxion.core.tensor_spec import TensorSpec
from fluxion.graph.function import Function, function


def trace_keras_model(model, caller: str = "export", open_batch: bool = False):
    """Traces ``model(inputs, training=False)`` with a dynamic batch dimension.

    Returns ``(graph, input names, output names)``: a functional or Sequential model's
    ``Input`` names, ``args_<i>`` for a subclassed model (traced at the shapes it was
    built with), and ``output_<i>`` for the outputs.  ``open_batch`` leaves the batch
    open even where the model's inputs fix it (a Sequential built by a first call on
    one sample has batch 1 in its input shape).
    """
    inputs = _model_inputs(model)
    if inputs:
        specs = [TensorSpec((None,) + tuple(t.shape)[1:] if open_batch and t.shape
                            else tuple(t.shape), t.dtype, name=t.name) for t in inputs]
        names = [t.name for t in inputs]
    else:  # a subclassed model: the shapes it was built with, the batch left open
        specs = [TensorSpec((None,) + tuple(shape[1:]), "float32")
                 for shape in _built_shapes(model, caller)]
        names = [f"args_{i}" for i in range(len(specs))]

    def serve(*args):
        return model(args[0] if len(args) == 1 else list(args), training=False)

    concrete = function(serve).get_concrete_function(*specs)
    return concrete.raw_graph, names, output_names(concrete.raw_graph)


def _model_inputs(model) -> list:
    try:
        return list(getattr(model, "inputs", None) or [])
    except (AttributeError, ValueError):  # a Sequential without an input yet
        return []


def _built_shapes(model, caller: str) -> list[tuple]:
    shapes = getattr(model, "_build_shapes", None)
    if shapes is None:
        raise ValueError(f"{caller}: model {getattr(model, 'name', '')!r} has no input shape "
                         f"yet; start it with keras.Input(shape) or call it on data (or "
                         f"model.build(input_shape)) first.")
    if isinstance(shapes, dict):
        shapes = list(shapes.values())
    nested = isinstance(shapes, (list, tuple)) and shapes and \
        isinstance(shapes[0], (list, tuple))
    return [tuple(s) for s in shapes] if nested else [tuple(shapes)]


def trace_concrete_function(concrete, caller: str = "export"):
    """``(graph, input names, output names)`` of a concrete function
    (``f.get_concrete_function(...)``)."""
    graph = getattr(concrete, "raw_graph", None)
    if graph is None:
        raise TypeError(f"{caller} takes concrete functions (f.get_concrete_function(...)); "
                        f"got {type(concrete).__name__}")
    names = [value.name or f"args_{i}" for i, value in enumerate(graph.inputs)]
    return graph, names, output_names(graph)


def trace_function(fn, input_signature=None, caller: str = "export"):
    """A ``fluxion.function`` (or a plain Python function) traced at ``input_signature``
    (a list of ``TensorSpec`` s; the function's own signature when it has one)."""
    if not isinstance(fn, Function):
        fn = function(fn)
    specs = input_signature if input_signature is not None else fn.input_signature
    if specs is None:
        raise ValueError(f"{caller}: the function {getattr(fn, '__name__', fn)!r} has no "
                         f"input_signature; give one (a list of fluxion.TensorSpec) to "
                         f"@fluxion.function(input_signature=...) or to {caller}.")
    graph, names, outputs = trace_concrete_function(fn.get_concrete_function(*specs), caller)
    given = [getattr(spec, "name", None) for spec in nest.flatten(list(specs))]
    if len(given) == len(names):  # the signature's own names, where it gives them
        names = [name or default for name, default in zip(given, names)]
    return graph, names, outputs


def output_names(graph) -> list[str]:
    return [f"output_{i}" for i in range(len(graph.outputs))]
