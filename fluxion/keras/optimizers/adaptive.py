"""Optimizers that scale steps by accumulated squared gradients
(``keras.optimizers.RMSprop``, ``Adagrad``, ``Adadelta``).
"""

from __future__ import annotations

from fluxion.keras.optimizers.base_optimizer import Optimizer
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import array_ops, math_ops


@keras_class("keras.optimizers")
class RMSprop(Optimizer):
    """``v = rho * v + (1 - rho) * g**2``; ``w -= lr * g / sqrt(v + epsilon)``.

    ``centered`` subtracts the square of a running mean gradient from ``v``;
    ``momentum > 0`` accumulates the steps in a momentum slot.
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue, global_clipnorm=global_clipnorm,
                         use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._velocities = self.add_optimizer_variables(var_list, "velocity")
        self._momentums = []
        if self.momentum > 0:
            self._momentums = self.add_optimizer_variables(var_list, "momentum")
        self._average_gradients = []
        if self.centered:
            self._average_gradients = self.add_optimizer_variables(var_list, "average_gradient")

    def update_step(self, gradient, variable, learning_rate) -> None:
        dtype = variable.dtype
        lr = self.cast_lr(learning_rate, dtype)
        g = array_ops.cast(gradient, dtype)
        index = self._get_variable_index(variable)
        velocity = self._velocities[index]
        rho = self.rho
        second = velocity.read_value() * rho + math_ops.square(g) * (1 - rho)
        velocity.assign(second)
        if self.centered:
            average = self._average_gradients[index]
            mean = average.read_value() * rho + g * (1 - rho)
            average.assign(mean)
            denominator = second - math_ops.square(mean) + self.epsilon
        else:
            denominator = second + self.epsilon
        increment = lr * g / math_ops.sqrt(denominator)
        if self.momentum > 0:
            momentum = self._momentums[index]
            step = momentum.read_value() * self.momentum + increment
            momentum.assign(step)
            variable.assign_sub(step)
        else:
            variable.assign_sub(increment)

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}


@keras_class("keras.optimizers")
class Adagrad(Optimizer):
    """``a += g**2``; ``w -= lr * g / sqrt(a + epsilon)`` (``a`` starts at
    ``initial_accumulator_value``).
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue, global_clipnorm=global_clipnorm,
                         use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, var_list) -> None:
        if self.built:
            return
        from fluxion.keras.initializers import Constant

        super().build(var_list)
        self._accumulators = self.add_optimizer_variables(
            var_list, "accumulator", initializer=Constant(self.initial_accumulator_value))

    def update_step(self, gradient, variable, learning_rate) -> None:
        dtype = variable.dtype
        lr = self.cast_lr(learning_rate, dtype)
        g = array_ops.cast(gradient, dtype)
        accumulator = self._accumulators[self._get_variable_index(variable)]
        accumulator.assign_add(math_ops.square(g))
        variable.assign_sub(lr * g / math_ops.sqrt(accumulator.read_value() + self.epsilon))

    def get_config(self) -> dict:
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


@keras_class("keras.optimizers")
class Adadelta(Optimizer):
    """Steps scaled by the ratio of running RMS of past steps to running RMS of gradients."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue, global_clipnorm=global_clipnorm,
                         use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            var_list, ["accumulated_grad", "accumulated_delta_var"])

    def update_step(self, grad, variable, learning_rate) -> None:
        dtype = variable.dtype
        lr = self.cast_lr(learning_rate, dtype)
        g = array_ops.cast(grad, dtype)
        index = self._get_variable_index(variable)
        grads_sq, deltas_sq = self._accumulated_grads[index], self._accumulated_delta_vars[index]
        rho = self.rho
        new_grads_sq = grads_sq.read_value() * rho + math_ops.square(g) * (1 - rho)
        grads_sq.assign(new_grads_sq)
        old_deltas_sq = deltas_sq.read_value()
        delta = -(math_ops.sqrt(old_deltas_sq + self.epsilon) * g) / \
            math_ops.sqrt(new_grads_sq + self.epsilon)
        deltas_sq.assign(old_deltas_sq * rho + math_ops.square(delta) * (1 - rho))
        variable.assign_add(lr * delta)

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
