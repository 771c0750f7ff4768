"""``keras.models.clone_model``: the same architecture with new layers (and new weights).

- A ``Sequential`` model gives a ``Sequential`` of cloned layers after an input like its own.
- A functional model is replayed node by node on new inputs (or ``input_tensors``); a
  layer called several times is cloned once, so sharing is kept.
- A subclassed model is rebuilt from its config (``from_config(get_config())``).

``clone_function(layer)`` makes each new layer (default: the layer's class from its
config, weights not copied); ``call_function(layer, *args, **kwargs)`` makes each call
of a functional model; ``recursive=True`` clones nested models the same way instead of
handing them to ``clone_function`` whole.
"""

from __future__ import annotations

from fluxion.core import nest
from fluxion.keras.engine.keras_tensor import KerasTensor
from fluxion.keras.layers.input_layer import Input, InputLayer


def clone_model(model, input_tensors=None, clone_function=None, call_function=None,
                recursive: bool = False, **kwargs):
    """A new model with the architecture of ``model`` and freshly initialized weights.

    >>> from fluxion import keras
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> clone = clone_model(model)
    >>> clone.layers[0] is model.layers[0], clone.layers[0].units
    (False, 2)
    """
    from fluxion.keras.models.functional import Functional
    from fluxion.keras.models.sequential import Sequential

    if kwargs:
        raise ValueError(f"Unexpected keyword arguments to clone_model: {sorted(kwargs)}")
    if clone_function is not None and not callable(clone_function):
        raise ValueError(f"clone_function must be callable, got {clone_function!r}")
    make = _layer_maker(clone_function, call_function, recursive)
    if isinstance(model, Sequential):
        return _clone_sequential(model, make, input_tensors)
    if isinstance(model, Functional):
        return _clone_functional(model, make, input_tensors, call_function)
    if input_tensors is not None or clone_function is not None or call_function is not None:
        raise ValueError(f"clone_model on the subclassed model {model.name} "
                         f"({type(model).__name__}) can only rebuild it from its config: "
                         f"input_tensors, clone_function and call_function apply to "
                         f"Sequential and functional models.")
    return type(model).from_config(model.get_config())


def _layer_maker(clone_function, call_function, recursive: bool):
    def make(layer):
        from fluxion.keras.models.functional import Functional
        from fluxion.keras.models.sequential import Sequential

        if recursive and isinstance(layer, (Sequential, Functional)):
            return clone_model(layer, clone_function=clone_function,
                               call_function=call_function, recursive=True)
        if clone_function is not None:
            return clone_function(layer)
        return type(layer).from_config(layer.get_config())

    return make


def _clone_sequential(model, make, input_tensors):
    from fluxion.keras.models.sequential import Sequential

    layers = [make(layer) for layer in model.layers]
    original_input = model._input_layer
    if input_tensors is not None:
        tensors = nest.flatten(input_tensors)
        if len(tensors) != 1 or not isinstance(tensors[0], KerasTensor):
            raise ValueError(f"input_tensors for a Sequential model must be one KerasTensor "
                             f"(from keras.Input), got {input_tensors!r}")
        layers = [tensors[0]] + layers
    elif original_input is not None:
        layers = [InputLayer(batch_shape=original_input.batch_shape,
                             dtype=original_input._dtype_name, name=original_input.name)] \
            + layers
    return Sequential(layers, trainable=model.trainable, name=model.name)


def _clone_functional(model, make, input_tensors, call_function):
    from fluxion.keras.models.functional import Functional

    given = None if input_tensors is None else nest.flatten(input_tensors)
    if given is not None and len(given) != len(model.inputs):
        raise ValueError(f"input_tensors has {len(given)} tensor(s) but model {model.name} "
                         f"has {len(model.inputs)} input(s).")
    new_inputs = []
    for index, tensor in enumerate(model.inputs):
        if given is not None:
            new_inputs.append(given[index])
        else:
            layer = tensor._keras_history[0]
            new_inputs.append(Input(batch_shape=layer.batch_shape, dtype=layer._dtype_name,
                                    name=layer.name))
    values = {id(old): new for old, new in zip(model.inputs, new_inputs)}
    clones: dict = {}
    for node in model._nodes:
        if isinstance(node.layer, InputLayer):
            continue
        if id(node.layer) not in clones:
            clones[id(node.layer)] = make(node.layer)
        layer = clones[id(node.layer)]

        def lookup(leaf):
            return values[id(leaf)] if isinstance(leaf, KerasTensor) else leaf

        args, kwargs = nest.map_structure(lookup, (list(node.args), dict(node.kwargs)))
        outputs = call_function(layer, *args, **kwargs) if call_function is not None \
            else layer(*args, **kwargs)
        for old, new in zip(nest.flatten(node.outputs), nest.flatten(outputs)):
            values[id(old)] = new
    inputs = nest.pack_sequence_as(model._inputs_struct, new_inputs) \
        if nest.is_nested(model._inputs_struct) else new_inputs[0]
    outputs = nest.pack_sequence_as(model._outputs_struct,
                                    [values[id(t)] for t in model.outputs]) \
        if nest.is_nested(model._outputs_struct) else values[id(model.outputs[0])]
    return Functional(inputs, outputs, name=model.name, trainable=model.trainable)
