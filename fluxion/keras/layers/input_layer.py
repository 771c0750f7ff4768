"""``InputLayer`` and ``keras.Input``: the entry points of a functional model."""

from __future__ import annotations

from fluxion.keras.engine.keras_tensor import KerasTensor, Node
from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops.array_ops import cast


@keras_class("keras.layers")
class InputLayer(Layer):
    """Holds the ``KerasTensor`` a functional model starts from."""

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
                 input_tensor=None, optional: bool = False, name=None, **kwargs):
        # Keras 2 spellings Keras 3 still accepts (with a deprecation warning there).
        legacy_shape = kwargs.pop("input_shape", None)
        legacy_batch_shape = kwargs.pop("batch_input_shape", None)
        kwargs.pop("ragged", None)  # Keras 3 configs carry ragged=False
        if shape is None and legacy_shape is not None:
            shape = legacy_shape
        if batch_shape is None and legacy_batch_shape is not None:
            batch_shape = legacy_batch_shape
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments passed to InputLayer: {kwargs}")
        super().__init__(name=name, dtype=dtype)
        if batch_shape is None:
            if shape is None:
                raise ValueError("You must pass a `shape` argument to Input / InputLayer.")
            batch_shape = (batch_size,) + tuple(shape)
        self.batch_shape = tuple(batch_shape)
        self._dtype_name = self.dtype if dtype is None else str(getattr(dtype, "name", dtype))
        self.sparse = bool(sparse)
        self.optional = optional
        self.built = True
        output = KerasTensor(self.batch_shape, self._dtype_name, self.sparse, name=self.name,
                             history=(self, 0, 0))
        self._inbound_nodes.append(Node(self, (), {}, output))

    def call(self, inputs):
        return inputs

    def get_config(self) -> dict:
        return {"batch_shape": list(self.batch_shape), "dtype": self._dtype_name,
                "sparse": self.sparse, "name": self.name}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None,
          tensor=None, optional: bool = False) -> KerasTensor:
    """A symbolic input of a functional model (``keras.Input``).

    >>> Input(shape=(3,)).shape
    (None, 3)
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       batch_shape=batch_shape, name=name, optional=optional)
    return layer.output


def conform_to_input(value, dtype_name: str):
    """``value`` cast to an ``Input``'s dtype, as a Keras model converts what it is fed.

    Numbers and bools are cast (a ``uint8`` image fed to a float32 ``Input``); strings and
    non-tensors pass as they are, so the layers that take them can complain clearly.
    """
    import numpy as np

    from fluxion.core import dtypes
    from fluxion.core.tensor import Tensor, convert_to_tensor

    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        value = convert_to_tensor(value)
    if not isinstance(value, Tensor) or value.dtype.name == dtype_name:
        return value
    target = dtypes.as_dtype(dtype_name)
    numeric = (value.dtype.is_floating or value.dtype.is_integer or value.dtype.is_bool)
    if numeric and (target.is_floating or target.is_integer or target.is_bool):
        return cast(value, target)
    return value
