"""``LossScaleOptimizer``: dynamic loss scaling for float16 training (``mixed_float16``).

float16 gradients underflow to zero for small losses.  The training step multiplies the
loss by a large scale (``scale_loss``), so the gradients stay representable; ``apply``
divides them back.  If any gradient is inf or NaN the step is skipped and the scale
halved; after ``dynamic_growth_steps`` finite steps in a row the scale doubles.  Under
``mixed_float16`` ``Model.compile`` wraps its optimizer in one, as Keras does.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.tensor import convert_to_tensor
from fluxion.graph import control_flow
from fluxion.keras.optimizers.base_optimizer import Optimizer
from fluxion.keras.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)
from fluxion.ops import array_ops, math_ops
from fluxion.ops.framework_ops import inside_function
from fluxion.ops.reduce_ops import reduce_all


@keras_class("keras.optimizers")
class LossScaleOptimizer(Optimizer):
    """Wraps ``inner_optimizer`` with dynamic loss scaling.

    Args:
      inner_optimizer: the optimizer that updates the weights.
      initial_scale: the first loss scale (2**15).
      dynamic_growth_steps: finite steps in a row after which the scale doubles.

    >>> from fluxion import keras
    >>> opt = keras.mixed_precision.LossScaleOptimizer(keras.optimizers.SGD(0.1))
    >>> float(opt.dynamic_scale.numpy())
    32768.0
    """

    def __init__(self, inner_optimizer, initial_scale: float = 2.0 ** 15,
                 dynamic_growth_steps: int = 2000, **kwargs):
        if not isinstance(inner_optimizer, Optimizer):
            raise ValueError(f"LossScaleOptimizer expects a keras Optimizer to wrap; got "
                             f"inner_optimizer={inner_optimizer!r}")
        kwargs.pop("learning_rate", None)  # the inner optimizer's learning rate is used
        super().__init__(learning_rate=0.0, **kwargs)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = float(initial_scale)
        self.dynamic_growth_steps = int(dynamic_growth_steps)
        self.step_counter = self._make_variable(np.int64(0), "step_counter", "int64")
        self.dynamic_scale = self._make_variable(np.float32(initial_scale), "dynamic_scale",
                                                 "float32")

    # --- the wrapped optimizer's state -------------------------------------------------------
    @property
    def variables(self) -> list:
        return self._variables[:] + self.inner_optimizer.variables

    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, learning_rate) -> None:
        self.inner_optimizer.learning_rate = learning_rate

    def build(self, variables) -> None:
        self.inner_optimizer.build(list(variables))
        self.built = True

    # --- scaling -------------------------------------------------------------------------------
    def scale_loss(self, loss):
        """``loss * dynamic_scale`` (in the loss's dtype)."""
        loss = convert_to_tensor(loss)
        return math_ops.multiply(loss, array_ops.cast(self.dynamic_scale.read_value(), loss.dtype))

    def apply(self, grads, trainable_variables=None) -> None:
        """Unscales ``grads``; applies them if all are finite, else halves the scale."""
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            trainable_variables = self.inner_optimizer._trainable_variables
        trainable_variables = list(trainable_variables)
        if not self.inner_optimizer.built:  # slots created now, outside any branch
            self.build(trainable_variables)
        scale = self.dynamic_scale.read_value()
        unscaled = [None if g is None else math_ops.truediv(g, array_ops.cast(scale, g.dtype))
                    for g in grads]
        checks = [reduce_all(math_ops.is_finite(g)) for g in unscaled if g is not None]
        finite = checks[0]
        for check in checks[1:]:
            finite = math_ops.logical_and(finite, check)

        def finite_step():
            self.inner_optimizer.apply(unscaled, trainable_variables)
            grow = math_ops.greater_equal(
                self.step_counter.read_value() + 1, self.dynamic_growth_steps
            )
            self.dynamic_scale.assign(array_ops.select(grow, scale * 2.0, scale))
            self.step_counter.assign(
                array_ops.select(grow, np.int64(0), self.step_counter.read_value() + 1)
            )
            return array_ops.cast(finite, "int64")

        def skipped_step():
            self.dynamic_scale.assign(scale / 2.0)
            self.step_counter.assign(np.int64(0))
            return array_ops.cast(finite, "int64")

        if not inside_function():  # eager: a Python branch
            finite_step() if bool(finite) else skipped_step()
        else:
            control_flow.cond(finite, finite_step, skipped_step)

    def apply_gradients(self, grads_and_vars):
        grads, variables = zip(*grads_and_vars) if grads_and_vars else ((), ())
        self.apply(list(grads), list(variables))
        return self.iterations

    # --- configuration ---------------------------------------------------------------------------
    def get_config(self) -> dict:
        return {
            "name": self.name,
            "inner_optimizer": serialize_keras_object(self.inner_optimizer),
            "initial_scale": self.initial_scale,
            "dynamic_growth_steps": self.dynamic_growth_steps,
        }

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        inner = config.pop("inner_optimizer")
        if isinstance(inner, dict):  # optimizers register their classes (keras_class)
            inner = deserialize_keras_object(inner, custom_objects=custom_objects)
        return cls(inner, **config)
