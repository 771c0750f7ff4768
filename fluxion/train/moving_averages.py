"""``tf.train.ExponentialMovingAverage``: shadow variables that track moving averages.

``apply(vars)`` creates, on its first call for a variable, a non-trainable shadow
initialised to the variable's value (a tensor's shadow starts at zero), and on every call
moves each shadow toward its variable: ``shadow -= (1 - decay) * (shadow - value)``.
With ``num_updates`` the decay is ``min(decay, (1 + num_updates) / (10 + num_updates))``,
so early averages move faster.  With ``zero_debias``, averages of tensors (which start
at zero) are divided by ``1 - decay**t`` to remove that start's bias.
"""

from __future__ import annotations

from fluxion.core.primitives.elementwise import cast
from fluxion.core.tensor import convert_to_tensor
from fluxion.core.variable import Variable, init_scope


def _base_name(value) -> str:
    name = getattr(value, "name", None) or "tensor"
    return name.split(":")[0]


def _v1_graph():
    """The TF 1 graph being built (its builder's ``owner``), or None (eager, or inside
    fluxion.function, whose tracer has no graph with collections)."""
    from fluxion.core import context

    owner = getattr(context.tracer, "owner", None)
    return owner if hasattr(owner, "get_collection") and hasattr(owner, "group") else None


class ExponentialMovingAverage:
    """Maintains moving averages of variables (``tf.train.ExponentialMovingAverage``).

    Args:
      decay: the decay, e.g. 0.999.
      num_updates: an optional count of updates done (a number or tensor) that lowers
        the decay early on.
      zero_debias: debias averages of tensors (not variables), which start at zero.
      name: the suffix of the shadow variables' names.

    >>> ema = ExponentialMovingAverage(0.9)
    >>> w = fluxion.Variable(1.0, name="w"); ema.apply([w]); w.assign(3.0); ema.apply([w])
    >>> float(ema.average(w))
    1.2
    """

    def __init__(self, decay, num_updates=None, zero_debias: bool = False,
                 name: str = "ExponentialMovingAverage"):
        self._decay = decay
        self._num_updates = num_updates
        self._zero_debias = zero_debias
        self._name = name
        self._averages: dict = {}  # id(variable) -> (variable, shadow, debias state or None)

    @property
    def name(self) -> str:
        return self._name

    def _effective_decay(self, dtype):
        decay = cast(convert_to_tensor(self._decay), dtype)
        if self._num_updates is None:
            return decay
        updates = cast(convert_to_tensor(self._num_updates), dtype)
        from fluxion.core.primitives.elementwise import minimum

        return minimum(decay, (1.0 + updates) / (10.0 + updates))

    def apply(self, var_list=None):
        """Creates shadows (first time) and updates the averages of ``var_list``.

        Eagerly the shadows are updated now (None is returned); in a TF 1 graph this
        returns the update op (``var_list`` defaults to the trainable variables there)
        and the variables join the ``moving_average_variables`` collection."""
        graph = _v1_graph()
        if var_list is None and graph is not None:
            var_list = graph.get_collection("trainable_variables")
        if var_list is None:
            raise ValueError("ExponentialMovingAverage.apply needs the variables to average "
                             "(there are no global variable collections in TF 2)")
        updates = []
        for value in var_list:
            dtype = value.dtype
            if not (dtype.is_floating or dtype.is_complex):
                raise TypeError(f"ExponentialMovingAverage: {_base_name(value)} has dtype "
                                f"{dtype.name}; only float variables can be averaged")
            if id(value) not in self._averages:
                self._averages[id(value)] = self._create(value)
                if graph is not None:
                    graph.add_to_collection("moving_average_variables", value)
        for value in var_list:
            _, shadow, debias = self._averages[id(value)]
            current = value.read_value() if isinstance(value, Variable) else \
                convert_to_tensor(value)
            decay = self._effective_decay(shadow.dtype)
            if debias is None:
                updates.append(shadow.assign_sub((1.0 - decay) * (shadow - current)))
                continue
            biased, steps = debias
            updates.append(biased.assign_sub((1.0 - decay) * (biased - current)))
            updates.append(steps.assign_add(1.0))
            updates.append(shadow.assign(biased / (1.0 - decay ** steps)))
        if graph is None:
            return None
        return graph.group(*[u for u in updates if not isinstance(u, Variable)],
                           name=self._name)

    def _create(self, value):
        name = f"{_base_name(value)}/{self._name}"
        with init_scope():
            if isinstance(value, Variable):
                initial = value.read_value()
            else:
                initial = convert_to_tensor(value) * 0
            shadow = Variable(initial, trainable=False, name=name)
            debias = None
            if self._zero_debias and not isinstance(value, Variable):
                debias = (Variable(initial, trainable=False, name=f"{name}/biased"),
                          Variable(cast(convert_to_tensor(0.0), initial.dtype),
                                   trainable=False, name=f"{name}/local_step"))
        return value, shadow, debias

    def average(self, var):
        """The shadow variable of ``var``, or None if ``apply`` never saw it."""
        entry = self._averages.get(id(var))
        return entry[1] if entry else None

    def average_name(self, var) -> str:
        """The name of ``var``'s shadow variable (without ``:0``)."""
        return f"{_base_name(var)}/{self._name}"

    def variables_to_restore(self, moving_avg_variables=None) -> dict:
        """``{checkpoint name: variable}`` to restore the averages into the variables.

        Averaged variables map from their shadow's name; the others in
        ``moving_avg_variables`` (if given) from their own name.
        """
        result = {}
        for variable, _, _ in self._averages.values():
            if isinstance(variable, Variable):
                result[self.average_name(variable)] = variable
        for variable in moving_avg_variables or ():
            if id(variable) not in self._averages:
                result[_base_name(variable)] = variable
        return result
