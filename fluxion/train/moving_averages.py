"""``ExponentialMovingAverage``: shadow copies of variables that trail their values
(``tf.train.ExponentialMovingAverage``), TF 1 and TF 2 style.

``apply(var_list)`` makes a shadow variable per variable (named
``<variable>/ExponentialMovingAverage``, starting at its value) and updates them:
``shadow -= (1 - decay) * (shadow - variable)``.  In a v1 graph it returns the update
op (run it after each training step); eagerly it updates at once.  With
``num_updates`` the decay is ``min(decay, (1 + n) / (10 + n))``, slow at first.
"""

from __future__ import annotations


def _in_graph() -> bool:
    from fluxion.core import context
    from fluxion.graph.v1.graph import GraphBuilder

    return isinstance(context.tracer, GraphBuilder)


class ExponentialMovingAverage:
    """Maintains moving averages of variables.

    >>> import fluxion as tf
    >>> w = tf.Variable(1.0)
    >>> ema = tf.train.ExponentialMovingAverage(0.5)
    >>> ema.apply([w]); w.assign(3.0); ema.apply([w])
    >>> float(ema.average(w))
    2.0
    """

    def __init__(self, decay, num_updates=None, zero_debias=False,
                 name="ExponentialMovingAverage"):
        self._decay, self._num_updates, self._name = decay, num_updates, name
        self._zero_debias = zero_debias
        self._averages: dict = {}

    name = property(lambda self: self._name)

    def _decay_value(self):
        import fluxion as tf

        decay = tf.cast(self._decay, tf.float32)
        if self._num_updates is not None:
            n = tf.cast(self._num_updates, tf.float32)
            decay = tf.minimum(decay, (1.0 + n) / (10.0 + n))
        return decay

    def apply(self, var_list=None):
        """Creates the shadows (first time) and updates them; the update op in a v1 graph."""
        import fluxion as tf
        from fluxion.core.tensor import Tensor
        from fluxion.core.variable import Variable

        variables = list(var_list) if var_list is not None else tf.compat.v1.trainable_variables()
        graph_mode = _in_graph()
        for variable in variables:
            if not variable.dtype.is_floating:
                raise TypeError(f"The variables must be half, float, or double: "
                                f"{variable.name}")
            if id(variable) in self._averages:
                continue
            start = Tensor(variable._read_plain()._value.copy())
            if graph_mode:
                from fluxion.graph.v1.graph import get_default_graph

                graph = get_default_graph()
                with graph.exact_variable_names():
                    shadow = Variable(start, trainable=False, name=self.average_name(variable))
                graph.add_to_collection("moving_average_variables", variable)
            else:
                shadow = Variable(start, trainable=False, name=self.average_name(variable))
            self._averages[id(variable)] = shadow
        decay = self._decay_value()
        updates = []
        for variable in variables:
            shadow = self._averages[id(variable)]
            rate = tf.cast(1.0 - decay, variable.dtype)
            if graph_mode:
                from fluxion.graph.v1.variables import assign

                new = shadow._read_for_op() - rate * (shadow._read_for_op() -
                                                      variable._read_for_op())
                updates.append(assign(shadow, new))
            else:
                shadow.assign_sub(rate * (shadow - variable))
        if graph_mode:
            from fluxion.graph.v1.graph import group

            return group(*updates, name=self._name)
        return None

    def average(self, var):
        """The shadow variable of ``var`` (None if ``apply`` did not see it)."""
        return self._averages.get(id(var))

    def average_name(self, var) -> str:
        """The shadow's name: ``<var>/<this EMA's name>``."""
        base = var.name[:-2] if var.name.endswith(":0") else var.name
        return f"{base}/{self._name}"

    def variables_to_restore(self, moving_avg_variables=None) -> dict:
        """``{name in a checkpoint: variable}`` restoring each averaged variable from its
        shadow's saved value (and every other variable as itself)."""
        import fluxion as tf

        restore = {}
        for variable in tf.compat.v1.global_variables():
            name = variable.name[:-2]
            if id(variable) in self._averages or (moving_avg_variables is not None and
                                                  variable in moving_avg_variables):
                restore[self.average_name(variable)] = variable
            elif not any(shadow is variable for shadow in self._averages.values()):
                restore[name] = variable
        return restore
