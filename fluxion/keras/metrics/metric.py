"""``Metric``: the base of Keras metrics — state in non-trainable variables.

A metric accumulates over batches: ``update_state(y_true, y_pred, sample_weight)``
changes its variables, ``result()`` reads them, ``reset_state()`` zeroes them.  Every
state change goes through ``Variable.assign`` / ``assign_add``, so updates made inside a
``fluxion.function`` (a compiled training or evaluation step) become graph ops on the
variables and give the same numbers as eager updates.
"""

from __future__ import annotations

from fluxion.core.dtypes import as_dtype
from fluxion.keras import initializers
from fluxion.keras.engine import naming
from fluxion.keras.engine.dtype_policy import as_policy
from fluxion.keras.engine.variables import KerasVariable
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import creation_ops

_INT_ALIASES = {"int": "int64", "uint": "uint64"}


def standardize_dtype(dtype) -> str:
    """A dtype name; ``None`` is float32 and ``"int"`` int64, as in Keras 3."""
    if dtype is None:
        return as_policy(None).compute_dtype
    name = getattr(dtype, "compute_dtype", None) or getattr(dtype, "name", None) or str(dtype)
    name = _INT_ALIASES.get(name, name)
    if name.startswith("mixed_"):
        return as_policy(name).compute_dtype
    return as_dtype(name).name


def _zeros_initializer(shape, dtype=None):
    return creation_ops.zeros(shape, dtype=dtype or "float32")


@keras_class("keras.metrics")
class Metric:
    """The base class of metrics (``keras.metrics.Metric``).

    Subclasses create state in ``__init__`` with ``add_variable`` and implement
    ``update_state`` and ``result``.

    >>> class Count(Metric):
    ...     def __init__(self, name="count", dtype=None):
    ...         super().__init__(name=name, dtype=dtype)
    ...         self.count = self.add_variable((), "zeros", name="count")
    ...     def update_state(self, values):
    ...         self.count.assign_add(fluxion.cast(fluxion.size(values), self.dtype))
    ...     def result(self):
    ...         return self.count.value
    """

    def __init__(self, dtype=None, name=None):
        object.__setattr__(self, "_variables", [])
        object.__setattr__(self, "_metrics", [])
        self.name = name or naming.unique_name(naming.to_snake_case(type(self).__name__))
        self._dtype = standardize_dtype(dtype)

    # --- state -----------------------------------------------------------------------------
    def __setattr__(self, name, value):
        if isinstance(value, Metric) and value is not self and "_metrics" in self.__dict__:
            if not any(m is value for m in self._metrics):
                self._metrics.append(value)
        object.__setattr__(self, name, value)

    def _check_super_called(self) -> None:
        if "_variables" not in self.__dict__:
            raise RuntimeError("You forgot to call `super().__init__()` in the `__init__()` "
                               "method. Go add it!")

    def add_variable(self, shape, initializer, dtype=None, aggregation: str = "sum",
                     name: str | None = None) -> KerasVariable:
        """A non-trainable state variable of this metric, created eagerly."""
        self._check_super_called()
        if initializer is None or initializer == "zeros":
            initializer = _zeros_initializer
        else:
            initializer = initializers.get(initializer)
        dtype = standardize_dtype(dtype or self.dtype)
        name = name or "variable"
        variable = KerasVariable(initializer, shape=tuple(shape), dtype=dtype, trainable=False,
                                 name=name, path=f"{self.name.replace('/', '>')}/{name}",
                                 aggregation=aggregation)
        self._variables.append(variable)
        return variable

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None) -> KerasVariable:
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    @property
    def variables(self) -> list:
        variables = list(self._variables)
        for metric in self._metrics:
            variables.extend(metric.variables)
        return variables

    @property
    def dtype(self) -> str:
        return self._dtype

    # --- the metric protocol ---------------------------------------------------------------
    def reset_state(self) -> None:
        for variable in self.variables:
            variable.assign(creation_ops.zeros(tuple(variable.shape), dtype=variable.dtype))

    def update_state(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement update_state()")

    def result(self):
        raise NotImplementedError(f"{type(self).__name__} must implement result()")

    def __call__(self, *args, **kwargs):
        """Updates the state with this batch and returns the result so far."""
        self._check_super_called()
        self.update_state(*args, **kwargs)
        return self.result()

    # --- config ----------------------------------------------------------------------------
    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"

    __str__ = __repr__
