"""``Normalization``: shifts and scales inputs by a mean and variance, given or adapted."""

from __future__ import annotations

import numpy as np

from fluxion.keras.layers.preprocessing import adapt_data
from fluxion.keras.layers.preprocessing.data_layer import DataLayer
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import array_ops, creation_ops, math_ops

_EPSILON = 1e-7  # keras.config.epsilon()


@keras_class("keras.layers")
class Normalization(DataLayer):
    """Computes ``(x - mean) / sqrt(variance)`` per feature (``keras.layers.Normalization``).

    ``axis`` names the axes that keep their own statistics (default the last); the others
    are reduced by ``adapt``.  ``invert=True`` maps normalized values back.

    >>> import numpy as np
    >>> layer = Normalization()
    >>> layer.adapt(np.array([[0.0, 10.0], [2.0, 30.0]], "float32"))
    >>> layer(np.array([[1.0, 20.0]], "float32")).numpy()
    array([[0., 0.]], dtype=float32)
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(axis)
        self.axis = axis
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        self.supports_masking = True
        self._build_input_shape = None
        self.mean = None
        self.variance = None
        if (mean is not None) != (variance is not None):
            raise ValueError(f"When setting values directly, both `mean` and `variance` must "
                             f"be set. Received: mean={mean} and variance={variance}")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(f"When setting values directly, `mean` and `variance` must "
                                 f"have the same shape. Received: mean shape {np.shape(mean)} "
                                 f"and variance shape {np.shape(variance)}")
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError(f"The rank of `mean` must be less than or equal to the number "
                                 f"of axes ({len(self.axis)}). Received: mean shape "
                                 f"{np.shape(mean)} for axis {self.axis}")

    def build(self, input_shape) -> None:
        if input_shape is None:
            return
        input_shape = tuple(input_shape)
        ndim = len(input_shape)
        self._build_input_shape = input_shape
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(f"All `axis` values must be in the range [-ndim, ndim). Received "
                             f"inputs with ndim={ndim}, while axis={self.axis}")
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        for d in self._keep_axis:
            if input_shape[d] is None:
                raise ValueError(f"All `axis` values to be kept must have a known shape. "
                                 f"Received axis={self.axis}, inputs.shape={input_shape}, "
                                 f"with unknown axis at index {d}")
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = tuple(input_shape[d] if d in self._keep_axis else 1
                                      for d in range(ndim))
        self._mean_and_var_shape = tuple(input_shape[d] for d in self._keep_axis)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=self._mean_and_var_shape,
                                              initializer="zeros", trainable=False)
            self.adapt_variance = self.add_weight(name="variance",
                                                  shape=self._mean_and_var_shape,
                                                  initializer="ones", trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int64",
                                         initializer="zeros", trainable=False)
            self.built = True
            self.finalize_state()
        else:
            self.mean = self._broadcast_given(self.input_mean, ndim)
            self.variance = self._broadcast_given(self.input_variance, ndim)
            self.built = True

    def _broadcast_given(self, value, ndim: int) -> np.ndarray:
        """A given mean/variance laid along the kept axes (right-aligned), broadcast."""
        value = np.asarray(value, np.float64)
        if value.ndim:
            expanded = [1] * ndim
            for i in range(1, value.ndim + 1):
                expanded[self._keep_axis[-i]] = value.shape[-i]
            value = value.reshape(expanded)
        return np.broadcast_to(value, self._broadcast_shape).astype(self.compute_dtype)

    # --- adapt -----------------------------------------------------------------------------------
    def adapt(self, data) -> None:
        """Computes the mean and variance of ``data``: an array, tensor,
        ``fluxion.data.Dataset`` (unbatched ones are batched by 128) or iterable of batches."""
        if adapt_data.is_dataset(data):
            spec = data.element_spec
            spec = spec[0] if isinstance(spec, tuple) else spec
            if len(spec.shape) == 1:
                data = data.batch(128)
        if adapt_data.is_single_batch(data):
            batch_list = [adapt_data.to_numpy(data)]
        else:
            batch_list = adapt_data.batches(data)
        total_mean = total_var = None
        total_count = 0
        for batch in batch_list:
            batch = np.asarray(batch, np.float64)
            if not self.built:
                self.build(batch.shape)
            self._check_adapt_shape(batch.shape)
            batch_mean = batch.mean(axis=self._reduce_axis)
            batch_var = batch.var(axis=self._reduce_axis)
            count = int(np.prod([batch.shape[d] for d in self._reduce_axis]))
            if total_mean is None:
                total_mean, total_var, total_count = batch_mean, batch_var, count
                continue
            # Merge the batch into the running statistics (pooled variance).
            total_count += count
            weight = count / total_count
            new_mean = total_mean * (1 - weight) + batch_mean * weight
            total_var = (total_var + (total_mean - new_mean) ** 2) * (1 - weight) + \
                (batch_var + (batch_mean - new_mean) ** 2) * weight
            total_mean = new_mean
        if total_mean is None:
            raise ValueError("adapt() received an empty iterable (no batches). Expected at "
                             "least one batch.")
        self.adapt_mean.assign(np.asarray(total_mean, self.adapt_mean.dtype.np_dtype))
        self.adapt_variance.assign(np.asarray(total_var, self.adapt_variance.dtype.np_dtype))
        self.finalize_state()

    def _check_adapt_shape(self, shape) -> None:
        for d in self._keep_axis:
            if shape[d] != self._build_input_shape[d]:
                raise ValueError(f"The layer was built with input_shape="
                                 f"{self._build_input_shape}, but adapt() is being called "
                                 f"with data with an incompatible shape, data.shape={shape}")

    def finalize_state(self) -> None:
        if self.input_mean is not None or not self.built:
            return
        self.mean = np.reshape(self.adapt_mean.numpy(), self._broadcast_shape)
        self.variance = np.reshape(self.adapt_variance.numpy(), self._broadcast_shape)

    # --- call ------------------------------------------------------------------------------------
    def call(self, inputs):

        if self.mean is None and self.input_mean is not None:
            raise ValueError("You must call `.build(input_shape)` on the layer before using it.")
        inputs = array_ops.cast(inputs, self.compute_dtype)
        if self.input_mean is None:  # adapted: read the weights, so loaded weights apply
            mean = array_ops.reshape(array_ops.cast(self.adapt_mean, self.compute_dtype),
                              self._broadcast_shape)
            variance = array_ops.reshape(array_ops.cast(self.adapt_variance, self.compute_dtype),
                                  self._broadcast_shape)
        else:
            mean, variance = creation_ops.constant(self.mean), creation_ops.constant(self.variance)
        scale = math_ops.maximum(math_ops.sqrt(variance),
                                 creation_ops.constant(_EPSILON, self.compute_dtype))
        if self.invert:
            return mean + inputs * scale
        return (inputs - mean) / scale

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "axis": list(self.axis),
            "invert": self.invert,
            "mean": np.array(self.input_mean).tolist(),
            "variance": np.array(self.input_variance).tolist(),
        }

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if isinstance(config.get("axis"), list):
            config["axis"] = tuple(config["axis"])
        return super().from_config(config)

    def load_own_variables(self, store) -> None:
        super().load_own_variables(store)
        self.finalize_state()

    def get_build_config(self):
        if self._build_input_shape:
            return {"input_shape": list(self._build_input_shape)}
        return None

    def build_from_config(self, config) -> None:
        if config:
            self.build(tuple(config["input_shape"]))
