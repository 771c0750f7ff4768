"""FTRL-Proximal (``keras.optimizers.Ftrl``), as used for large sparse linear models."""

from __future__ import annotations

from fluxion.keras.optimizers.base_optimizer import Optimizer
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import array_ops, math_ops
from fluxion.ops.clip_ops import clip_by_value


@keras_class("keras.optimizers")
class Ftrl(Optimizer):
    """Follow-the-regularized-leader with L1/L2 (and L2 shrinkage) regularization.

    Keeps a gradient accumulator ``n`` and a linear term ``z``; the weight is the closed
    form ``(clip(z, -l1, l1) - z) / (n**-lr_power / lr + 2 * l2)``.
    """

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
                 beta=0.0, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue, global_clipnorm=global_clipnorm,
                         use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        for arg, value in (("initial_accumulator_value", initial_accumulator_value),
                           ("l1_regularization_strength", l1_regularization_strength),
                           ("l2_regularization_strength", l2_regularization_strength),
                           ("l2_shrinkage_regularization_strength",
                            l2_shrinkage_regularization_strength)):
            if value < 0.0:
                raise ValueError(f"`{arg}` needs to be positive or zero. Received: "
                                 f"{arg}={value}.")
        if learning_rate_power > 0.0:
            raise ValueError(f"`learning_rate_power` needs to be negative or zero. Received: "
                             f"learning_rate_power={learning_rate_power}.")
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, var_list) -> None:
        if self.built:
            return
        from fluxion.keras.initializers import Constant

        super().build(var_list)
        self._accumulators, self._linears = self.add_optimizer_variables(
            var_list, ["accumulator", "linear"],
            initializer=[Constant(self.initial_accumulator_value), "zeros"])

    def update_step(self, gradient, variable, learning_rate) -> None:
        dtype = variable.dtype
        lr = self.cast_lr(learning_rate, dtype)
        g = array_ops.cast(gradient, dtype)
        index = self._get_variable_index(variable)
        accumulator, linear = self._accumulators[index], self._linears[index]
        power = -self.learning_rate_power
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)
        weight = variable.read_value()
        shrunk = g + weight * (2 * self.l2_shrinkage_regularization_strength)
        old = accumulator.read_value()
        new = old + math_ops.square(g)
        new_power = math_ops.pow(new, power)
        linear.assign_add(shrunk - (new_power - math_ops.pow(old, power)) / lr * weight)
        quadratic = new_power / lr + 2 * l2
        z = linear.read_value()
        l1 = self.l1_regularization_strength
        variable.assign((clip_by_value(z, -l1, l1) - z) / quadratic)
        accumulator.assign(new)

    def get_config(self) -> dict:
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength":
                    self.l2_shrinkage_regularization_strength,
                "beta": self.beta}
