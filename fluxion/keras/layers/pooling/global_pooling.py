"""Global pooling: the max or mean over every spatial axis.

``GlobalMaxPooling1D/2D/3D`` and ``GlobalAveragePooling1D/2D/3D``; ``keepdims=True``
keeps the spatial axes with length 1.  ``GlobalAveragePooling1D`` honours a mask of
shape ``[batch, steps]``: masked steps are left out of the mean.

>>> import numpy as np
>>> from fluxion import keras
>>> keras.layers.GlobalAveragePooling2D()(np.ones([2, 4, 4, 3], np.float32)).shape
TensorShape([2, 3])
"""

from __future__ import annotations

from fluxion.keras.layers.convolutional import arguments as args
from fluxion.keras.layers.input_spec import InputSpec
from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops.array_ops import cast, expand_dims, where
from fluxion.ops.creation_ops import zeros_like
from fluxion.ops.reduce_ops import reduce_max, reduce_mean, reduce_sum


class BaseGlobalPooling(Layer):
    """Reduces the spatial axes of a ``pool_dimensions``-d input with ``reduce``."""

    reduce = staticmethod(reduce_mean)  # reduce_max in the max-pooling subclasses

    def __init__(self, pool_dimensions: int, data_format=None, keepdims: bool = False,
                 **kwargs):
        super().__init__(**kwargs)
        self.data_format = args.standardize_data_format(data_format)
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=pool_dimensions + 2)
        self._axes = args.spatial_axes(self.data_format, pool_dimensions)

    def call(self, inputs):
        return type(self).reduce(inputs, axis=self._axes, keepdims=self.keepdims)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config


@keras_class("keras.layers")
class GlobalMaxPooling1D(BaseGlobalPooling):
    """The max over steps of ``[batch, steps, channels]``."""

    reduce = staticmethod(reduce_max)

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(1, data_format, keepdims, **kwargs)


@keras_class("keras.layers")
class GlobalMaxPooling2D(BaseGlobalPooling):
    """The max over height and width."""

    reduce = staticmethod(reduce_max)

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(2, data_format, keepdims, **kwargs)


@keras_class("keras.layers")
class GlobalMaxPooling3D(BaseGlobalPooling):
    """The max over depth, height and width."""

    reduce = staticmethod(reduce_max)

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(3, data_format, keepdims, **kwargs)


@keras_class("keras.layers")
class GlobalAveragePooling1D(BaseGlobalPooling):
    """The mean over steps; masked steps (``mask[b, t]`` false) are left out."""

    reduce = staticmethod(reduce_mean)

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(1, data_format, keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        steps = self._axes[0]
        keep = cast(expand_dims(mask, 2 if steps == 1 else 1), "bool")
        weights = cast(keep, inputs.dtype)
        kept = where(keep, inputs, zeros_like(inputs))  # NaN-safe, unlike inputs * weights
        total = reduce_sum(kept, axis=steps, keepdims=self.keepdims)
        return total / reduce_sum(weights, axis=steps, keepdims=self.keepdims)

    def compute_mask(self, inputs, previous_mask=None):
        return None


@keras_class("keras.layers")
class GlobalAveragePooling2D(BaseGlobalPooling):
    """The mean over height and width."""

    reduce = staticmethod(reduce_mean)

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(2, data_format, keepdims, **kwargs)


@keras_class("keras.layers")
class GlobalAveragePooling3D(BaseGlobalPooling):
    """The mean over depth, height and width."""

    reduce = staticmethod(reduce_mean)

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(3, data_format, keepdims, **kwargs)


GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = (
    GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D)
GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D = (
    GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D)
