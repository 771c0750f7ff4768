"""The function a converter converts, as a traced Fluxion graph plus its names.

Each front end returns ``(graph, input names, output names)``: the raw trace (variables
still ``read_variable`` nodes, which the lowering reads at conversion time), the
signature's input names (a Keras model's ``Input`` names, as TF's converter uses them)
and output names ``output_0``, ``output_1``..., as TF's converter writes them.
"""

from __future__ import annotations

import os

from fluxion.graph import export_trace


def trace_keras_model(model):
    """Traces ``model(inputs, training=False)`` with a dynamic batch dimension."""
    return export_trace.trace_keras_model(model, "TFLiteConverter.from_keras_model")


def trace_of_concrete_function(concrete):
    return export_trace.trace_concrete_function(concrete, "from_concrete_functions")


def trace_of_saved_model(directory, signature_keys=None):
    """The graph of one signature of the saved model in ``directory``."""
    try:
        from fluxion.saved_model import load
    except ImportError as error:
        raise ImportError("TFLiteConverter.from_saved_model needs fluxion.saved_model, "
                          "which this build of Fluxion lacks") from error
    keys = list(signature_keys or ["serving_default"])
    if len(keys) != 1:
        raise ValueError(f"TFLiteConverter converts one signature; got {keys}")
    loaded = load(os.fspath(directory))
    signatures = getattr(loaded, "signatures", {})
    if keys[0] not in signatures:
        raise ValueError(f"the saved model in {directory!r} has no signature {keys[0]!r}; "
                         f"it has {sorted(signatures)}")
    signature = signatures[keys[0]]
    return trace_of_signature(signature)


def trace_of_signature(signature):
    """A saved model's signature callable (keyword inputs, a dict of outputs) traced."""
    from fluxion.core import nest
    from fluxion.graph.function import function

    spec_structure = signature.structured_input_signature
    kwargs = spec_structure[1] if isinstance(spec_structure, tuple) else {}
    args = spec_structure[0] if isinstance(spec_structure, tuple) else spec_structure
    if args:
        raise ValueError("TFLiteConverter.from_saved_model converts signatures with "
                         "keyword inputs (as tf.saved_model signatures have)")
    names = sorted(kwargs)
    specs = [kwargs[n] for n in names]
    output_keys = []

    def serve(*tensors):
        result = signature(**dict(zip(names, tensors)))
        if isinstance(result, dict):
            output_keys.extend(sorted(result))
            return [result[k] for k in sorted(result)]
        flat = nest.flatten(result)
        output_keys.extend(f"output_{i}" for i in range(len(flat)))
        return flat

    concrete = function(serve).get_concrete_function(*specs)
    return concrete.raw_graph, names, list(output_keys)
