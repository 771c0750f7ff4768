"""Stochastic gradient descent with optional (Nesterov) momentum (``keras.optimizers.SGD``)."""

from __future__ import annotations

from fluxion.keras.optimizers.base_optimizer import Optimizer
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import array_ops


@keras_class("keras.optimizers")
class SGD(Optimizer):
    """``w -= lr * g``; with ``momentum``: ``m = momentum * m - lr * g; w += m``
    (Nesterov: ``w += momentum * m - lr * g``).

    >>> import fluxion as tf
    >>> v = tf.Variable(1.0)
    >>> SGD(0.1).apply([tf.constant(2.0)], [v]); round(float(v.numpy()), 6)
    0.8
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue, global_clipnorm=global_clipnorm,
                         use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        if not isinstance(momentum, float) or momentum < 0 or momentum > 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum = momentum
        self.nesterov = nesterov

    def build(self, variables) -> None:
        if self.built:
            return
        super().build(variables)
        self.momentums = []
        if self.momentum != 0:
            self.momentums = self.add_optimizer_variables(variables, "momentum")

    def update_step(self, gradient, variable, learning_rate) -> None:
        dtype = variable.dtype
        lr = self.cast_lr(learning_rate, dtype)
        step = array_ops.cast(gradient, dtype) * lr
        if self.momentum == 0:
            variable.assign_sub(step)
            return
        m = self.momentums[self._get_variable_index(variable)]
        velocity = m.read_value() * self.momentum - step
        m.assign(velocity)
        variable.assign_add(velocity * self.momentum - step if self.nesterov else velocity)

    def get_config(self) -> dict:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
