"""``KerasVariable``: a Fluxion variable with Keras 3's naming (``name``, ``path``).

Keras 3 calls a layer weight by its short name (``"kernel"``) and its path
(``"dense/kernel"``); it also keeps the regularizer and constraint next to it, and reads
a float weight in the compute dtype of the layer call it is read in (autocasting).
"""

from __future__ import annotations

import numpy as np

from fluxion.core.variable import Variable, init_scope
from fluxion.keras.engine import call_context
from fluxion.ops.array_ops import cast


class KerasVariable(Variable):
    """A layer weight: a ``fluxion.Variable`` with ``path``, ``regularizer`` and ``constraint``."""

    def __init__(self, initializer, shape=None, dtype=None, trainable: bool = True,
                 name: str = "variable", path: str | None = None, regularizer=None,
                 constraint=None, aggregation: str = "none", autocast: bool = True):
        if callable(initializer) and shape is not None:
            with init_scope():  # weights are initialised eagerly, even while tracing
                value = initializer(tuple(shape), dtype=dtype)
        else:
            value = initializer
        super().__init__(value, trainable=trainable, name=name, dtype=dtype,
                         constraint=constraint)
        self._short_name = name
        self.path = path or name
        self.regularizer = regularizer
        self.aggregation = aggregation
        self._autocast = autocast and self.dtype.is_floating

    def _read_for_op(self):
        tensor = super()._read_for_op()
        if self._autocast:
            dtype = call_context.current_autocast()
            if dtype is not None and dtype != tensor.dtype.name:

                return cast(tensor, dtype)
        return tensor

    @property
    def name(self) -> str:
        return self._short_name

    @property
    def value(self):
        return self._read_for_op()

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)

    def __repr__(self) -> str:
        return (f"<KerasVariable shape={tuple(self.shape)}, dtype={self.dtype.name}, "
                f"path={self.path}>")

    def __array__(self, dtype=None, copy=None):
        value = self._tensor._value
        return value.copy() if dtype is None else value.astype(dtype)

    def numpy(self):
        return np.array(self._tensor._value)
