"""More TF 1 optimizers: RMSProp, Adagrad, Adadelta (``tf.compat.v1.train``).

Each keeps TF 1's slot names and initial values (RMSProp's ``rms`` starts at ones,
Adagrad's accumulator at ``initial_accumulator_value``) and its update formulas, so a
TF 1 program trains the same way.  See ``fluxion.graph.v1.optimizers`` for the base.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.tensor import Tensor
from fluxion.core.variable import Variable
from fluxion.graph.v1.optimizers import Optimizer
from fluxion.graph.v1.variables import assign
from fluxion.ops.math_ops import sqrt


class _FilledSlots(Optimizer):
    def _filled_slot(self, var, slot_name: str, value: float) -> Variable:
        slots = self._slots.setdefault(slot_name, {})
        if id(var) not in slots:
            initial = np.full(var.shape, value, dtype=var.dtype.np_dtype)
            slots[id(var)] = Variable(Tensor(initial), trainable=False,
                                      name=f"{var.name[:-2]}/{self._name}")
        return slots[id(var)]


class RMSPropOptimizer(_FilledSlots):
    """``ms = decay * ms + (1 - decay) * g^2``; ``mom = momentum * mom + lr * g /
    sqrt(ms + epsilon)``; ``var -= mom``.  ``centered`` subtracts the mean gradient's
    square from ``ms`` in the denominator."""

    def __init__(self, learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10,
                 use_locking: bool = False, centered: bool = False, name: str = "RMSProp"):
        super().__init__(use_locking, name)
        self._learning_rate, self._decay = learning_rate, decay
        self._momentum, self._epsilon, self._centered = momentum, epsilon, centered

    def _create_slots(self, var_list: list) -> None:
        for var in var_list:
            self._filled_slot(var, "rms", 1.0)
            self._zeros_slot(var, "momentum", self._name + "_1")
            if self._centered:
                self._zeros_slot(var, "mg", self._name + "_2")

    def _apply_dense(self, grad, var) -> list:
        rms, mom = self.get_slot(var, "rms"), self.get_slot(var, "momentum")
        decay = self._hyper(self._decay, var)
        rms_t = decay * rms + (1 - decay) * grad * grad
        updates = [assign(rms, rms_t)]
        denominator = rms_t
        if self._centered:
            mg = self.get_slot(var, "mg")
            mg_t = decay * mg + (1 - decay) * grad
            updates.append(assign(mg, mg_t))
            denominator = rms_t - mg_t * mg_t
        lr = self._hyper(self._learning_rate, var)
        mom_t = self._hyper(self._momentum, var) * mom + lr * grad / sqrt(
            denominator + self._hyper(self._epsilon, var))
        return updates + [assign(mom, mom_t), assign(var, var - mom_t)]


class AdagradOptimizer(_FilledSlots):
    """``accum += g^2``; ``var -= lr * g / sqrt(accum)``."""

    def __init__(self, learning_rate, initial_accumulator_value=0.1, use_locking: bool = False,
                 name: str = "Adagrad"):
        if initial_accumulator_value <= 0.0:
            raise ValueError(f"initial_accumulator_value must be positive: "
                             f"{initial_accumulator_value}")
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial = initial_accumulator_value

    def _create_slots(self, var_list: list) -> None:
        for var in var_list:
            self._filled_slot(var, "accumulator", self._initial)

    def _apply_dense(self, grad, var) -> list:
        accum = self.get_slot(var, "accumulator")
        accum_t = accum + grad * grad
        step = self._hyper(self._learning_rate, var) * grad / sqrt(accum_t)
        return [assign(accum, accum_t), assign(var, var - step)]


class AdadeltaOptimizer(Optimizer):
    """``accum = rho * accum + (1 - rho) * g^2``; ``update = sqrt(accum_update + eps) /
    sqrt(accum + eps) * g``; ``accum_update = rho * accum_update + (1 - rho) * update^2``;
    ``var -= lr * update``."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-8, use_locking: bool = False,
                 name: str = "Adadelta"):
        super().__init__(use_locking, name)
        self._learning_rate, self._rho, self._epsilon = learning_rate, rho, epsilon

    def _create_slots(self, var_list: list) -> None:
        for var in var_list:
            self._zeros_slot(var, "accum", self._name)
            self._zeros_slot(var, "accum_update", self._name + "_1")

    def _apply_dense(self, grad, var) -> list:
        accum, accum_update = self.get_slot(var, "accum"), self.get_slot(var, "accum_update")
        rho, eps = self._hyper(self._rho, var), self._hyper(self._epsilon, var)
        accum_t = rho * accum + (1 - rho) * grad * grad
        update = sqrt(accum_update + eps) / sqrt(accum_t + eps) * grad
        accum_update_t = rho * accum_update + (1 - rho) * update * update
        step = self._hyper(self._learning_rate, var) * update
        return [assign(accum, accum_t), assign(accum_update, accum_update_t),
                assign(var, var - step)]
