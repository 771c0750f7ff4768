"""``Functional``: a model defined by connecting layers on ``KerasTensor`` s.

The constructor walks back from the outputs through each KerasTensor's history to
the inputs and keeps the nodes in a topological order; ``call`` replays them on real
(or traced) tensors.  The config has Keras 3's layout: ``layers`` with their
``inbound_nodes``, ``input_layers`` and ``output_layers``.
"""

from __future__ import annotations

from fluxion.core import nest
from fluxion.keras.engine.keras_tensor import KerasTensor
from fluxion.keras.layers.input_layer import InputLayer, conform_to_input
from fluxion.keras.models.model import Model
from fluxion.keras.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)


@keras_class("keras.src.models.functional")  # where Keras 3 writes and reads it from
class Functional(Model):
    """A model from ``inputs`` to ``outputs`` (``keras.Model(inputs, outputs)``)."""

    _keras_registered_name = "Functional"  # Keras 3 writes registered_name "Functional"

    weights_file_kind = "Functional"  # the object type Keras writes in weights files

    @staticmethod
    def variant_of(cls: type) -> type:
        """``cls`` (a subclass of Model that kept Model's constructor) made functional."""
        return functional_variant(cls)

    @staticmethod
    def build_from_config(cls: type, config: dict, custom_objects=None):
        """A functional model of class ``cls`` from a functional model's config."""
        return functional_from_config(cls, config, custom_objects)

    def __init__(self, inputs, outputs, name=None, trainable: bool = True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self.inputs = nest.flatten(inputs)
        self.outputs = nest.flatten(outputs)
        for tensor in self.inputs + self.outputs:
            if not isinstance(tensor, KerasTensor):
                raise ValueError(f"All inputs and outputs of a functional Model must be "
                                 f"KerasTensors (from keras.Input and layer calls); got "
                                 f"{tensor!r}")
        self._nodes = _topological_nodes(self.inputs, self.outputs)
        self._functional_layers = _layers_in_keras_order(self.inputs, self.outputs)
        for layer in self._functional_layers:
            if not isinstance(layer, InputLayer):
                self._track_layer(layer)
        self.built = True

    @property
    def layers(self) -> list:
        """The model's layers; operations on tensors (``x + 3.0``, ``keras.ops`` calls) are
        not layers, as in Keras 3: they are in ``operations``."""
        from fluxion.keras.layers.op_layer import OperationLayer

        return [layer for layer in self._functional_layers
                if not isinstance(layer, OperationLayer)]

    @property
    def operations(self) -> list:
        """Every step of the model in order: its layers and its tensor operations."""
        return list(self._functional_layers)

    @property
    def input(self):
        """The ``inputs`` given to the constructor, in their structure."""
        return self._inputs_struct

    @property
    def output(self):
        """The ``outputs`` given to the constructor, in their structure."""
        return self._outputs_struct

    @property
    def input_shape(self):
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def call(self, inputs, training=None, mask=None):
        values = {id(t): _adjust_rank(conform_to_input(v, t.dtype), t)
                  for t, v in zip(self.inputs, self._flatten_inputs(inputs))}
        for node in self._nodes:
            if isinstance(node.layer, InputLayer):
                continue

            def lookup(leaf):
                return values[id(leaf)] if isinstance(leaf, KerasTensor) else leaf

            args, kwargs = nest.map_structure(lookup, (list(node.args), dict(node.kwargs)))
            outputs = node.layer(*args, **kwargs)
            for tensor, value in zip(nest.flatten(node.outputs), nest.flatten(outputs)):
                values[id(tensor)] = value
        return nest.pack_sequence_as(self._outputs_struct,
                                     [values[id(t)] for t in self.outputs])

    def _flatten_inputs(self, inputs) -> list:
        if isinstance(inputs, dict) and not isinstance(self._inputs_struct, dict):
            names = [t._keras_history[0].name for t in self.inputs]
            missing = [n for n in names if n not in inputs]
            if missing:
                raise ValueError(f"Model {self.name} expects inputs named {names}; the dict "
                                 f"passed lacks {missing}.")
            return [inputs[n] for n in names]
        flat = nest.flatten(inputs)
        if len(flat) != len(self.inputs):
            raise ValueError(f"Model {self.name} expects {len(self.inputs)} input(s), but it "
                             f"received {len(flat)} input tensors.")
        return flat

    def compute_output_spec(self, *args, **kwargs):
        from fluxion.keras.engine.keras_tensor import trace_output_spec

        return trace_output_spec(self, args, kwargs)

    # --- configuration -------------------------------------------------------------------------
    def get_config(self) -> dict:
        layer_configs = []
        renumber = self._node_renumbering()
        for layer in self._functional_layers:
            entry = serialize_keras_object(layer)
            entry["name"] = layer.name
            entry["inbound_nodes"] = [_node_config(node, renumber)
                                      for node in layer._inbound_nodes
                                      if node in self._nodes and not node.is_input]
            build = layer.get_build_config()
            if build is not None:
                entry["build_config"] = build
            layer_configs.append(entry)
        return {"name": self.name, "trainable": self.trainable, "layers": layer_configs,
                "input_layers": _tensor_refs(self._inputs_struct, renumber),
                "output_layers": _tensor_refs(self._outputs_struct, renumber)}

    def _node_renumbering(self) -> dict:
        """``(id(layer), node index) -> index among the layer's nodes in this model``.

        A layer also called outside this model (shared with another model, or taken
        from a bigger one) has nodes this model does not hold; the config numbers only
        the nodes it holds, as Keras does, so ``from_config`` rebuilds them in order.
        """
        in_model = {id(node) for node in self._nodes}
        renumber = {}
        for layer in self._functional_layers:
            kept = 0
            for index, node in enumerate(layer._inbound_nodes):
                if id(node) in in_model:
                    renumber[(id(layer), index)] = kept
                    kept += 1
        return renumber

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        return functional_from_config(cls, config, custom_objects)


def functional_from_config(cls, config: dict, custom_objects=None):
    """Rebuilds the layers and their calls of a functional ``config``; ``cls(inputs, outputs)``."""
    created: dict = {}
    pending = []
    for entry in config["layers"]:
        layer = deserialize_keras_object(entry, custom_objects)
        created[entry["name"]] = layer
        pending.append([entry["name"], layer, entry.get("inbound_nodes", []), 0])
    tensors: dict = {}
    for name, layer in created.items():
        if isinstance(layer, InputLayer):
            tensors[(name, 0, 0)] = layer.output
    progress = True
    while pending and progress:
        progress = False
        remaining = []
        for item in pending:
            # Calls are keyed by the name in the config: a custom layer whose get_config
            # leaves out its name is rebuilt under a new one, as in Keras.
            name, layer, nodes, done = item
            for index in range(done, len(nodes)):
                node = nodes[index]
                args = _rebuild(node.get("args", []), tensors)
                kwargs = _rebuild(node.get("kwargs", {}), tensors)
                if args is _MISSING or kwargs is _MISSING:
                    break
                outputs = layer(*args, **kwargs)
                for i, tensor in enumerate(nest.flatten(outputs)):
                    tensors[(name, index, i)] = tensor
                done += 1
                progress = True
            item[3] = done
            if done < len(nodes):
                remaining.append(item)
        pending = remaining
    inputs = _resolve_refs(config["input_layers"], tensors)
    outputs = _resolve_refs(config["output_layers"], tensors)
    return cls(inputs, outputs, name=config.get("name"))


_MISSING = object()


def _adjust_rank(value, reference):
    """As Keras: data one rank short of an input whose last axis is 1 gains that axis
    (``(N, 28, 28)`` images for ``Input((28, 28, 1))``), and a trailing axis of 1 beyond
    the input's rank is dropped."""
    rank = len(getattr(value, "shape", ()))
    ref_rank = len(reference.shape)
    if not hasattr(value, "shape") or rank == ref_rank:
        return value
    from fluxion.ops.array_ops import expand_dims, squeeze

    if rank == ref_rank - 1 and reference.shape[-1] == 1:
        return expand_dims(value, -1)
    if rank == ref_rank + 1 and tuple(value.shape)[-1] == 1:
        return squeeze(value, -1)
    return value
_PLAIN_VALUES = ("__slice__", "__ellipsis__", "__numpy__", "__tuple__")
_VARIANTS: dict = {}


def functional_variant(cls: type) -> type:
    """``cls`` made functional: a subclass of ``cls`` and ``Functional``, named as ``cls``.

    The user's class keeps its place first in the method order, so its ``train_step``
    overrides and ``super()`` calls work; it saves under the user's class name.
    """
    if cls not in _VARIANTS:
        namespace = {"__module__": cls.__module__, "__qualname__": cls.__qualname__,
                     "__doc__": cls.__doc__,
                     "keras_module": getattr(cls, "keras_module", cls.__module__),
                     "_keras_registered_name": getattr(cls, "_keras_registered_name", None),
                     "_functional_variant_of": cls}
        _VARIANTS[cls] = type(cls.__name__, (cls, Functional), namespace)
    return _VARIANTS[cls]


def _topological_nodes(inputs: list, outputs: list) -> list:
    """The nodes between inputs and outputs, each after the nodes it depends on."""
    order, visiting, done = [], set(), set()

    def visit(tensor: KerasTensor) -> None:
        layer, node_index, _ = tensor._keras_history
        node = layer._inbound_nodes[node_index]
        if id(node) in done:
            return
        if id(node) in visiting:
            raise ValueError("The functional graph has a cycle.")
        if not node.is_input and any(tensor is t for t in inputs):
            return  # an intermediate tensor used as a model input: its value is given
        visiting.add(id(node))
        if not any(tensor is t for t in inputs):
            for parent in node.input_tensors:
                visit(parent)
        visiting.discard(id(node))
        done.add(id(node))
        order.append(node)

    for tensor in outputs:
        visit(tensor)
    input_ids = {id(t) for t in inputs}
    for node in order:
        if node.is_input and id(nest.flatten(node.outputs)[0]) not in input_ids:
            raise ValueError(f"Graph disconnected: the output depends on input "
                             f"'{node.layer.name}', which is not among the model's inputs.")
    return order


def _layers_in_keras_order(inputs: list, outputs: list) -> list:
    """The model's layers in the order Keras lists them (``model.layers``, the config, and
    the weight file's ``layers/dense``, ``layers/dense_1`` paths all follow it).

    A node's depth is the length of the longest path from it to an output; a layer's is
    the largest depth of its nodes.  Layers come deepest first; equal depths keep the
    order in which a depth-first walk from the outputs first met them.  Inputs the walk
    never reached come first among the shallowest.
    """
    input_ids = {id(t) for t in inputs}
    first_met: dict = {}  # id(layer) -> when the walk first met it
    layers: dict = {}  # id(layer) -> layer
    finished: list = []  # nodes, each after the nodes it depends on
    seen: set = set()

    def walk(tensor: KerasTensor) -> None:
        layer, node_index, _ = tensor._keras_history
        node = layer._inbound_nodes[node_index]
        if id(node) in seen:
            return
        first_met.setdefault(id(layer), len(first_met))
        layers[id(layer)] = layer
        seen.add(id(node))
        parents = []
        if not node.is_input and id(tensor) not in input_ids:
            for parent in node.input_tensors:
                walk(parent)
                parents.append(parent)
        finished.append((node, parents))

    for tensor in outputs:
        walk(tensor)
    node_depth: dict = {}
    layer_depth: dict = {}
    for node, parents in reversed(finished):  # outputs first: depths grow toward inputs
        depth = max(node_depth.get(id(node), 0), layer_depth.get(id(node.layer), 0))
        node_depth[id(node)] = layer_depth[id(node.layer)] = depth
        for parent in parents:
            parent_layer, parent_index, _ = parent._keras_history
            parent_node = parent_layer._inbound_nodes[parent_index]
            node_depth[id(parent_node)] = max(node_depth.get(id(parent_node), 0), depth + 1)
    for tensor in inputs:
        layer = tensor._keras_history[0]
        if id(layer) not in layer_depth:
            layers[id(layer)], layer_depth[id(layer)], first_met[id(layer)] = layer, 0, -1
    order = sorted(layers, key=lambda key: (-layer_depth[key], first_met[key]))
    return [layers[key] for key in order]


def _ref(tensor: KerasTensor, renumber: dict) -> list:
    layer, node_index, tensor_index = tensor._keras_history
    return [layer.name, renumber.get((id(layer), node_index), node_index), tensor_index]


def _tensor_refs(structure, renumber: dict):
    if isinstance(structure, KerasTensor):
        return _ref(structure, renumber)
    if isinstance(structure, dict):
        return nest.map_structure(lambda t: _ref(t, renumber), structure)
    return [_ref(t, renumber) for t in nest.flatten(structure)]


def _node_config(node, renumber: dict) -> dict:
    def encode(leaf):
        if isinstance(leaf, KerasTensor):
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": list(leaf.shape), "dtype": leaf.dtype,
                               "keras_history": _ref(leaf, renumber)}}
        return serialize_keras_object(leaf)

    return {"args": nest.map_structure(encode, list(node.args)),
            "kwargs": nest.map_structure(encode, dict(node.kwargs))}


def _rebuild(structure, tensors: dict):
    missing = False

    def decode(value):
        nonlocal missing
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            key = tuple(value["config"]["keras_history"])
            if key not in tensors:
                missing = True
                return None
            return tensors[key]
        if isinstance(value, dict) and value.get("class_name") in _PLAIN_VALUES:
            return deserialize_keras_object(value)  # a slice, ..., or NumPy array argument
        if isinstance(value, dict):
            return {k: decode(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(decode(v) for v in value)
        return value

    result = decode(structure)
    return _MISSING if missing else result


def _resolve_refs(refs, tensors: dict):
    if isinstance(refs, dict):
        return {k: _resolve_refs(v, tensors) for k, v in refs.items()}
    if refs and isinstance(refs[0], str):
        return tensors[tuple(refs)]
    resolved = [tensors[tuple(r)] for r in refs]
    return resolved


Model.functional_form = Functional  # what Model(inputs, outputs) builds
