"""``Optimizer``: the base of every Keras optimizer (``keras.optimizers.Optimizer``).

The life of an optimizer, as in Keras 3:

- ``__init__`` stores hyper-parameters and creates ``iterations`` (an int64 variable)
  and, for a float learning rate, a ``learning_rate`` variable.
- ``build(var_list)`` creates the slot variables (``add_variable_from_reference`` names
  them ``"{optimizer}/{variable path with _}_{slot}"``, e.g. ``adam/dense_kernel_momentum``).
- ``apply(grads, variables)`` skips None gradients, unscales, clips, applies weight
  decay, calls ``update_step(grad, variable, learning_rate)`` per variable, applies
  each variable's ``constraint``, updates EMA averages and increments ``iterations``.

Every update is written with Fluxion ops and ``Variable.assign*``, so the same code runs
eagerly and inside ``fluxion.function`` (where the assignments become graph updates).
Quantities that depend only on the step (bias corrections, the learning rate) are
computed once per step and dtype with ``step_constant``, not once per variable.
"""

from __future__ import annotations

import re
import warnings

import numpy as np

from fluxion.config import floating_point
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.core.variable import Variable, init_scope
from fluxion.keras.engine import naming
from fluxion.keras.engine.variables import KerasVariable
from fluxion.keras.optimizers.schedules import LearningRateSchedule
from fluxion.keras.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)
from fluxion.ops import array_ops, creation_ops, math_ops
from fluxion.ops.array_ops import expand_dims
from fluxion.ops.framework_ops import inside_function
from fluxion.ops.reduce_ops import reduce_sum


@keras_class("keras.optimizers")
class Optimizer:
    """The base class of optimizers; subclasses define ``build`` and ``update_step``.

    Args:
      learning_rate: a float, a ``LearningRateSchedule`` (called with ``iterations``), or
        a callable of no arguments.
      weight_decay: if set, each step first does ``w -= w * weight_decay * lr``.
      clipnorm, clipvalue, global_clipnorm: gradient clipping (at most one).
      use_ema, ema_momentum, ema_overwrite_frequency: keep (and periodically copy into
        the weights) an exponential moving average of the weights.
      loss_scale_factor: gradients are divided by it (``scale_loss`` multiplies).
      gradient_accumulation_steps: update every N steps with the mean gradient.
      name: the optimizer's name (prefix of its variables' paths).
    """

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.",
                          stacklevel=2)
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        self.name = name or naming.unique_name(naming.to_snake_case(type(self).__name__))
        # Made under a fluxion.distribute strategy's scope: gradients are averaged over
        # its workers before every update (as under tf.distribute).
        self._distribute_strategy = _current_strategy()
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.global_clipnorm = global_clipnorm
        self.clipvalue = clipvalue
        self.use_ema = use_ema
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        if gradient_accumulation_steps and not gradient_accumulation_steps >= 2:
            raise ValueError(f"`gradient_accumulation_steps` must be an integer >= 2. "
                             f"Received: gradient_accumulation_steps="
                             f"{gradient_accumulation_steps}")
        if use_ema:
            if ema_momentum > 1 or ema_momentum < 0:
                raise ValueError(f"`ema_momentum` must be in the range [0, 1]. Received: "
                                 f"ema_momentum={ema_momentum}")
            if ema_overwrite_frequency and (not isinstance(ema_overwrite_frequency, int)
                                            or ema_overwrite_frequency < 1):
                raise ValueError(f"`ema_overwrite_frequency` must be an integer >= 1 or None. "
                                 f"Received: ema_overwrite_frequency={ema_overwrite_frequency}")
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(f"Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be "
                             f"set. Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                             f"global_clipnorm={global_clipnorm}")
        self.built = False
        self._variables: list = []
        self._trainable_variables: list = []
        self._trainable_variables_indices: dict = {}
        self._step_cache: dict = {}
        self._exclude_ids: set = set()
        self._exclude_pattern = None
        self._iterations = self._make_variable(np.int64(0), "iteration", "int64")
        self._learning_rate = None
        self._set_learning_rate(learning_rate)

    # --- variables -------------------------------------------------------------------------
    def _make_variable(self, value, name: str, dtype, shape=None) -> KerasVariable:
        with init_scope():  # optimizer state is created eagerly, even while tracing
            variable = KerasVariable(value, shape=shape, dtype=dtype, trainable=False,
                                     name=name, path=f"{self.name}/{name}")
        self._variables.append(variable)
        return variable

    def _set_learning_rate(self, learning_rate) -> None:
        if isinstance(learning_rate, LearningRateSchedule) or (
                callable(learning_rate) and not isinstance(learning_rate, (Variable, Tensor))):
            if isinstance(self._learning_rate, Variable):
                self._variables = [v for v in self._variables if v is not self._learning_rate]
            self._learning_rate = learning_rate
            return
        if isinstance(self._learning_rate, LearningRateSchedule):
            raise TypeError("This optimizer was created with a `LearningRateSchedule` object as "
                            "its `learning_rate` constructor argument, hence its learning rate "
                            "is not settable. If you need the learning rate to be settable, you "
                            "should instantiate the optimizer with a float `learning_rate` "
                            "argument.")
        try:
            value = float(learning_rate)
        except (TypeError, ValueError):
            raise ValueError(f"Argument `learning_rate` should be float, or an instance of "
                             f"LearningRateSchedule, or a callable (that takes in the current "
                             f"iteration value and returns the corresponding learning rate "
                             f"value). Received instead: learning_rate={learning_rate}") from None
        if isinstance(self._learning_rate, Variable):
            self._learning_rate.assign(np.float32(value))
        else:
            self._learning_rate = self._make_variable(np.float32(value), "learning_rate",
                                                      "float32")

    @property
    def iterations(self):
        if self.gradient_accumulation_steps:
            return math_ops.floordiv(self._iterations.read_value(),
                                     self.gradient_accumulation_steps)
        return self._iterations

    @property
    def variables(self) -> list:
        return self._variables[:]

    def add_variable(
        self, shape, initializer="zeros", dtype=None, aggregation="none", layout=None, name=None
    ) -> KerasVariable:
        """A new optimizer variable of ``shape`` filled by ``initializer``."""
        from fluxion.keras import initializers

        initializer = initializers.get(initializer)
        dtype = dtype or "float32"
        return self._make_variable(
            initializer, name or "variable", dtype, shape=tuple(int(d) for d in shape)
        )

    def add_variable_from_reference(
        self, reference_variable, name=None, initializer="zeros"
    ) -> KerasVariable:
        """A slot variable shaped like ``reference_variable`` (``"{path}_{name}"``)."""
        name = name or "var"
        path = getattr(reference_variable, "path", None)
        if path is not None:
            name = f"{path.replace('/', '_')}_{name}"
        else:
            base = str(reference_variable.name).replace("/", "_").replace(":", "_")
            name = f"{base}_{name}"
        return self.add_variable(
            tuple(reference_variable.shape), initializer, reference_variable.dtype, name=name
        )

    def add_optimizer_variables(self, trainable_variables, name, initializer="zeros"):
        """One slot per variable for each name in ``name`` (a str, or a list of str)."""
        names = [name] if isinstance(name, str) else list(name)
        inits = (
            initializer if isinstance(initializer, (list, tuple)) else [initializer] * len(names)
        )
        if len(names) != len(inits):
            raise ValueError(
                f"The number of provided names must match the number of provided "
                f"initializers.  Received name='{name}', "
                f"initializer='{initializer}'"
            )
        slots = tuple([] for _ in names)
        for variable in trainable_variables:
            overwrite = getattr(variable, "overwrite_with_gradient", False)
            for i, (slot_name, init) in enumerate(zip(names, inits)):
                slots[i].append(
                    None
                    if overwrite
                    else self.add_variable_from_reference(variable, slot_name, init)
                )
        return slots[0] if isinstance(name, str) else slots

    def build(self, variables) -> None:
        """Creates the optimizer's state for ``variables`` (subclasses add their slots)."""
        variables = list(variables)
        if self.use_ema:
            self._model_variables_moving_average = self.add_optimizer_variables(
                variables, "average"
            )
        if self.gradient_accumulation_steps:
            self._accumulated_gradients = [
                self.add_variable_from_reference(v, "gradient_accumulator") for v in variables
            ]
        for i, variable in enumerate(variables):
            self._trainable_variables_indices[id(variable)] = i
        self._trainable_variables = variables[:]
        self.built = True

    def _get_variable_index(self, variable) -> int:
        return self._trainable_variables_indices[id(variable)]

    def _check_variables_are_known(self, variables) -> None:
        for variable in variables:
            if id(variable) not in self._trainable_variables_indices:
                raise ValueError(
                    f"Unknown variable: {variable}. This optimizer can only be "
                    f"called for the variables it was originally built with. When "
                    f"working with a new set of variables, you should recreate a "
                    f"new optimizer instance."
                )

    # --- the learning rate ---------------------------------------------------------------------
    @property
    def learning_rate(self):
        return self._get_current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, learning_rate) -> None:
        self._set_learning_rate(learning_rate)

    def _get_current_learning_rate(self):
        if isinstance(self._learning_rate, LearningRateSchedule):
            return self._learning_rate(self._iterations)
        if isinstance(self._learning_rate, Variable):
            return self._learning_rate
        return self._learning_rate()

    # --- helpers for update_step -----------------------------------------------------------------
    def step_constant(self, key, dtype, compute):
        """``compute(dtype)``, evaluated once per step and dtype (bias corrections...)."""
        cache_key = (key, dtype)
        value = self._step_cache.get(cache_key)
        if value is None:
            value = self._step_cache[cache_key] = compute(dtype)
        return value

    def local_step(self, dtype) -> Tensor:
        """``iterations + 1`` as ``dtype`` (the 1-based number of the step being taken)."""
        return self.step_constant(
            "local_step", dtype, lambda d: array_ops.cast(self._read(self.iterations) + 1, d)
        )

    def cast_lr(self, learning_rate, dtype) -> Tensor:
        return self.step_constant(
            "learning_rate", dtype, lambda d: array_ops.cast(learning_rate, d)
        )

    @staticmethod
    def _read(value):
        return value.read_value() if isinstance(value, Variable) else value

    def assign(self, variable, value) -> None:
        variable.assign(value)

    def assign_add(self, variable, value) -> None:
        variable.assign_add(value)

    def assign_sub(self, variable, value) -> None:
        variable.assign_sub(value)

    def update_step(self, gradient, variable, learning_rate) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement update_step")

    # --- applying gradients ----------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars):
        """Applies ``[(gradient, variable), ...]``; returns ``iterations``."""
        grads, variables = zip(*grads_and_vars) if grads_and_vars else ((), ())
        self.apply(list(grads), list(variables))
        return self._iterations

    def apply(self, grads, trainable_variables=None) -> None:
        """Updates ``trainable_variables`` (default: those built with) with ``grads``."""
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must "
                    "already be built on a list of variables. Call "
                    "`optimizer.build(trainable_variables)` first. "
                )
            if len(grads) != len(self._trainable_variables_indices):
                raise ValueError(
                    f"When passing `grads` as a list of gradient tensors, the "
                    f"gradients must match `optimizer.variables` one-to-one. "
                    f"Received a list of {len(grads)} gradients, but the optimizer "
                    f"is tracking {len(self._trainable_variables)} trainable "
                    f"variables."
                )
            trainable_variables = self._trainable_variables
        else:
            trainable_variables = list(trainable_variables)
            if not self.built:
                self.build(trainable_variables)
                self.built = True
            self._check_variables_are_known(trainable_variables)
        grads, trainable_variables = self._filter_empty_gradients(grads, trainable_variables)
        grads, trainable_variables = self._overwrite_with_gradients(grads, trainable_variables)
        if grads:
            grads = [_dense(g) for g in grads]
            strategy = self._distribute_strategy
            self._step_cache = {}
            # Eager updates flush denormals to zero as compiled steps do (and TF's kernels):
            # moments of weights without gradient decay into denormals, slow to compute.
            flush = floating_point.flush_to_zero()
            try:
                # A strategy may average the gradients and update itself, each worker
                # its share of the parameters (fluxion.distribute.sharded_update).
                if strategy is None or \
                        not strategy._update_sharded(self, grads, trainable_variables):
                    if strategy is not None:
                        grads = strategy._average_gradients(grads)
                    if self.loss_scale_factor is not None:
                        grads = [g / self.loss_scale_factor for g in grads]
                    self._backend_apply_gradients(grads, trainable_variables)
            finally:
                floating_point.restore(flush)
                self._step_cache = {}
            for variable in trainable_variables:
                if getattr(variable, "constraint", None) is not None:
                    variable.assign(variable.constraint(variable))
        self._iterations.assign_add(np.int64(1))

    def _backend_apply_gradients(self, grads, trainable_variables) -> None:
        if self.gradient_accumulation_steps:
            self._accumulate_and_maybe_update(grads, trainable_variables)
        else:
            grads = self._clip_gradients(grads)
            self._apply_weight_decay(trainable_variables)
            self._backend_update_step(grads, trainable_variables, self.learning_rate)
        if self.use_ema:
            self._update_model_variables_moving_average(self._trainable_variables)
            if self.ema_overwrite_frequency:
                self._maybe_overwrite_with_average()

    def _backend_update_step(self, grads, trainable_variables, learning_rate) -> None:
        learning_rate = self._read(learning_rate)
        for grad, variable in zip(grads, trainable_variables):
            self.update_step(grad, variable, learning_rate)

    def _accumulate_and_maybe_update(self, grads, trainable_variables) -> None:
        """Every ``gradient_accumulation_steps`` steps, update with the mean gradient."""
        steps = self.gradient_accumulation_steps
        accumulators = [
            self._accumulated_gradients[self._get_variable_index(v)] for v in trainable_variables
        ]
        is_update = array_ops.equal(math_ops.floormod(self._iterations.read_value() + 1, steps), 0)

        def update():
            mean = [(g + acc.read_value()) / steps for g, acc in zip(grads, accumulators)]
            mean = self._clip_gradients(mean)
            self._apply_weight_decay(trainable_variables)
            self._backend_update_step(mean, trainable_variables, self.learning_rate)

        if not inside_function():  # eager: a plain branch on the step number
            if bool(is_update):
                update()
                for acc in accumulators:
                    acc.assign(creation_ops.zeros_like(acc.read_value()))
            else:
                for g, acc in zip(grads, accumulators):
                    acc.assign_add(g)
            return
        # Traced: run the update, then keep its results only on update steps.
        touched = [
            v
            for v in trainable_variables + self._variables
            if v is not self._iterations and not any(v is a for a in accumulators)
        ]
        before = [v.read_value() for v in touched]
        update()
        for variable, old in zip(touched, before):
            variable.assign(array_ops.select(is_update, variable.read_value(), old))
        for g, acc in zip(grads, accumulators):
            current = acc.read_value()
            acc.assign(array_ops.select(is_update, creation_ops.zeros_like(current), current + g))

    def _filter_empty_gradients(self, grads, variables):
        kept_grads, kept_vars, missing = [], [], []
        for grad, variable in zip(grads, variables):
            if grad is None:
                missing.append(getattr(variable, "path", variable.name))
            else:
                kept_grads.append(grad)
                kept_vars.append(variable)
        if not kept_grads:
            raise ValueError("No gradients provided for any variable.")
        if missing:
            warnings.warn(
                f"Gradients do not exist for variables {missing} when minimizing the "
                f"loss. If using `model.compile()`, did you forget to provide a "
                f"`loss` argument?",
                stacklevel=3,
            )
        return kept_grads, kept_vars

    def _overwrite_with_gradients(self, grads, variables):
        """Variables marked ``overwrite_with_gradient`` take their gradient as value."""
        if not any(getattr(v, "overwrite_with_gradient", False) for v in variables):
            return grads, variables
        kept_grads, kept_vars = [], []
        for grad, variable in zip(grads, variables):
            if getattr(variable, "overwrite_with_gradient", False):
                variable.assign(grad)
            else:
                kept_grads.append(grad)
                kept_vars.append(variable)
        return kept_grads, kept_vars

    def _clip_gradients(self, grads):
        if self.clipnorm and self.clipnorm > 0:
            return [self._clip_by_norm(g) for g in grads]
        if self.global_clipnorm and self.global_clipnorm > 0:
            return clip_by_global_norm(grads, self.global_clipnorm)
        if self.clipvalue and self.clipvalue > 0:
            from fluxion.ops.clip_ops import clip_by_value

            return [clip_by_value(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def _clip_by_norm(self, values):
        squares = reduce_sum(math_ops.square(values))
        positive = math_ops.greater(squares, 0)
        # The double select keeps the gradient of sqrt finite where the norm is 0.
        safe = array_ops.select(positive, squares, creation_ops.ones_like(squares))
        norm = array_ops.select(positive, math_ops.sqrt(safe), squares)
        return values * self.clipnorm / math_ops.maximum(norm, self.clipnorm)

    # --- weight decay ---------------------------------------------------------------------------
    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Exempts ``var_list`` and variables whose name contains one of ``var_names``."""
        if self.built:
            raise ValueError(
                "`exclude_from_weight_decay()` can only be configured before the "
                "optimizer is built."
            )
        self._exclude_ids = {id(v) for v in var_list or ()}
        self._exclude_pattern = re.compile("|".join(set(var_names))) if var_names else None

    def _use_weight_decay(self, variable) -> bool:
        if id(variable) in self._exclude_ids:
            return False
        if (
            self._exclude_pattern is not None
            and self._exclude_pattern.search(variable.name) is not None
        ):
            return False
        return True

    def _apply_weight_decay(self, variables) -> None:
        if self.weight_decay is None:
            return
        learning_rate = self._read(self.learning_rate)
        for variable in variables:
            if self._use_weight_decay(variable):
                dtype = variable.dtype
                factor = self.step_constant(
                    "weight_decay",
                    dtype,
                    lambda d: (
                        array_ops.cast(learning_rate, d) * array_ops.cast(self.weight_decay, d)
                    ),
                )
                value = variable.read_value()
                variable.assign(value - value * factor)

    # --- exponential moving average ------------------------------------------------------------
    def _update_model_variables_moving_average(self, trainable_variables) -> None:
        not_first = math_ops.not_equal(self._read(self.iterations), 0)
        for variable, average in zip(trainable_variables, self._model_variables_moving_average):
            if average is None:
                continue
            momentum = array_ops.cast(not_first, variable.dtype) * self.ema_momentum
            average.assign(momentum * average.read_value() + (1 - momentum) * variable.read_value())

    def _maybe_overwrite_with_average(self) -> None:
        should = array_ops.equal(
            math_ops.floormod(self._read(self.iterations) + 1, self.ema_overwrite_frequency), 0
        )
        for variable, average in zip(
            self._trainable_variables, self._model_variables_moving_average
        ):
            if average is not None:
                variable.assign(
                    array_ops.select(should, average.read_value(), variable.read_value())
                )

    def _overwrite_model_variables_with_average_value(self, trainable_variables) -> None:
        if len(trainable_variables) != len(self._model_variables_moving_average):
            raise ValueError(
                f"The length of model variables ({len(trainable_variables)}) to "
                f"override does not match the length of model variables stored in "
                f"the optimizer ({len(self._model_variables_moving_average)}). "
                f"Please check if the optimizer was called on your model."
            )
        for variable, average in zip(trainable_variables, self._model_variables_moving_average):
            if average is not None:
                variable.assign(average.read_value())

    def finalize_variable_values(self, var_list) -> None:
        """With EMA, copies the moving averages into the model's variables."""
        if self.use_ema:
            self._overwrite_model_variables_with_average_value(var_list)

    # --- convenience -----------------------------------------------------------------------------
    def minimize(self, loss, var_list, tape=None):
        """Computes gradients of ``loss`` (a callable, or a tensor with ``tape``) and applies them.

        >>> import fluxion as tf
        >>> from fluxion.keras.optimizers import SGD
        >>> v = tf.Variable(2.0)
        >>> _ = SGD(0.5).minimize(lambda: v * v, [v])
        >>> float(v.numpy())
        0.0
        """
        from fluxion.core.tape import GradientTape

        if callable(loss):
            with GradientTape() as tape:
                if callable(var_list):
                    var_list = var_list()
                tape.watch(var_list)
                loss = loss()
        elif tape is None:
            raise ValueError(
                "`tape` is required when a `Tensor` loss is passed. Received: "
                f"loss={loss}, tape={tape}."
            )
        if callable(var_list):
            var_list = var_list()
        var_list = list(var_list)
        grads = tape.gradient(self.scale_loss(loss), var_list)
        return self.apply_gradients(list(zip(grads, var_list)))

    def scale_loss(self, loss):
        """``loss * loss_scale_factor`` when a scale factor is set."""
        return loss * self.loss_scale_factor if self.loss_scale_factor is not None else loss

    def set_weights(self, weights) -> None:
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not yet "
                "been built. Please call `optimizer.build(trainable_variables)` to "
                "create the optimizer weights before calling `set_weights()`."
            )
        for variable, weight in zip(self._variables, weights):
            weight = np.asarray(weight)
            if tuple(variable.shape) != weight.shape:
                raise ValueError(
                    f"Optimizer variable {variable.path} has shape "
                    f"{tuple(variable.shape)} not compatible with provided weight "
                    f"shape {weight.shape}."
                )
            variable.assign(weight.astype(variable.dtype.np_dtype))

    def save_own_variables(self, store) -> None:
        for i, variable in enumerate(self.variables):
            store[str(i)] = variable.numpy()

    def load_own_variables(self, store) -> None:
        if len(store.keys()) != len(self.variables):
            warnings.warn(
                f"Skipping variable loading for optimizer '{self.name}', because it "
                f"has {len(self.variables)} variables whereas the saved optimizer has "
                f"{len(store.keys())} variables. ",
                stacklevel=2,
            )
            return
        for i, variable in enumerate(self.variables):
            variable.assign(np.asarray(store[str(i)]))

    # --- configuration ---------------------------------------------------------------------------
    def get_config(self) -> dict:
        if isinstance(self._learning_rate, LearningRateSchedule):
            learning_rate = serialize_keras_object(self._learning_rate)
        elif isinstance(self._learning_rate, Variable):
            learning_rate = float(self._learning_rate.numpy())
        else:
            learning_rate = serialize_keras_object(self._learning_rate)
        return {
            "name": self.name,
            "learning_rate": learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = deserialize_keras_object(
                config["learning_rate"], custom_objects=custom_objects
            )
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _dense(grad):
    """A gradient as a dense tensor (``IndexedSlices`` rows are summed into place)."""
    if hasattr(grad, "indices") and hasattr(grad, "values"):
        from fluxion.ops.array_ops import scatter_nd

        indices = expand_dims(convert_to_tensor(grad.indices), -1)
        return scatter_nd(indices, grad.values, grad.dense_shape)
    return grad if isinstance(grad, Tensor) else convert_to_tensor(grad)


def global_norm(values) -> Tensor:
    """``sqrt(sum of squares of every entry of every tensor)``."""
    total = None
    for value in values:
        if value is None:
            continue
        term = reduce_sum(math_ops.square(value))
        total = term if total is None else total + array_ops.cast(term, total.dtype)
    return math_ops.sqrt(total)


def clip_by_global_norm(values, clip_norm) -> list:
    """Scales every tensor by ``clip_norm / max(global_norm, clip_norm)`` (NaN if not finite)."""
    norm = global_norm(values)
    scale = math_ops.minimum(1.0 / norm, 1.0 / clip_norm) * clip_norm
    scale = scale + (norm - norm)  # inf or NaN norms make the scale NaN, as in Keras
    return [None if v is None else v * array_ops.cast(scale, v.dtype) for v in values]


def _current_strategy():
    """The open ``fluxion.distribute`` strategy scope, if fluxion.distribute is in use."""
    import sys

    module = sys.modules.get("fluxion.distribute.strategy")
    if module is None or not module.has_strategy():
        return None
    return module.get_strategy()
