"""``Discretization``: buckets continuous values by boundaries, given or adapted.

``adapt`` keeps Keras 3's approximate-quantile summary: each batch is sorted and
thinned to about ``1 / epsilon`` weighted points, summaries are merged and compressed
by interpolating their cumulative weights, and the ``num_bins - 1`` boundaries are read
off the final summary.  Following the same steps gives the same boundaries as Keras.
"""

from __future__ import annotations

import numpy as np

from fluxion.keras.layers.preprocessing import adapt_data
from fluxion.keras.layers.preprocessing.categorical import bucketize, encode_categorical
from fluxion.keras.layers.preprocessing.data_layer import DataLayer
from fluxion.keras.saving.serialization import keras_class

_OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count")


@keras_class("keras.layers")
class Discretization(DataLayer):
    """Maps each value to the index of its bucket (``keras.layers.Discretization``).

    >>> layer = Discretization(bin_boundaries=[0.0, 1.0, 2.0])
    >>> layer([[-1.5, 0.5, 1.0, 3.0]]).numpy()
    array([[0, 1, 2, 3]], dtype=int32)
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, dtype=None, name=None):
        super().__init__(name=name, dtype=dtype)
        if sparse:
            raise ValueError("`sparse=True` is not supported: Fluxion has no sparse tensors.")
        if output_mode not in _OUTPUT_MODES:
            raise ValueError(f"Invalid value for argument `output_mode` of Discretization: "
                             f"expected one of {_OUTPUT_MODES}. Received: "
                             f"output_mode={output_mode}")
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"`num_bins` must be greater than or equal to 0. Received: "
                             f"`num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(f"Both `num_bins` and `bin_boundaries` should not be set. "
                             f"Received: `num_bins={num_bins}` and "
                             f"`bin_boundaries={bin_boundaries}`")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        self.bin_boundaries = bin_boundaries
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = sparse
        self.summary = None if bin_boundaries else np.zeros((2, 0), np.float32)
        self.built = True

    @property
    def output_dtype(self) -> str:
        return self.compute_dtype if self.output_mode != "int" else "int32"

    # --- adapt -----------------------------------------------------------------------------------
    def adapt(self, data, steps=None) -> None:
        """Learns ``num_bins`` quantile boundaries from ``data``."""
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized "
                             "with `bin_boundaries`, use `num_bins` instead.")
        self.reset_state()
        if adapt_data.is_single_batch(data):
            self.update_state(adapt_data.to_numpy(data))
        else:
            for batch in adapt_data.batches(data, steps):
                self.update_state(batch)
        self.finalize_state()

    def update_state(self, data) -> None:
        values = np.asarray(adapt_data.to_numpy(data), np.float32)
        self.summary = _merge(_summarize(values, self.epsilon), self.summary, self.epsilon)

    def finalize_state(self) -> None:
        if self.num_bins is None:
            return
        self.bin_boundaries = _compress(self.summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def reset_state(self) -> None:
        if self.num_bins is not None:
            self.summary = np.zeros((2, 0), np.float32)

    # --- call ------------------------------------------------------------------------------------
    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError("You need to either pass the `bin_boundaries` argument at "
                             "construction time or call `adapt(dataset)` before you can start "
                             "using the `Discretization` layer.")
        indices = bucketize(inputs, self.bin_boundaries)
        return encode_categorical(indices, self.output_mode, len(self.bin_boundaries) + 1,
                                  self.output_dtype)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries is not None \
            else self.num_bins
        if self.output_mode == "one_hot":
            if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
                return input_shape[:-1] + (depth,)
            return input_shape + (depth,)
        if len(input_shape) >= 2:
            return (input_shape[0],) + input_shape[2:] + (depth,)
        return (depth,)

    def get_config(self) -> dict:
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins,
                "epsilon": self.epsilon, "output_mode": self.output_mode,
                "sparse": self.sparse, "name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = config["dtype"].get("config", {}).get("name")
        boundaries = config.get("bin_boundaries")
        if boundaries is not None and config.get("num_bins") is not None:
            # An adapted layer: __init__ refuses both, so the boundaries go in afterwards.
            config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = boundaries
            return layer
        return cls(**config)

    def load_own_variables(self, store) -> None:
        if len(store) == 1:  # Keras's legacy layout kept the summary as a variable
            self.summary = np.asarray(store["0"])


def _summarize(values: np.ndarray, epsilon: float) -> np.ndarray:
    """A sorted sample of ``values`` every ``step`` elements, each weighted ``step``."""
    values = np.sort(values.reshape(-1))
    step = max(values.size * epsilon, 1)
    points = values[int(step - 1)::int(step)]
    return np.stack([points, np.full_like(points, step)])


def _merge(first: np.ndarray, second: np.ndarray, epsilon: float) -> np.ndarray:
    merged = np.concatenate([first, second], axis=1)
    merged = merged[:, np.argsort(merged[0])]
    return _compress(merged, epsilon)


def _compress(summary: np.ndarray, epsilon: float) -> np.ndarray:
    """Resamples a summary at cumulative-weight fractions ``epsilon, 2 epsilon, ...``."""
    if summary.shape[1] * epsilon < 1:
        return summary
    fractions = epsilon + np.arange(0.0, 1.0, epsilon)
    cumulative = summary[1].cumsum()
    cumulative_fraction = cumulative / cumulative[-1]
    points = np.interp(fractions, cumulative_fraction, summary[0])
    weights = np.interp(fractions, cumulative_fraction, cumulative)
    weights = weights - np.concatenate([[0.0], weights[:-1]])
    return np.stack([points, weights]).astype(np.float32)
