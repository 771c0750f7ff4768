"""TF 1 optimizers (``tf.compat.v1.train.*Optimizer``): graph ops that update variables.

``minimize(loss)`` = ``compute_gradients`` (``gradients`` over the graph) then
``apply_gradients``, which builds, in the graph, each variable's update from its
gradient and ``assign_variable`` nodes, and returns an Operation grouping them (the
train op).  Slot variables (Adam's moments, momentum accumulators) are graph variables
too: create ``global_variables_initializer()`` after ``minimize`` so it covers them.

Reads in one training step all see the values from before the step: a variable's
reads are one ``read_variable`` node placed before the updates.
"""

from __future__ import annotations

from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.core.variable import Variable
from fluxion.graph.v1.gradients import gradients
from fluxion.graph.v1.graph import Operation, get_default_graph
from fluxion.graph.v1.variables import assign, assign_add, trainable_variables
from fluxion.ops.math_ops import cast, sqrt


class Optimizer:
    """Base class: subclasses define ``_create_slots``, ``_prepare`` and ``_apply_dense``."""

    GATE_NONE = 0
    GATE_OP = 1
    GATE_GRAPH = 2

    def __init__(self, use_locking: bool, name: str):
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._name = name
        self._slots: dict[str, dict[int, Variable]] = {}

    def get_name(self) -> str:
        return self._name

    # --- the TF 1 API ----------------------------------------------------------------------
    def minimize(self, loss, global_step=None, var_list=None, gate_gradients=GATE_OP,
                 aggregation_method=None, colocate_gradients_with_ops=False, name=None,
                 grad_loss=None) -> Operation:
        """An Operation that takes one step reducing ``loss`` over ``var_list``.

        Args:
          loss: the scalar tensor to minimize.
          global_step: an optional variable incremented by one per step.
          var_list: the variables to train; the graph's trainable variables by default.

        >>> import fluxion.compat.v1 as tf  # doctest: +SKIP
        >>> train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)  # doctest: +SKIP
        """
        grads_and_vars = self.compute_gradients(loss, var_list=var_list, grad_loss=grad_loss)
        if all(g is None for g, _ in grads_and_vars):
            names = [v.name for _, v in grads_and_vars]
            raise ValueError(f"No gradients provided for any variable, check your graph for "
                             f"ops that do not support gradients, between variables {names} "
                             f"and loss {loss!r}.")
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def compute_gradients(self, loss, var_list=None, gate_gradients=GATE_OP,
                          aggregation_method=None, colocate_gradients_with_ops=False,
                          grad_loss=None) -> list:
        """``[(gradient or None, variable)]`` of ``loss`` for each variable to train."""
        if callable(loss):
            raise TypeError("compute_gradients: in graph mode pass the loss tensor, not a "
                            "callable (use fluxion.GradientTape for eager training).")
        if var_list is None:
            var_list = trainable_variables()
        var_list = list(var_list)
        if not var_list:
            raise ValueError("No variables to optimize.")
        grads = gradients(loss, var_list, grad_ys=None if grad_loss is None else [grad_loss])
        return list(zip(grads, var_list))

    def apply_gradients(self, grads_and_vars, global_step=None, name=None) -> Operation:
        """An Operation that applies each ``(gradient, variable)`` update (None skipped)."""
        pairs = list(grads_and_vars)
        for pair in pairs:
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise TypeError(f"apply_gradients expects (gradient, variable) pairs, got "
                                f"{pair!r}")
            if not hasattr(pair[1], "_read_for_op"):
                raise TypeError(f"apply_gradients: {pair[1]!r} is not a variable")
        pairs = [(g, v) for g, v in pairs if g is not None]
        if not pairs:
            raise ValueError("No gradients provided for any variable.")
        graph = get_default_graph()
        with graph.building():
            with graph.exact_variable_names():
                self._create_slots([v for _, v in pairs])
            self._prepare()
            updates = []
            for g, v in pairs:
                g = convert_to_tensor(g)
                if g.dtype is not v.dtype:
                    raise TypeError(f"apply_gradients: the gradient of {v.name} has dtype "
                                    f"{g.dtype.name}, the variable {v.dtype.name}")
                updates.extend(self._apply_dense(g, v))
            with graph.control_dependencies(updates):
                updates.extend(self._finish())
                if global_step is not None:
                    updates.append(assign_add(global_step, 1))
        return Operation(graph, [n for u in updates for n in graph.nodes_of(u)],
                         graph.unique_name(name or self._name))

    # --- slots -------------------------------------------------------------------------------
    def get_slot(self, var, name: str) -> Variable | None:
        return self._slots.get(name, {}).get(id(var))

    def get_slot_names(self) -> list[str]:
        return sorted(self._slots)

    def variables(self) -> list:
        return [v for slots in self._slots.values() for v in slots.values()]

    def _zeros_slot(self, var, slot_name: str, op_name: str) -> Variable:
        slots = self._slots.setdefault(slot_name, {})
        if id(var) not in slots:
            base = var.name[:-2]
            zeros = Tensor(var._read_plain()._value * 0)
            slots[id(var)] = Variable(zeros, trainable=False, name=f"{base}/{op_name}")
        return slots[id(var)]

    # --- subclass hooks ---------------------------------------------------------------------------
    def _create_slots(self, var_list: list) -> None:
        pass

    def _prepare(self) -> None:
        pass

    def _apply_dense(self, grad: Tensor, var) -> list:
        raise NotImplementedError

    def _finish(self) -> list:
        return []

    def _hyper(self, value, var) -> Tensor:
        """A hyperparameter (number, tensor, or callable) as a tensor of ``var``'s dtype."""
        if callable(value):
            value = value()
        tensor = convert_to_tensor(value) if isinstance(value, Tensor) else \
            convert_to_tensor(value, dtype=var.dtype)
        return tensor if tensor.dtype is var.dtype else cast(tensor, var.dtype)


class GradientDescentOptimizer(Optimizer):
    """``var -= learning_rate * grad``."""

    def __init__(self, learning_rate, use_locking: bool = False,
                 name: str = "GradientDescent"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate

    def _apply_dense(self, grad, var) -> list:
        return [assign(var, var - self._hyper(self._learning_rate, var) * grad)]


class MomentumOptimizer(Optimizer):
    """``accum = momentum * accum + grad; var -= learning_rate * accum`` (or Nesterov)."""

    def __init__(self, learning_rate, momentum, use_locking: bool = False,
                 name: str = "Momentum", use_nesterov: bool = False):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._momentum = momentum
        self._use_nesterov = use_nesterov

    def _create_slots(self, var_list: list) -> None:
        for var in var_list:
            self._zeros_slot(var, "momentum", self._name)

    def _apply_dense(self, grad, var) -> list:
        accum = self.get_slot(var, "momentum")
        lr = self._hyper(self._learning_rate, var)
        momentum = self._hyper(self._momentum, var)
        accum_t = accum * momentum + grad
        step = (grad + momentum * accum_t) if self._use_nesterov else accum_t
        return [assign(accum, accum_t), assign(var, var - lr * step)]


class AdamOptimizer(Optimizer):
    """Adam with TF 1's update: ``lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)``,
    ``var -= lr_t * m / (sqrt(v) + epsilon)``."""

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8,
                 use_locking: bool = False, name: str = "Adam"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._beta1, self._beta2, self._epsilon = beta1, beta2, epsilon
        self._beta1_power = self._beta2_power = None

    def _create_slots(self, var_list: list) -> None:
        if self._beta1_power is None:
            dtype = min(var_list, key=lambda v: v.name).dtype
            self._beta1_power = Variable(convert_to_tensor(self._beta1, dtype=dtype),
                                         trainable=False, name="beta1_power")
            self._beta2_power = Variable(convert_to_tensor(self._beta2, dtype=dtype),
                                         trainable=False, name="beta2_power")
        for var in var_list:
            self._zeros_slot(var, "m", self._name)
            self._zeros_slot(var, "v", self._name + "_1")

    def _apply_dense(self, grad, var) -> list:
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        beta1, beta2 = self._hyper(self._beta1, var), self._hyper(self._beta2, var)
        lr = self._hyper(self._learning_rate, var)
        lr_t = lr * sqrt(1 - self._hyper(self._beta2_power, var)) / \
            (1 - self._hyper(self._beta1_power, var))
        m_t = beta1 * m + (1 - beta1) * grad
        v_t = beta2 * v + (1 - beta2) * grad * grad
        update = lr_t * m_t / (sqrt(v_t) + self._hyper(self._epsilon, var))
        return [assign(m, m_t), assign(v, v_t), assign(var, var - update)]

    def _finish(self) -> list:
        return [assign(self._beta1_power, self._beta1_power * self._beta1),
                assign(self._beta2_power, self._beta2_power * self._beta2)]

    def variables(self) -> list:
        extra = [self._beta1_power, self._beta2_power] if self._beta1_power is not None else []
        return extra + super().variables()
