"""``InputSpec``: what a layer accepts (rank, axes sizes, dtype), checked on every call."""

from __future__ import annotations

from fluxion.keras.saving.serialization import keras_class


@keras_class("keras.layers")
class InputSpec:
    """Constraints on a layer input: ``ndim``, ``min_ndim``, ``max_ndim``, ``axes``, ``dtype``.

    >>> InputSpec(min_ndim=2, axes={-1: 8}).axes
    {-1: 8}
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None, allow_last_axis_squeeze=False, name=None, optional=False):
        self.dtype = dtype
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = dict(axes or {})
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name = name
        self.optional = optional

    def get_config(self) -> dict:
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def assert_input_compatibility(specs, inputs, layer_name: str) -> None:
    """Raises ValueError naming the layer, the expectation and the given shape."""
    if not specs:
        return
    specs = specs if isinstance(specs, (list, tuple)) else [specs]
    inputs = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    if len(inputs) != len(specs):
        raise ValueError(f'Layer "{layer_name}" expects {len(specs)} input(s), but it '
                         f"received {len(inputs)} input tensors.")
    for index, (spec, x) in enumerate(zip(specs, inputs)):
        if spec is None or x is None:
            continue
        shape = tuple(x.shape)
        rank = len(shape)
        where = f'Input {index} of layer "{layer_name}"'
        if spec.ndim is not None and rank != spec.ndim:
            raise ValueError(f"{where} is incompatible with the layer: expected ndim="
                             f"{spec.ndim}, found ndim={rank}. Full shape received: {shape}")
        if spec.min_ndim is not None and rank < spec.min_ndim:
            raise ValueError(f"{where} is incompatible with the layer: expected min_ndim="
                             f"{spec.min_ndim}, found ndim={rank}. Full shape received: "
                             f"{shape}")
        if spec.max_ndim is not None and rank > spec.max_ndim:
            raise ValueError(f"{where} is incompatible with the layer: expected max_ndim="
                             f"{spec.max_ndim}, found ndim={rank}. Full shape received: "
                             f"{shape}")
        for axis, size in spec.axes.items():
            if size is None or -rank > axis or axis >= rank:
                continue
            if shape[axis] is not None and shape[axis] != size:
                raise ValueError(f'{where} is incompatible with the layer: expected axis '
                                 f'{axis} of input shape to have value {size}, but received '
                                 f'input with shape {shape}')
        if spec.shape is not None:
            for expected, got in zip(spec.shape, shape):
                if expected is not None and got is not None and expected != got:
                    raise ValueError(f"{where} is incompatible with the layer: expected "
                                     f"shape={spec.shape}, found shape={shape}")
