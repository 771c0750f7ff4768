"""The Adam family (``keras.optimizers.Adam``, ``AdamW``, ``Adamax``, ``Nadam``).

Each keeps a first moment ``m`` and a second-moment estimate per variable; their bias
corrections depend only on the step, so they are computed once per step
(``step_constant``) rather than once per variable.
"""

from __future__ import annotations

from fluxion.core.variable import init_scope
from fluxion.keras.engine.variables import KerasVariable
from fluxion.keras.optimizers.base_optimizer import Optimizer
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import array_extra, array_ops, math_ops, optimizer_ops


def _numbers(*values) -> bool:
    """Whether every hyperparameter is a plain number (the fused update takes those)."""
    return all(isinstance(value, (int, float)) and not isinstance(value, bool)
               for value in values)


class _Moments(Optimizer):
    """Shared constructor and config of the Adam family."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue, global_clipnorm=global_clipnorm,
                         use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _power(self, name: str, beta: float, dtype):
        """``beta ** (iterations + 1)`` in ``dtype``, once per step."""
        return self.step_constant(
            name, dtype, lambda d: math_ops.pow(array_ops.cast(beta, d), self.local_step(d))
        )

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        }


@keras_class("keras.optimizers")
class Adam(_Moments):
    """Adam (Kingma & Ba): ``w -= lr_t * m / (sqrt(v) + epsilon)`` with
    ``lr_t = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)``; ``amsgrad`` uses ``max(v)``.
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        amsgrad=False,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema=False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        loss_scale_factor=None,
        gradient_accumulation_steps=None,
        name=None,
        **kwargs,
    ):
        super().__init__(
            learning_rate,
            beta_1,
            beta_2,
            epsilon,
            weight_decay,
            clipnorm,
            clipvalue,
            global_clipnorm,
            use_ema,
            ema_momentum,
            ema_overwrite_frequency,
            loss_scale_factor,
            gradient_accumulation_steps,
            name,
            **kwargs,
        )
        self.amsgrad = amsgrad

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"]
        )
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(var_list, "velocity_hat")

    def _alpha(self, learning_rate, dtype):
        def compute(d):
            lr = self.cast_lr(learning_rate, d)
            return (
                lr
                * math_ops.sqrt(1 - self._power("beta_2_power", self.beta_2, d))
                / (1 - self._power("beta_1_power", self.beta_1, d))
            )

        return self.step_constant("alpha", dtype, compute)

    def update_step(self, gradient, variable, learning_rate) -> None:
        dtype = variable.dtype
        alpha = self._alpha(learning_rate, dtype)
        g = array_ops.cast(gradient, dtype)
        index = self._get_variable_index(variable)
        m, v = self._momentums[index], self._velocities[index]
        if not self.amsgrad and _numbers(self.beta_1, self.beta_2, self.epsilon):
            # One fused op, bit for bit the formulas below, in fewer passes over memory.
            m_new, v_new, w_new = optimizer_ops.adam_update(
                g, m.read_value(), v.read_value(), variable.read_value(), alpha,
                self.beta_1, self.beta_2, self.epsilon)
            m.assign(m_new)
            v.assign(v_new)
            variable.assign(w_new)
            return
        m.assign_add((g - m.read_value()) * (1 - self.beta_1))
        v.assign_add((math_ops.square(g) - v.read_value()) * (1 - self.beta_2))
        second = v.read_value()
        if self.amsgrad:
            v_hat = self._velocity_hats[index]
            second = math_ops.maximum(v_hat.read_value(), second)
            v_hat.assign(second)
        variable.assign_sub(m.read_value() * alpha / (math_ops.sqrt(second) + self.epsilon))

    def _sharded_update_plan(self, grads, variables):
        """For a strategy that splits this step's update between its workers
        (``fluxion.distribute.sharded_update``): the slots of ``variables``, the
        hyperparameters and the step's ``alpha``, where the step is the fused update and
        nothing else (float32, no amsgrad, decay, clipping, EMA, accumulation, loss
        scale, and no subclass changing the update); else None."""
        kind = type(self)
        if kind.update_step is not Adam.update_step \
                or kind._backend_update_step is not Optimizer._backend_update_step \
                or kind._backend_apply_gradients is not Optimizer._backend_apply_gradients:
            return None
        if self.amsgrad or not _numbers(self.beta_1, self.beta_2, self.epsilon) \
                or self.weight_decay or self.clipnorm or self.clipvalue \
                or self.global_clipnorm or self.use_ema or self.gradient_accumulation_steps \
                or self.loss_scale_factor:
            return None
        if not all(v.dtype == "float32" and g.dtype == "float32" and v.shape == g.shape
                   and None not in g.shape.as_list() for g, v in zip(grads, variables)):
            return None
        indices = [self._get_variable_index(v) for v in variables]

        def alpha():
            self._step_cache = {}
            try:
                return self._alpha(self._read(self.learning_rate), variables[0].dtype)
            finally:
                self._step_cache = {}

        return {"moments": [self._momentums[i] for i in indices],
                "velocities": [self._velocities[i] for i in indices],
                "hyper": {"beta_1": float(self.beta_1), "beta_2": float(self.beta_2),
                          "epsilon": float(self.epsilon)},
                "alpha": alpha}

    def get_config(self) -> dict:
        return {**super().get_config(), "amsgrad": self.amsgrad}


@keras_class("keras.optimizers")
class AdamW(Adam):
    """Adam with decoupled weight decay (``w -= w * weight_decay * lr`` each step)."""

    def __init__(
        self,
        learning_rate=0.001,
        weight_decay=0.004,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        amsgrad=False,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema=False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        loss_scale_factor=None,
        gradient_accumulation_steps=None,
        name=None,
        **kwargs,
    ):
        super().__init__(
            learning_rate=learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
            name=name,
            weight_decay=weight_decay,
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            global_clipnorm=global_clipnorm,
            use_ema=use_ema,
            ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps,
            **kwargs,
        )
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")


@keras_class("keras.optimizers")
class Adamax(_Moments):
    """Adam with the infinity norm: ``u = max(beta_2 * u, |g|)``,
    ``w -= lr * m / ((1 - beta_1**t) * (u + epsilon))``.
    """

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._m, self._u = self.add_optimizer_variables(var_list, ["momentum", "norm"])

    def update_step(self, gradient, variable, learning_rate) -> None:
        dtype = variable.dtype
        lr = self.cast_lr(learning_rate, dtype)
        correction = self.step_constant(
            "adamax_correction", dtype, lambda d: 1 - self._power("beta_1_power", self.beta_1, d)
        )
        g = array_ops.cast(gradient, dtype)
        index = self._get_variable_index(variable)
        m, u = self._m[index], self._u[index]
        m.assign_add((g - m.read_value()) * (1 - self.beta_1))
        norm = math_ops.maximum(u.read_value() * self.beta_2, array_extra.abs_(g))
        u.assign(norm)
        variable.assign_sub(m.read_value() * lr / (correction * (norm + self.epsilon)))


@keras_class("keras.optimizers")
class Nadam(_Moments):
    """Adam with Nesterov momentum (Dozat), with the momentum schedule
    ``u_t = beta_1 * (1 - 0.5 * 0.96**t)`` whose running product is a variable.
    """

    def build(self, var_list) -> None:
        if self.built:
            return
        var_list = list(var_list)
        dtype = var_list[0].dtype if var_list else "float32"
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"]
        )
        with init_scope():
            self._u_product = KerasVariable(1.0, dtype=dtype, trainable=False, name="variable")
        self._variables.append(self._u_product)

    def _backend_update_step(self, grads, trainable_variables, learning_rate) -> None:
        dtype = self._u_product.dtype
        step = self.local_step(dtype)
        self._u_product.assign(
            self._u_product.read_value()
            * self.beta_1
            * (1.0 - 0.5 * math_ops.pow(array_ops.cast(0.96, dtype), step))
        )
        super()._backend_update_step(grads, trainable_variables, learning_rate)

    def _schedule(self, dtype):
        """``(u_t, u_{t+1}, prod u up to t, prod u up to t+1, beta_2**t)`` for this step."""

        def compute(d):
            step = self.local_step(d)
            u_t = (1.0 - 0.5 * math_ops.pow(array_ops.cast(0.96, d), step)) * self.beta_1
            u_next = (1.0 - 0.5 * math_ops.pow(array_ops.cast(0.96, d), step + 1)) * self.beta_1
            product = array_ops.cast(self._u_product.read_value(), d)
            return (
                u_t,
                u_next,
                product,
                product * u_next,
                self._power("beta_2_power", self.beta_2, d),
            )

        return self.step_constant("nadam", dtype, compute)

    def update_step(self, gradient, variable, learning_rate) -> None:
        dtype = variable.dtype
        lr = self.cast_lr(learning_rate, dtype)
        u_t, u_next, product, product_next, beta_2_power = self._schedule(dtype)
        g = array_ops.cast(gradient, dtype)
        index = self._get_variable_index(variable)
        m, v = self._momentums[index], self._velocities[index]
        m.assign_add((g - m.read_value()) * (1 - self.beta_1))
        v.assign_add((math_ops.square(g) - v.read_value()) * (1 - self.beta_2))
        m_hat = u_next * m.read_value() / (1 - product_next) + (1 - u_t) * g / (1 - product)
        v_hat = v.read_value() / (1 - beta_2_power)
        variable.assign_sub(m_hat * lr / (math_ops.sqrt(v_hat) + self.epsilon))
