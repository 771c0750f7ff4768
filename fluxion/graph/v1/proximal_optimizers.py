"""TF 1's sparsity-inducing optimizers: FTRL, the proximal ones and Adagrad dual
averaging (``tf.compat.v1.train``).

Each keeps TF 1's slots and update formulas, written in Fluxion ops (so they run in a
v1 graph like the other optimizers of ``fluxion.graph.v1.optimizers``).  Their L1 terms
are applied by a soft threshold, ``sign(v) * max(|v| - t, 0)``, which sets weights
exactly to zero.
"""

from __future__ import annotations

from fluxion.graph.v1.adaptive_optimizers import _FilledSlots
from fluxion.graph.v1.optimizers import Optimizer
from fluxion.graph.v1.variables import assign
from fluxion.ops.array_ops import where
from fluxion.ops.math_ops import abs as absolute
from fluxion.ops.math_ops import cast, maximum, pow, sign, sqrt


def _soft_threshold(value, threshold):
    return sign(value) * maximum(absolute(value) - threshold, 0.0)


def _proximal_step(var, step, lr, l1, l2):
    """``prox(var - lr * step)`` for ``lr * (l1 |w| + l2 / 2 w^2)``."""
    moved = var - lr * step
    return _soft_threshold(moved, lr * l1) / (1.0 + lr * l2)


class ProximalGradientDescentOptimizer(Optimizer):
    """Gradient descent followed by the proximal step of the L1/L2 penalties:
    ``var = sign(v) * max(|v| - lr * l1, 0) / (1 + lr * l2)``, ``v = var - lr * g``."""

    def __init__(self, learning_rate, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, use_locking: bool = False,
                 name: str = "ProximalGradientDescent"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._l1, self._l2 = l1_regularization_strength, l2_regularization_strength

    def _apply_dense(self, grad, var) -> list:
        lr = self._hyper(self._learning_rate, var)
        new = _proximal_step(var, grad, lr, self._hyper(self._l1, var),
                             self._hyper(self._l2, var))
        return [assign(var, new)]


class ProximalAdagradOptimizer(_FilledSlots):
    """Adagrad's per-coordinate rate ``lr / sqrt(accum)`` with the proximal L1/L2 step."""

    def __init__(self, learning_rate, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 use_locking: bool = False, name: str = "ProximalAdagrad"):
        if initial_accumulator_value <= 0.0:
            raise ValueError(f"initial_accumulator_value must be positive: "
                             f"{initial_accumulator_value}")
        super().__init__(use_locking, name)
        self._learning_rate, self._initial = learning_rate, initial_accumulator_value
        self._l1, self._l2 = l1_regularization_strength, l2_regularization_strength

    def _create_slots(self, var_list: list) -> None:
        for var in var_list:
            self._filled_slot(var, "accumulator", self._initial)

    def _apply_dense(self, grad, var) -> list:
        accum = self.get_slot(var, "accumulator")
        accum_t = accum + grad * grad
        lr = self._hyper(self._learning_rate, var) / sqrt(accum_t)
        new = _proximal_step(var, grad, lr, self._hyper(self._l1, var),
                             self._hyper(self._l2, var))
        return [assign(accum, accum_t), assign(var, new)]


class FtrlOptimizer(_FilledSlots):
    """Follow-the-regularized-leader (McMahan et al., 2013), TF 1's variant.

    ``accum_new = accum + g^2``; ``linear += g' - (accum_new^-p - accum^-p) / lr * var``
    (``p`` = ``learning_rate_power``, ``g' = g + 2 * l2_shrinkage * var``);
    ``var = (sign(linear) * l1 - linear) / (accum_new^-p / lr + 2 * l2)`` where
    ``|linear| > l1``, else 0.  ``beta`` adds ``beta / (2 lr)`` to ``l2``.
    """

    def __init__(self, learning_rate, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 use_locking: bool = False, name: str = "Ftrl", accum_name=None,
                 linear_name=None, l2_shrinkage_regularization_strength=0.0, beta=None):
        if initial_accumulator_value < 0.0:
            raise ValueError(f"initial_accumulator_value {initial_accumulator_value} must "
                             f"be non-negative")
        if learning_rate_power > 0.0:
            raise ValueError(f"learning_rate_power {learning_rate_power} must be <= 0")
        super().__init__(use_locking, name)
        self._learning_rate, self._power = learning_rate, learning_rate_power
        self._initial = initial_accumulator_value
        self._l1, self._l2 = l1_regularization_strength, l2_regularization_strength
        self._shrinkage = l2_shrinkage_regularization_strength
        self._beta = 0.0 if beta is None else beta
        self._accum_name, self._linear_name = accum_name, linear_name

    def _create_slots(self, var_list: list) -> None:
        for var in var_list:
            self._filled_slot(var, "accum", self._initial)
            self._zeros_slot(var, "linear", self._linear_name or self._name + "_1")

    def _apply_dense(self, grad, var) -> list:
        accum, linear = self.get_slot(var, "accum"), self.get_slot(var, "linear")
        lr = self._hyper(self._learning_rate, var)
        power = -self._hyper(self._power, var)
        l1 = self._hyper(self._l1, var)
        l2 = self._hyper(self._l2, var) + self._hyper(self._beta, var) / (2.0 * lr)
        shrunk = grad + 2.0 * self._hyper(self._shrinkage, var) * var
        accum_t = accum + grad * grad
        sigma = (pow(accum_t, power) - pow(accum, power)) / lr
        linear_t = linear + shrunk - sigma * var
        quadratic = pow(accum_t, power) / lr + 2.0 * l2
        new = where(absolute(linear_t) > l1, (sign(linear_t) * l1 - linear_t) / quadratic,
                    0.0 * var)
        return [assign(accum, accum_t), assign(linear, linear_t), assign(var, new)]


class AdagradDAOptimizer(_FilledSlots):
    """Adagrad dual averaging: keeps the sums of gradients ``g_acc`` and of their
    squares ``gg_acc``; at step ``t`` (the ``global_step``, required)
    ``var = -sign(g_acc) * max(|g_acc| - l1 * t, 0) / (l2 * t + sqrt(gg_acc) / lr)``."""

    def __init__(self, learning_rate, global_step, initial_gradient_squared_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 use_locking: bool = False, name: str = "AdagradDA"):
        if initial_gradient_squared_accumulator_value <= 0.0:
            raise ValueError(f"initial_gradient_squared_accumulator_value must be positive: "
                             f"{initial_gradient_squared_accumulator_value}")
        super().__init__(use_locking, name)
        self._learning_rate, self._global_step = learning_rate, global_step
        self._initial = initial_gradient_squared_accumulator_value
        self._l1, self._l2 = l1_regularization_strength, l2_regularization_strength

    def _create_slots(self, var_list: list) -> None:
        for var in var_list:
            self._zeros_slot(var, "gradient_accumulator", self._name)
            self._filled_slot(var, "gradient_squared_accumulator", self._initial)

    def _apply_dense(self, grad, var) -> list:
        g_acc = self.get_slot(var, "gradient_accumulator")
        gg_acc = self.get_slot(var, "gradient_squared_accumulator")
        g_acc_t = g_acc + grad
        gg_acc_t = gg_acc + grad * grad
        step = cast(self._global_step._read_for_op(), var.dtype) + 1.0
        lr = self._hyper(self._learning_rate, var)
        l1, l2 = self._hyper(self._l1, var), self._hyper(self._l2, var)
        new = -_soft_threshold(g_acc_t, l1 * step) / (l2 * step + sqrt(gg_acc_t) / lr)
        return [assign(g_acc, g_acc_t), assign(gg_acc, gg_acc_t), assign(var, new)]
