"""``FeatureSpace``: one-stop preprocessing of structured (tabular) data
(``keras.utils.FeatureSpace``).

A feature space maps a dict of raw columns to model-ready features.  Each feature has a
*preprocessor* layer (``Normalization``, ``Discretization``, ``IntegerLookup``,
``StringLookup``, ``Hashing``, ``Rescaling``, or any layer) producing floats or integer
indices, and an ``output_mode``: integer indices are one-hot encoded afterwards, so
feature *crosses* (``HashedCrossing`` of the indices) can use them first.  ``adapt``
learns every preprocessor's state in one pass over a dataset; calling the feature space
returns the concatenated encoding (``output_mode="concat"``) or a dict of them.
``get_inputs`` / ``get_encoded_features`` give the same computation as a functional
graph, for an end-to-end model that takes raw dicts.
"""

from __future__ import annotations

import numpy as np

from fluxion.keras.layers.core.identity import Identity
from fluxion.keras.layers.input_layer import Input
from fluxion.keras.layers.layer import Layer
from fluxion.keras.layers.merging.concatenate import Concatenate
from fluxion.keras.layers.preprocessing.category_encoding import CategoryEncoding
from fluxion.keras.layers.preprocessing.discretization import Discretization
from fluxion.keras.layers.preprocessing.hashed_crossing import HashedCrossing
from fluxion.keras.layers.preprocessing.hashing import Hashing
from fluxion.keras.layers.preprocessing.integer_lookup import IntegerLookup
from fluxion.keras.layers.preprocessing.normalization import Normalization
from fluxion.keras.layers.preprocessing.rescaling import Rescaling
from fluxion.keras.layers.preprocessing.string_lookup import StringLookup
from fluxion.keras.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)

_FEATURE_KINDS = ("float", "float_rescaled", "float_normalized", "float_discretized",
                  "integer_categorical", "integer_hashed", "string_categorical",
                  "string_hashed")


@keras_class("keras.utils")
class Feature:
    """One feature of a ``FeatureSpace``: its input ``dtype``, its ``preprocessor`` layer
    and its ``output_mode`` (``"float"`` as is, or ``"int"``/``"one_hot"`` of indices)."""

    def __init__(self, dtype, preprocessor, output_mode):
        if output_mode not in ("int", "one_hot", "float"):
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of "
                             f"{{'int', 'one_hot', 'float'}}. Received: "
                             f"output_mode={output_mode}")
        self.dtype = dtype
        if isinstance(preprocessor, dict):
            preprocessor = deserialize_keras_object(preprocessor)
        self.preprocessor = preprocessor
        self.output_mode = output_mode

    def get_config(self):
        return {"dtype": self.dtype, "preprocessor": serialize_keras_object(self.preprocessor),
                "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@keras_class("keras.utils")
class Cross:
    """A cross of features (hashed into ``crossing_dim`` bins)."""

    def __init__(self, feature_names, crossing_dim, output_mode="one_hot"):
        if output_mode not in ("int", "one_hot"):
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of "
                             f"{{'int', 'one_hot'}}. Received: output_mode={output_mode}")
        self.feature_names = tuple(feature_names)
        self.crossing_dim = int(crossing_dim)
        self.output_mode = output_mode

    @property
    def name(self) -> str:
        return "_X_".join(self.feature_names)

    def get_config(self):
        return {"feature_names": list(self.feature_names), "crossing_dim": self.crossing_dim,
                "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@keras_class("keras.utils")
class FeatureSpace(Layer):
    """Preprocesses a dict of structured features into model inputs.

    Args:
      features: ``{name: kind}`` with a kind among ``"float"``, ``"float_rescaled"``,
        ``"float_normalized"``, ``"float_discretized"``, ``"integer_categorical"``,
        ``"integer_hashed"``, ``"string_categorical"``, ``"string_hashed"``, or a
        ``Feature`` from the class methods (``FeatureSpace.float_normalized()``...).
      output_mode: ``"concat"`` (one float vector per sample) or ``"dict"``.
      crosses: pairs (or tuples) of feature names, or ``FeatureSpace.cross(...)``.
      crossing_dim: the hash bins of crosses given as name tuples.
      hashing_dim: the hash bins of ``*_hashed`` features given by name.
      num_discretization_bins: the bins of ``float_discretized`` features given by name.

    >>> import numpy as np
    >>> space = FeatureSpace({"x": "float_normalized", "k": "integer_categorical"})
    >>> data = {"x": np.array([1.0, 3.0]), "k": np.array([5, 7])}
    >>> space.adapt(data)
    >>> space(data).shape
    TensorShape([2, 4])
    """

    # --- feature constructors ------------------------------------------------------------
    @classmethod
    def cross(cls, feature_names, crossing_dim, output_mode="one_hot"):
        return Cross(feature_names, crossing_dim, output_mode)

    @classmethod
    def feature(cls, dtype, preprocessor, output_mode):
        return Feature(dtype, preprocessor, output_mode)

    @classmethod
    def float(cls, name=None):
        return Feature("float32", Identity(name=_name(name, "preprocessor")),
                       "float")

    @classmethod
    def float_rescaled(cls, scale=1.0, offset=0.0, name=None):
        return Feature("float32", Rescaling(scale=scale, offset=offset,
                                                      name=_name(name, "preprocessor")),
                       "float")

    @classmethod
    def float_normalized(cls, name=None):
        return Feature("float32", Normalization(axis=-1,
                                                          name=_name(name, "preprocessor")),
                       "float")

    @classmethod
    def float_discretized(cls, num_bins, bin_boundaries=None, output_mode="one_hot",
                          name=None):
        layer = Discretization(num_bins=num_bins, bin_boundaries=bin_boundaries,
                                         name=_name(name, "preprocessor"))
        return Feature("float32", layer, output_mode)

    @classmethod
    def integer_categorical(cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot",
                            name=None):
        layer = IntegerLookup(max_tokens=max_tokens,
                                        num_oov_indices=num_oov_indices,
                                        name=_name(name, "preprocessor"))
        return Feature("int32", layer, output_mode)

    @classmethod
    def string_categorical(cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot",
                           name=None):
        layer = StringLookup(max_tokens=max_tokens,
                                       num_oov_indices=num_oov_indices,
                                       name=_name(name, "preprocessor"))
        return Feature("string", layer, output_mode)

    @classmethod
    def string_hashed(cls, num_bins, output_mode="one_hot", name=None):
        return Feature("string", Hashing(num_bins=num_bins,
                                                   name=_name(name, "preprocessor")),
                       output_mode)

    @classmethod
    def integer_hashed(cls, num_bins, output_mode="one_hot", name=None):
        return Feature("int32", Hashing(num_bins=num_bins,
                                                  name=_name(name, "preprocessor")),
                       output_mode)

    # --- construction --------------------------------------------------------------------
    def __init__(self, features, output_mode="concat", crosses=None, crossing_dim=32,
                 hashing_dim=32, num_discretization_bins=32, name=None):
        super().__init__(name=name)
        if not features:
            raise ValueError("The `features` argument cannot be None or empty.")
        if output_mode not in ("concat", "dict"):
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of "
                             f"{{'concat', 'dict'}}. Received: output_mode={output_mode}")
        self.crossing_dim = crossing_dim
        self.hashing_dim = hashing_dim
        self.num_discretization_bins = num_discretization_bins
        self.output_mode = output_mode
        self.features = {name: self._standardize_feature(name, value)
                         for name, value in features.items()}
        self.crosses = [self._standardize_cross(c) for c in (crosses or [])]
        self.preprocessors = {name: f.preprocessor for name, f in self.features.items()}
        self.crossers = {c.name: HashedCrossing(num_bins=c.crossing_dim,
                                                          name=f"{c.name}_crosser")
                         for c in self.crosses}
        self.encoders = {}  # one-hot encoders of index features, made once sizes are known
        for layer in list(self.preprocessors.values()) + list(self.crossers.values()):
            self._track_layer(layer)
        self.inputs = None
        self.encoded_features = None
        self._is_adapted = False
        self.built = True

    def _standardize_feature(self, name, feature):
        if isinstance(feature, Feature):
            return feature
        if isinstance(feature, dict):
            return deserialize_keras_object(feature)
        if feature not in _FEATURE_KINDS:
            raise ValueError(f"Invalid value for feature '{name}': {feature!r}. Expected a "
                             f"`FeatureSpace` feature or one of {_FEATURE_KINDS}.")
        make = getattr(self, feature)
        if feature.endswith("_hashed"):
            return make(num_bins=self.hashing_dim, name=name)
        if feature == "float_discretized":
            return make(num_bins=self.num_discretization_bins, name=name)
        return make(name=name)

    def _standardize_cross(self, cross):
        if isinstance(cross, Cross):
            found = cross
        elif isinstance(cross, dict):
            found = deserialize_keras_object(cross)
        else:
            found = Cross(cross, crossing_dim=self.crossing_dim)
        for name in found.feature_names:
            if name not in self.features:
                raise ValueError(f"All features referenced in `crosses` must be part of "
                                 f"the `features` dict. Unknown feature: {name!r}")
        return found

    # --- adapting ------------------------------------------------------------------------
    def adapt(self, dataset):
        """Learns each preprocessor's state (vocabularies, means, bin edges) from
        ``dataset``: a ``Dataset`` of feature dicts (batched or not) or a dict of arrays."""
        columns = _collect_columns(dataset, list(self.features))
        for name, feature in self.features.items():
            preprocessor = feature.preprocessor
            if hasattr(preprocessor, "adapt"):
                values = columns[name]
                values = values.reshape(-1, 1) if values.ndim <= 1 else values
                preprocessor.adapt(values)
        self._is_adapted = True
        self._make_encoders()
        self.get_encoded_features()  # the functional graph, as Keras builds it on adapt

    def _index_depth(self, feature) -> int:
        layer = feature.preprocessor
        if hasattr(layer, "vocabulary_size"):
            return int(layer.vocabulary_size())
        if getattr(layer, "num_bins", None):
            return int(layer.num_bins)
        boundaries = getattr(layer, "bin_boundaries", None)
        if boundaries is not None:
            return len(boundaries) + 1
        raise ValueError(f"Cannot tell how many indices feature preprocessor "
                         f"'{layer.name}' produces, to one-hot encode them.")

    def _make_encoders(self):
        encoding = CategoryEncoding
        for name, feature in self.features.items():
            if feature.output_mode == "one_hot" and name not in self.encoders:
                self.encoders[name] = encoding(num_tokens=self._index_depth(feature),
                                               output_mode="one_hot",
                                               name=f"{name}_encoder")
                self._track_layer(self.encoders[name])
        for cross in self.crosses:
            if cross.output_mode == "one_hot" and cross.name not in self.encoders:
                self.encoders[cross.name] = encoding(num_tokens=cross.crossing_dim,
                                                     output_mode="one_hot",
                                                     name=f"{cross.name}_encoder")
                self._track_layer(self.encoders[cross.name])

    def _check_adapted(self):
        needs = [f.preprocessor.name for f in self.features.values()
                 if hasattr(f.preprocessor, "adapt") and not _is_ready(f.preprocessor)]
        if needs and not self._is_adapted:
            raise ValueError(f"You need to call `.adapt(dataset)` on the FeatureSpace "
                             f"before you can start using it (preprocessors not adapted: "
                             f"{needs}).")
        self._make_encoders()

    # --- the computation -----------------------------------------------------------------
    def get_inputs(self) -> dict:
        """``{name: keras.Input(shape=(1,), dtype=...)}``, one per feature."""
        if self.inputs is None:
            self.inputs = {name: Input(shape=(1,), dtype=feature.dtype, name=name)
                           for name, feature in self.features.items()}
        return self.inputs

    def get_encoded_features(self):
        """The encoded features as symbolic tensors of ``get_inputs()``: one tensor
        (``concat``) or a dict."""
        self._check_adapted()
        if self.encoded_features is None:
            self.encoded_features = self._encode(self.get_inputs())
        return self.encoded_features

    def _encode(self, inputs: dict):
        """Preprocessors, crosses of their indices, one-hot encodings, then the merge."""
        ops = _ops()
        names = sorted(self.features)  # Keras orders the encoded features by name
        indexed = {name: self.features[name].preprocessor(inputs[name]) for name in names}
        encoded = {}
        for name in names:
            feature = self.features[name]
            value = indexed[name]
            if feature.output_mode == "one_hot":
                value = self.encoders[name](value)
            encoded[name] = value
        for cross in self.crosses:
            value = self.crossers[cross.name](tuple(indexed[n] for n in cross.feature_names))
            if cross.output_mode == "one_hot":
                value = self.encoders[cross.name](value)
            encoded[cross.name] = value
        if self.output_mode == "dict":
            return encoded
        parts = [encoded[name] for name in encoded]
        parts = [part if _is_float(part) else ops.cast(part, "float32") for part in parts]
        if len(parts) == 1:
            return parts[0]
        return Concatenate(axis=-1)(parts)

    def __call__(self, data):
        self._check_adapted()
        if not isinstance(data, dict):
            raise ValueError(f"A FeatureSpace can only be called with a dict. Received: "
                             f"data={data} (of type {type(data)})")
        missing = [name for name in self.features if name not in data]
        if missing:
            raise ValueError(f"The FeatureSpace expects features {list(self.features)}; "
                             f"missing from the data: {missing}")
        from fluxion.keras.engine.keras_tensor import any_keras_tensor

        if any_keras_tensor((data,), {}):
            return self._encode(data)
        ops = _ops()
        unbatched = False
        columns = {}
        for name, feature in self.features.items():
            value = _as_tensor(data[name], feature.dtype)
            if len(value.shape) == 0:
                unbatched = True
                value = ops.reshape(value, (1, 1))
            elif len(value.shape) == 1:
                value = ops.expand_dims(value, -1)
            columns[name] = value
        out = self._encode(columns)
        if unbatched:
            if isinstance(out, dict):
                return {k: ops.squeeze(v, 0) for k, v in out.items()}
            return ops.squeeze(out, 0)
        return out

    # --- saving --------------------------------------------------------------------------
    def get_config(self):
        return {"name": self.name, "output_mode": self.output_mode,
                "crossing_dim": self.crossing_dim, "hashing_dim": self.hashing_dim,
                "num_discretization_bins": self.num_discretization_bins,
                "features": {name: serialize_keras_object(f)
                             for name, f in self.features.items()},
                "crosses": [serialize_keras_object(c) for c in self.crosses]}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _name(name, suffix):
    return None if name is None else f"{name}_{suffix}"


def _ops():
    from fluxion.keras import ops

    return ops


def _is_float(tensor) -> bool:
    from fluxion.core import dtypes

    return dtypes.as_dtype(tensor.dtype).is_floating


def _is_ready(layer) -> bool:
    """Whether an adaptable preprocessor already has its state (given or adapted)."""
    for attribute in ("_has_input_vocabulary", "is_adapted", "_adapted"):
        if getattr(layer, attribute, False):
            return True
    if getattr(layer, "bin_boundaries", None) is not None:
        return True
    if getattr(layer, "input_mean", None) is not None:
        return True
    return False


def _as_tensor(value, dtype):
    from fluxion.core import dtypes
    from fluxion.keras import ops

    tensor = ops.convert_to_tensor(value)
    wanted = dtypes.as_dtype(dtype)
    if tensor.dtype != wanted and wanted is not dtypes.string:
        tensor = ops.cast(tensor, wanted)
    return tensor


def _collect_columns(dataset, names) -> dict:
    """Every value of each named feature, as one NumPy array per feature."""
    from fluxion.keras.layers.preprocessing import adapt_data

    if isinstance(dataset, dict):
        return {name: adapt_data.to_numpy(dataset[name]) for name in names}
    if not adapt_data.is_dataset(dataset):
        raise ValueError(f"`adapt()` can only be called on a Dataset (or a dict of arrays). "
                         f"Received: {type(dataset)}")
    parts = {name: [] for name in names}
    for element in dataset:
        if isinstance(element, tuple):  # (features, labels)
            element = element[0]
        if not isinstance(element, dict):
            raise ValueError(f"`adapt()` expects a dataset of feature dicts; received "
                             f"elements of type {type(element)}")
        for name in names:
            value = adapt_data.to_numpy(element[name])
            parts[name].append(value.reshape(-1) if value.ndim <= 1 else value)
    return {name: np.concatenate([np.atleast_1d(v) for v in values])
            for name, values in parts.items()}
