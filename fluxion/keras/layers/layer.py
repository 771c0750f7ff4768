"""``Layer``: the base of every Keras layer and model.

A layer is a thin stateful shell: ``__init__`` stores configuration, ``build(shape)``
creates weights with ``add_weight``, ``call`` computes, ``get_config`` describes it.
``__call__`` does the bookkeeping around ``call``: converting inputs, building on first
use, checking the ``input_spec``, threading ``training`` and masks, activity
regularization, and the symbolic (functional API) call on ``KerasTensor`` inputs.
"""

from __future__ import annotations

import functools
import inspect

import numpy as np

from fluxion.core import nest
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.keras.engine import call_context, naming
from fluxion.keras.engine.dtype_policy import DTypePolicy, as_policy
from fluxion.keras.engine.keras_tensor import (
    KerasTensor,
    any_keras_tensor,
    first_input_name,
    symbolic_call,
)
from fluxion.keras.engine.symbolic_attributes import SymbolicAttributes
from fluxion.keras.engine.tensor_annotations import get_keras_mask, set_keras_mask
from fluxion.keras.engine.variables import KerasVariable
from fluxion.keras.layers.input_spec import assert_input_compatibility
from fluxion.keras.metrics.metric import Metric
from fluxion.keras.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)
from fluxion.ops.array_ops import cast


@keras_class("keras.layers")
class Layer(SymbolicAttributes):
    """The base class of layers (``keras.layers.Layer``)."""

    # True where ``call`` mixes its inputs with float weights (Dense, convolutions, RNNs,
    # normalizations): bool and integer inputs are then cast to the compute dtype, the
    # dtype Keras's type promotion gives ``uint8 image @ float32 kernel``.
    _casts_integer_inputs = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        build = cls.__dict__.get("build")
        if build is not None and not getattr(build, "_marks_built", False):
            cls.build = _marking_built(build)

    def __init__(self, *, activity_regularizer=None, trainable: bool = True, dtype=None,
                 autocast: bool = True, name: str | None = None, **kwargs):
        input_shape = kwargs.pop("input_shape", None)
        input_dim = kwargs.pop("input_dim", None)
        kwargs.pop("batch_input_shape", None)
        kwargs.pop("batch_size", None)
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                             f"{kwargs}")
        object.__setattr__(self, "_layers", self.__dict__.get("_layers", []))
        object.__setattr__(self, "_metrics", self.__dict__.get("_metrics", []))
        self._trainable_variables: list = []
        self._non_trainable_variables: list = []
        self._losses: list = []
        self._inbound_nodes: list = []
        self._build_shapes = None
        self.built = False
        self._trainable = bool(trainable)
        self.name = name or naming.unique_name(naming.to_snake_case(type(self).__name__))
        self._dtype_policy = as_policy(dtype)
        self.autocast = autocast
        self.activity_regularizer = _get_regularizer(activity_regularizer)
        self.input_spec = None
        self.supports_masking = False
        self._call_signature = inspect.signature(self.call)
        parameters = self._call_signature.parameters
        self._call_has_training = "training" in parameters
        self._call_has_mask = "mask" in parameters
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        self._input_shape_arg = None if input_shape is None else tuple(input_shape)

    # --- attribute tracking ------------------------------------------------------------------
    def __setattr__(self, name, value):
        previous = self.__dict__.get(name)
        if isinstance(previous, Metric) and previous is not value:
            # a metric replaced (compile() again makes new trackers): forget the old one,
            # or fit would report its stale value under the same name
            self._metrics = [m for m in self.__dict__.get("_metrics", ()) if m is not previous]
        if isinstance(value, Layer) and value is not self:
            self._track_layer(value)
        elif isinstance(value, Metric):  # listed by Model.metrics, reset by fit
            self._track_metric(value)
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, Layer)
                                                                for v in value):
            for layer in value:
                self._track_layer(layer)
        object.__setattr__(self, name, value)

    def _track_layer(self, layer: Layer) -> None:
        if "_layers" not in self.__dict__:  # assigned before Layer.__init__ ran
            object.__setattr__(self, "_layers", [])
        # The ids of tracked layers, rebuilt when ``_layers`` changed size behind our back
        # (pop...): tracking n layers costs O(n), not O(n^2).
        tracked = self.__dict__.get("_tracked_layer_ids")
        if tracked is None or len(tracked) != len(self._layers):
            tracked = {id(existing) for existing in self._layers}
            object.__setattr__(self, "_tracked_layer_ids", tracked)
        if id(layer) not in tracked:
            self._layers.append(layer)
            tracked.add(id(layer))

    def _track_metric(self, metric) -> None:
        if "_metrics" not in self.__dict__:
            object.__setattr__(self, "_metrics", [])
        if not any(existing is metric for existing in self._metrics):
            self._metrics.append(metric)

    @property
    def metrics(self) -> list:
        """The metrics assigned as attributes of this layer and of its sublayers."""
        found = list(self.__dict__.get("_metrics", ()))
        for layer in self._layers:
            found.extend(layer.metrics)
        return found

    # --- dtype ---------------------------------------------------------------------------------
    @property
    def dtype_policy(self) -> DTypePolicy:
        return self._dtype_policy

    @property
    def dtype(self) -> str:
        return self._dtype_policy.variable_dtype

    @property
    def compute_dtype(self) -> str:
        return self._dtype_policy.compute_dtype

    @property
    def variable_dtype(self) -> str:
        return self._dtype_policy.variable_dtype

    # --- weights -------------------------------------------------------------------------------
    def add_weight(self, shape=None, initializer=None, dtype=None, trainable: bool = True,
                   autocast: bool = True, regularizer=None, constraint=None,
                   aggregation: str = "none", overwrite_with_gradient: bool = False,
                   name: str | None = None):
        """Creates a weight of ``shape`` with ``initializer`` and tracks it."""
        from fluxion.keras import constraints, initializers, regularizers

        shape = () if shape is None else tuple(int(d) for d in shape)
        dtype = dtype or self.variable_dtype
        if initializer is None:
            initializer = "glorot_uniform" if np.dtype(dtype).kind == "f" else "zeros"
        initializer = initializers.get(initializer)
        name = name or f"variable_{len(self._own_weights())}"
        variable = KerasVariable(initializer, shape=shape, dtype=dtype, trainable=trainable,
                                 name=name, path=f"{self.name}/{name}",
                                 regularizer=regularizers.get(regularizer),
                                 constraint=constraints.get(constraint), aggregation=aggregation,
                                 autocast=autocast)
        owner = self._trainable_variables if trainable else self._non_trainable_variables
        owner.append(variable)
        return variable

    def _own_weights(self) -> list:
        return self._trainable_variables + self._non_trainable_variables

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        for layer in self._layers:
            layer.trainable = value

    @property
    def weights(self) -> list:
        return _unique(self._own_weights() + [w for layer in self._layers for w in layer.weights])

    variables = weights

    @property
    def trainable_weights(self) -> list:
        if not self._trainable:
            return []
        own = [v for v in self._trainable_variables if v.trainable]
        return _unique(own + [w for layer in self._layers for w in layer.trainable_weights])

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self) -> list:
        if not self._trainable:
            return self.weights
        trainable = {id(w) for w in self.trainable_weights}
        return [w for w in self.weights if id(w) not in trainable]

    non_trainable_variables = non_trainable_weights

    def get_weights(self) -> list:
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights) -> None:
        own = self.weights
        if len(weights) != len(own):
            raise ValueError(f'Layer "{self.name}" expects {len(own)} weights, but the '
                             f"provided list has {len(weights)}.")
        for variable, value in zip(own, weights):
            value = np.asarray(value)
            if tuple(variable.shape) != value.shape:
                raise ValueError(f'Layer "{self.name}" weight {variable.path} has shape '
                                 f"{tuple(variable.shape)}; the provided weight has shape "
                                 f"{value.shape}.")
        for variable, value in zip(own, weights):
            variable.assign(np.asarray(value, dtype=variable.dtype.np_dtype))

    def save_own_variables(self, store) -> None:
        """Writes this layer's own variables into ``store`` as ``"0"``, ``"1"``... (Keras 3)."""
        for i, variable in enumerate(self._own_weights()):
            store[str(i)] = variable.numpy()

    def load_own_variables(self, store) -> None:
        """Reads this layer's own variables from ``store`` (written by ``save_own_variables``)."""
        own = self._own_weights()
        if len(store.keys()) != len(own):
            raise ValueError(f"Layer '{self.name}' expected {len(own)} variables, but received "
                             f"{len(store.keys())} variables during loading. Expected: "
                             f"{[v.name for v in own]}")
        values = [np.asarray(store[str(i)]) for i in range(len(own))]
        for variable, value in zip(own, values):
            if tuple(variable.shape) != value.shape:
                raise ValueError(f"Layer '{self.name}' weight {variable.path} has shape "
                                 f"{tuple(variable.shape)}; the stored value has shape "
                                 f"{value.shape}.")
        for variable, value in zip(own, values):
            variable.assign(value.astype(variable.dtype.np_dtype, copy=False))

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on layer '{self.name}', but "
                             f"the layer isn't built. You can build it manually via: "
                             f"`{self.name}.build(batch_input_shape)`.")
        return int(sum(np.prod(tuple(w.shape)) for w in self.weights))

    # --- losses --------------------------------------------------------------------------------
    def add_loss(self, loss) -> None:
        self._losses.append(loss)

    @property
    def losses(self) -> list:
        collected = list(self._losses)
        for variable in self._own_weights():
            if getattr(variable, "regularizer", None) is not None:
                collected.append(variable.regularizer(variable))
        for layer in self._layers:
            collected.extend(layer.losses)
        return collected

    def _clear_losses(self) -> None:
        self._losses = []
        for layer in self._layers:
            layer._clear_losses()

    # --- building and calling ---------------------------------------------------------------------
    def build(self, input_shape) -> None:
        self.built = True

    def _maybe_build(self, shapes) -> None:
        if self.built:
            return
        self._build_shapes = shapes
        self.build(shapes)
        self.built = True

    def call(self, inputs, *args, **kwargs):
        raise NotImplementedError(f"Layer {type(self).__name__} does not have a `call()` "
                                  f"method implemented.")

    def __call__(self, *args, **kwargs):
        if any_keras_tensor(args, kwargs):
            return symbolic_call(self, args, kwargs)
        args = list(args)
        first = first_input_name(self)
        if args:
            args[0] = self._convert_inputs(args[0])
        elif first in kwargs:  # layer(logits=x, targets=y): the first argument by name
            kwargs[first] = self._convert_inputs(kwargs[first])
        inputs = args[0] if args else kwargs.get(first)
        if not self.built:
            self._maybe_build(shape_of(inputs))
        assert_input_compatibility(self.input_spec, inputs, self.name)
        if self._call_has_training:
            training = kwargs.get("training")
            if training is None:
                training = call_context.current_training()
            if training is None:
                default = self._call_signature.parameters["training"].default
                training = None if default is inspect.Parameter.empty else default
            kwargs["training"] = training
        else:
            training = kwargs.pop("training", None) if "training" in kwargs else None
        mask = kwargs.get("mask") if self._call_has_mask else None
        if mask is None:
            mask = _collect_mask(inputs)  # for compute_mask even when call takes no mask
            if mask is not None and self._call_has_mask:
                kwargs["mask"] = mask
        with call_context.call_depth(self.name) as outermost, call_context.training_scope(
                training if training is not None else call_context.current_training()), \
                call_context.autocast_scope(self._weights_read_dtype()):
            if outermost:  # losses added by layers belong to the latest top-level call
                self._clear_losses()
            outputs = call_context.call_method(self)(*args, **kwargs)
        if self.activity_regularizer is not None:
            for output in nest.flatten(outputs):
                self.add_loss(self.activity_regularizer(output) / _batch_size(output))
        self._set_output_masks(inputs, outputs, mask)
        return outputs

    def _weights_read_dtype(self):
        """The dtype ``call`` reads float weights in, when the policy autocasts them."""
        compute = self.compute_dtype
        return compute if self.autocast and compute != self.variable_dtype else None

    def _convert_inputs(self, inputs):
        compute = self.compute_dtype

        def convert(x):
            if x is None or isinstance(x, KerasTensor):
                return x
            if isinstance(x, (np.ndarray, list, float, int, np.generic)) or \
                    hasattr(x, "_read_for_op"):
                x = convert_to_tensor(x)
            if not isinstance(x, Tensor) or x.dtype.name == compute:
                return x
            if (self.autocast and x.dtype.is_floating) or \
                    (self._casts_integer_inputs and (x.dtype.is_integer or x.dtype.is_bool)):

                x = cast(x, compute)
            return x

        if _is_nested_numbers(inputs):  # model([[1.0, 2.0]]): one tensor, as TF converts it
            return convert(np.asarray(inputs))
        return nest.map_structure(convert, inputs) if nest.is_nested(inputs) else convert(inputs)

    def _set_output_masks(self, inputs, outputs, mask) -> None:
        if not self.supports_masking and type(self).compute_mask is Layer.compute_mask:
            return
        output_mask = self.compute_mask(inputs, mask)
        if output_mask is None:
            return
        flat_out, flat_masks = nest.flatten(outputs), nest.flatten(output_mask)
        if len(flat_masks) == 1 and len(flat_out) > 1:
            flat_masks = flat_masks * len(flat_out)
        for out, m in zip(flat_out, flat_masks):
            if isinstance(out, Tensor):
                set_keras_mask(out, m)

    def compute_mask(self, inputs, previous_mask=None):
        if not self.supports_masking:
            return None
        return previous_mask

    def compute_output_shape(self, *args, **kwargs):
        """The output shape for an input shape, found by tracing ``call`` symbolically."""
        from fluxion.keras.engine.keras_tensor import output_spec_for_shapes

        spec = output_spec_for_shapes(self, args[0] if args else kwargs.get("input_shape"))
        return nest.map_structure(lambda t: tuple(t.shape), spec) if nest.is_nested(spec) \
            else tuple(spec.shape)

    def compute_output_spec(self, *args, **kwargs):
        from fluxion.keras.engine.keras_tensor import trace_output_spec

        return trace_output_spec(self, args, kwargs)

    # --- configuration ----------------------------------------------------------------------------
    def get_config(self) -> dict:
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": serialize_keras_object(self._dtype_policy)}
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = serialize_keras_object(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = deserialize_keras_object(config["dtype"])
        return cls(**config)

    def get_build_config(self) -> dict | None:
        if self._build_shapes is None:
            return None
        return {"input_shape": _jsonable_shape(self._build_shapes)}

    def build_from_config(self, config: dict) -> None:
        """Builds from ``get_build_config()``'s dict: ``{"input_shape": ...}``, or Keras's
        ``{"shapes_dict": {"<arg>_shape": ...}}`` for layers whose ``build`` takes several
        shapes (an RNN's ``sequences_shape`` and ``initial_state_shape``)."""
        if not config or self.built:
            return
        if "input_shape" in config:
            self._maybe_build(_tuple_shape(config["input_shape"]))
        elif "shapes_dict" in config:
            shapes = {name: _tuple_shape(shape) for name, shape in config["shapes_dict"].items()}
            self._build_shapes = shapes
            self.build(**shapes)
            self.built = True

    # --- display ----------------------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def shape_of(inputs):
    if nest.is_nested(inputs):
        return nest.map_structure(lambda x: None if x is None else tuple(x.shape), inputs)
    return tuple(inputs.shape)


def _is_nested_numbers(inputs) -> bool:
    """Whether ``inputs`` is a (nested) list of Python numbers: data, not several inputs."""
    if not isinstance(inputs, (list, tuple)) or not inputs:
        return False
    return all(isinstance(leaf, (bool, int, float)) for leaf in nest.flatten(inputs))


def _collect_mask(inputs):
    masks = [get_keras_mask(x) for x in nest.flatten(inputs)]
    if all(m is None for m in masks):
        return None
    return masks[0] if len(masks) == 1 else masks


def _marking_built(build):
    """Wraps a subclass's ``build`` so that calling it directly marks the layer built (as
    Keras does): ``layer.build((None, 8))`` then ``Sequential([layer, ...])`` must not
    build the layer again."""

    @functools.wraps(build)
    def build_and_mark(self, *args, **kwargs):
        result = build(self, *args, **kwargs)
        if self.__dict__.get("_build_shapes") is None:
            shape = args[0] if args else kwargs.get("input_shape")
            if shape is not None:
                self._build_shapes = shape
        self.built = True
        return result

    build_and_mark._marks_built = True
    return build_and_mark


def _batch_size(output) -> float:
    shape = tuple(output.shape)
    if shape and shape[0] is not None:
        return float(shape[0])
    from fluxion.ops.creation_ops import shape as dynamic_shape

    return cast(dynamic_shape(output)[0], output.dtype)


def _unique(items: list) -> list:
    seen, out = set(), []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out


def _get_regularizer(value):
    if value is None:
        return None
    from fluxion.keras import regularizers

    return regularizers.get(value)


def _jsonable_shape(shapes):
    if isinstance(shapes, tuple) and all(d is None or isinstance(d, int) for d in shapes):
        return list(shapes)
    if isinstance(shapes, dict):
        return {k: _jsonable_shape(v) for k, v in shapes.items()}
    if isinstance(shapes, (list, tuple)):
        return [_jsonable_shape(s) for s in shapes]
    return shapes


def _tuple_shape(shapes):
    if isinstance(shapes, list) and all(d is None or isinstance(d, int) for d in shapes):
        return tuple(shapes)
    if isinstance(shapes, dict):
        return {k: _tuple_shape(v) for k, v in shapes.items()}
    if isinstance(shapes, list):
        return [_tuple_shape(s) for s in shapes]
    return shapes
