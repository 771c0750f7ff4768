"""``IndexLookup``: the vocabulary table behind ``StringLookup`` and ``IntegerLookup``.

Indices are laid out as Keras 3 lays them out: ``[mask][oov x num_oov_indices][tokens]``
(the mask slot only with ``mask_token`` set and ``output_mode="int"``).  Out-of-vocabulary
values go to the single OOV index, or with several OOV indices to ``floormod`` of the
integer or a FarmHash (SipHash with ``salt``) bucket, exactly as Keras computes them.

The table itself is a pair of key/value tuples handed to the ``table_lookup`` primitive,
so a lookup layer works eagerly, in traced functions and in ``Dataset.map``.  ``adapt``
counts tokens with NumPy and orders the vocabulary by count, ties broken by the token in
descending order (Keras's ``lexsort`` order), so adapted vocabularies match Keras's.
"""

from __future__ import annotations

import collections
import math
import os

import numpy as np

from fluxion.core import dtypes
from fluxion.keras.layers.preprocessing import adapt_data
from fluxion.keras.layers.preprocessing.categorical import encode_categorical
from fluxion.keras.layers.preprocessing.data_layer import DataLayer
from fluxion.ops import array_ops, creation_ops, math_ops
from fluxion.ops.text_lookup_ops import (
    as_string,
    string_hash_bucket,
    table_lookup,
)

_OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
_INT64_MAX = int(np.iinfo(np.int64).max)  # mask id of non-int modes: bincount drops it


class IndexLookup(DataLayer):
    """Maps values to indices of a vocabulary (or back, with ``invert``)."""

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary_dtype,
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 sparse=False, pad_to_max_tokens=False, oov_method="floormod", name=None,
                 salt=None, **kwargs):
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"If set, `max_tokens` must be greater than 1. Received: "
                             f"max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"If pad_to_max_tokens is True, must set `max_tokens`. "
                             f"Received: max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError(f"`num_oov_indices` must be greater than or equal to 0. "
                             f"Received: num_oov_indices={num_oov_indices}")
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError(f"Invalid value for argument `oov_method` of "
                             f"{type(self).__name__}: expected one of ('floormod', "
                             f"'farmhash'). Received: oov_method={oov_method}")
        self._string_keys = dtypes.as_dtype(vocabulary_dtype) is dtypes.string
        salt = _standardize_salt(salt, self._string_keys, oov_method)
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        if output_mode not in _OUTPUT_MODES:
            raise ValueError(f"Invalid value for argument `output_mode` of "
                             f"{type(self).__name__}: expected one of {_OUTPUT_MODES}. "
                             f"Received: output_mode={output_mode}")
        if invert and output_mode != "int":
            raise ValueError(f"`output_mode` must be `'int'` when `invert` is true. Received: "
                             f"output_mode={output_mode}")
        if sparse:
            raise ValueError("`sparse=True` is not supported: Fluxion has no sparse tensors; "
                             "use the dense output.")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(f"`idf_weights` should only be set if `output_mode` is "
                             f"`'tf_idf'`. Received: idf_weights={idf_weights} and "
                             f"output_mode={output_mode}")
        self._frozen_vocab_size = kwargs.pop("vocabulary_size", None)
        self._has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        super().__init__(name=name, trainable=kwargs.pop("trainable", True),
                         dtype=kwargs.pop("dtype", None))
        if kwargs:
            raise ValueError(f"Unrecognized keyword argument(s): {kwargs}")
        self.invert = invert
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.output_mode = output_mode
        self.sparse = sparse
        self.pad_to_max_tokens = pad_to_max_tokens
        self.vocabulary_dtype = dtypes.as_dtype(vocabulary_dtype).name
        self.oov_method = oov_method
        self.salt = salt
        self.input_vocabulary = vocabulary if not isinstance(vocabulary, str) else None
        self.input_idf_weights = idf_weights
        self._tokens: list = []  # learned tokens as keys: bytes or int
        self.idf_weights = None
        if output_mode == "tf_idf" and self._has_input_vocabulary and idf_weights is None:
            raise ValueError("When specifying the `vocabulary` argument, in TF-IDF output "
                             "mode, the `idf_weights` argument must also be provided.")
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        self.reset_state()
        self.built = True

    # --- index layout --------------------------------------------------------------------------
    def _oov_start_index(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self) -> int:
        return self._oov_start_index() + self.num_oov_indices

    def _key(self, token):
        """A token in the table's key form: ``bytes`` for strings, ``int`` otherwise."""
        if self._string_keys:
            return token if isinstance(token, bytes) else str(token).encode("utf-8")
        return int(token)

    def _plain(self, key):
        return key.decode("utf-8") if isinstance(key, bytes) else key

    # --- vocabulary ------------------------------------------------------------------------------
    def vocabulary_size(self) -> int:
        """The number of indices: special tokens plus learned tokens."""
        return len(self._tokens) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The vocabulary in index order (special tokens first unless excluded)."""
        size = self.vocabulary_size()
        vocab = [self.oov_token] * (size - len(self._tokens)) + \
            [self._plain(t) for t in self._tokens]
        if size and self.mask_token is not None and self.output_mode == "int":
            vocab[0] = self.mask_token
        if not include_special_tokens:
            vocab = vocab[self._token_start_index():]
        return vocab

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Sets the vocabulary: a list, array or tensor of tokens, or a file with one token
        a line (its lines are all tokens).  ``idf_weights`` go with ``tf_idf``."""
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        elif idf_weights is not None:
            raise ValueError(f"`idf_weights` should only be set if output_mode is `'tf_idf'`. "
                             f"Received: output_mode={self.output_mode} and "
                             f"idf_weights={idf_weights}")
        if isinstance(vocabulary, str):
            self._set_vocabulary_file(vocabulary)
            return
        vocabulary = adapt_data.to_numpy(vocabulary).reshape(-1)
        if vocabulary.size == 0:
            raise ValueError(f"Cannot set an empty vocabulary. Received: "
                             f"vocabulary={vocabulary.tolist()}")
        keys = [self._key(v) for v in vocabulary.tolist()]
        token_start = self._token_start_index()
        specials = [self.mask_token] * self._oov_start_index() + \
            [self.oov_token] * self.num_oov_indices
        special_keys = [None if s is None else self._key(s) for s in specials]
        found_specials = keys[:token_start] == special_keys
        tokens = keys[token_start:] if found_specials else keys
        self._check_tokens(tokens, specials)
        if self.max_tokens is not None and token_start + len(tokens) > self.max_tokens:
            raise ValueError(f"Attempted to set a vocabulary larger than the maximum vocab "
                             f"size. Received vocabulary size is {token_start + len(tokens)}; "
                             f"`max_tokens` is {self.max_tokens}.")
        self._tokens = tokens
        self._record_vocabulary_size()
        if self.output_mode == "tf_idf":
            self._set_idf_weights(idf_weights, len(keys), 0 if found_specials else token_start)

    def _check_tokens(self, tokens: list, specials: list) -> None:
        repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
        if repeated:
            raise ValueError(f"The passed vocabulary has at least one repeated term. Please "
                             f"uniquify your dataset. The repeated terms are: "
                             f"{[self._plain(t) for t in repeated]}")
        for token, reserved, applies in ((self.mask_token, "mask", True),
                                         (self.oov_token, "OOV", self.invert)):
            if token is not None and applies and self._key(token) in tokens:
                raise ValueError(
                    f"Found reserved {reserved} token at unexpected location in `vocabulary`. "
                    f"Note that passed `vocabulary` does not need to include the OOV and mask "
                    f"tokens. Either remove all mask and OOV tokens, or include them only at "
                    f"the start of the vocabulary in precisely this order: {specials}. "
                    f"Received: {'mask' if reserved == 'mask' else 'oov'}_token={token} at "
                    f"vocabulary index {tokens.index(self._key(token))}")

    def _set_vocabulary_file(self, path: str) -> None:
        from fluxion.keras.saving import serialization

        if serialization.is_deserializing() and serialization.in_safe_mode():
            raise ValueError(
                "Requested the loading of a vocabulary file outside of the model archive. "
                "This carries a potential risk of loading arbitrary and sensitive files and "
                "thus it is disallowed by default. If you trust the source of the artifact, "
                "you can override this error by passing `safe_mode=False` to the loading "
                "function, or calling `keras.config.enable_unsafe_deserialization()`. "
                f"Vocabulary file: '{path}'")
        if not os.path.exists(path):
            raise ValueError(f"Vocabulary file {path} does not exist.")
        if self.output_mode == "tf_idf":
            raise ValueError("output_mode `'tf_idf'` does not support loading a vocabulary "
                             "from file.")
        with open(path, "rb") as file:
            lines = file.read().split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        tokens = [line if self._string_keys else int(line) for line in lines]
        repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
        if repeated:
            raise ValueError(f"Vocabulary file {path} repeats the tokens "
                             f"{[self._plain(t) for t in repeated]}")
        self._tokens = tokens
        self._record_vocabulary_size()

    def _set_idf_weights(self, idf_weights, vocab_length: int, front: int) -> None:
        weights = np.asarray(adapt_data.to_numpy(idf_weights), np.float64)
        if weights.ndim != 1:
            raise ValueError(f"TF-IDF data must be a 1-index array. Received: "
                             f"idf_weights of shape {weights.shape}")
        if len(weights) != vocab_length:
            raise ValueError(f"`idf_weights` must be the same length as vocabulary. "
                             f"len(idf_weights) is {len(weights)}; len(vocabulary) is "
                             f"{vocab_length}")
        back = self.max_tokens - front - len(weights) \
            if self.pad_to_max_tokens and self.max_tokens is not None else 0
        self.idf_weights = np.pad(weights, (front, back), constant_values=(
            np.average(weights) if front else 0, 0)).astype(np.float32)

    def _record_vocabulary_size(self) -> None:
        size = self.vocabulary_size()
        if self.output_mode != "int" and not self.pad_to_max_tokens and \
                self._frozen_vocab_size is not None and size != self._frozen_vocab_size:
            raise RuntimeError(
                f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, "
                f"the vocabulary size cannot be changed after the layer is called. Old vocab "
                f"size is {self._frozen_vocab_size}, new vocab size is {size}")
        self._frozen_vocab_size = size

    # --- adapt ------------------------------------------------------------------------------------
    def adapt(self, data, steps=None) -> None:
        """Learns the vocabulary (most frequent first) from ``data``: an array, tensor,
        list, ``fluxion.data.Dataset`` or iterable of batches."""
        self.reset_state()
        if adapt_data.is_single_batch(data):
            batch = adapt_data.to_numpy(data)
            self.update_state(batch[:, None] if batch.ndim == 1 else batch)
        else:
            for batch in adapt_data.batches(data, steps):
                self.update_state(batch)
        self.finalize_state()

    def update_state(self, data) -> None:
        if self._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static "
                             f"vocabulary via `vocabulary` argument or `set_vocabulary()` "
                             f"method.")
        data = adapt_data.to_numpy(data)
        if data.ndim <= 1:  # a rank-1 batch is a single document
            data = data.reshape(1, -1)
        keys = [self._key(v) for v in data.reshape(-1).tolist()]
        self._token_counts.update(keys)
        if self.output_mode == "tf_idf":
            width = data.shape[-1] if data.size else 0
            for start in range(0, len(keys), max(width, 1)):
                self._document_counts.update(set(keys[start:start + width]))
            self._num_documents += data.shape[0]

    def finalize_state(self) -> None:
        if self._has_input_vocabulary or not self._token_counts:
            if self.input_vocabulary is not None or self._tokens:
                self._record_vocabulary_size()
            return
        counts = self._token_counts
        for special in (self.mask_token, self.oov_token):
            if special is not None:
                counts.pop(self._key(special), None)
        ordered = sorted(counts.items(), key=lambda item: (item[1], item[0]), reverse=True)
        if self.max_tokens:
            ordered = ordered[:self.max_tokens - self._token_start_index()]
        self._tokens = [token for token, _ in ordered]
        if self.output_mode == "tf_idf":
            documents = self._num_documents
            idf = np.asarray([math.log(1 + documents / (1 + self._document_counts[t]))
                              for t in self._tokens], np.float32)
            mean = np.float32(idf.mean()) if idf.size else np.float32(0)
            back = max(self.max_tokens - self._token_start_index() - len(idf), 0) \
                if self.pad_to_max_tokens and self.max_tokens is not None else 0
            self.idf_weights = np.concatenate([np.full(self._token_start_index(), mean),
                                               idf, np.zeros(back)]).astype(np.float32)
        self.reset_state()
        self._record_vocabulary_size()

    def reset_state(self) -> None:
        self._token_counts: collections.Counter = collections.Counter()
        self._document_counts: collections.Counter = collections.Counter()
        self._num_documents = 0

    # --- call -------------------------------------------------------------------------------------
    def call(self, inputs):

        if self.output_mode != "int" and not self.pad_to_max_tokens and \
                self._frozen_vocab_size is None:
            raise RuntimeError(
                f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, "
                f"you must set the layer's vocabulary before calling it. Either pass a "
                f"`vocabulary` argument to the layer, or call `adapt` with some sample data.")
        inputs = self._standardize_inputs(inputs)
        if self.invert:
            return self._invert(inputs)
        lookups = self._lookup(inputs)
        if self.output_mode == "int":
            return lookups
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        output = encode_categorical(lookups, mode, depth, "int64")
        if self.output_mode == "tf_idf":
            if self.idf_weights is None:
                if not _is_symbolic(lookups):
                    raise ValueError("When `output_mode` is `'tf_idf'`, `idf_weights` must be "
                                     "provided.")
                # Rebuilding a saved model calls the layer symbolically before its idf
                # weights are loaded: only the output shape matters then.
                weights = np.zeros(depth, np.float32)
            else:
                weights = self.idf_weights
            output = array_ops.cast(output, "float32") * creation_ops.constant(weights)
        return output

    def _standardize_inputs(self, inputs):

        if self.invert:
            return inputs if inputs.dtype is dtypes.int64 else array_ops.cast(inputs, "int64")
        if self._string_keys:
            if inputs.dtype is not dtypes.string:
                raise TypeError(f"{type(self).__name__} expects string inputs, got "
                                f"{inputs.dtype.name}")
            return inputs
        if not inputs.dtype.is_integer:
            raise TypeError(f"{type(self).__name__} expects integer inputs, got "
                            f"{inputs.dtype.name}")
        return inputs if inputs.dtype is dtypes.int64 else array_ops.cast(inputs, "int64")

    def _lookup(self, inputs):

        start = self._token_start_index()
        keys, values = tuple(self._tokens), tuple(range(start, start + len(self._tokens)))
        if self.mask_token is not None:
            mask_value = 0 if self.output_mode == "int" else _INT64_MAX
            keys, values = keys + (self._key(self.mask_token),), values + (mask_value,)
        if self.num_oov_indices == 0:
            default = None  # misses raise, as Keras's assertion
        elif self.num_oov_indices == 1:
            default = self._oov_start_index()
        else:
            default = -1
        lookups = table_lookup(inputs, keys, values, default, "int64")
        if self.num_oov_indices <= 1:
            return lookups
        if not self._string_keys and self.oov_method != "farmhash":
            oov_count = creation_ops.constant(self.num_oov_indices, "int64")
            buckets = math_ops.floormod(inputs, oov_count)
        else:
            strings = inputs if self._string_keys else as_string(inputs)
            buckets = string_hash_bucket(strings, self.num_oov_indices, self.salt)
        buckets = buckets + creation_ops.constant(self._oov_start_index(), "int64")
        return array_ops.where(
            array_ops.equal(lookups, creation_ops.constant(-1, "int64")), buckets, lookups
        )

    def _invert(self, inputs):
        start = self._token_start_index()
        keys, values = tuple(range(start, start + len(self._tokens))), tuple(self._tokens)
        if self.mask_token is not None:
            keys, values = (0,) + keys, (self._key(self.mask_token),) + values
        dtype = self.vocabulary_dtype
        default = None if self.oov_token is None else self._key(self.oov_token)
        if default is None and self._string_keys:
            default = b""
        return table_lookup(inputs, keys, values, default, dtype)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        input_shape = tuple(input_shape)
        if self.output_mode == "one_hot" and not (len(input_shape) > 1 and input_shape[-1] == 1):
            return input_shape + (depth,)
        return input_shape[:-1] + (depth,)

    # --- configuration and saving -----------------------------------------------------------------
    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "invert": self.invert,
            "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices,
            "oov_token": self.oov_token,
            "mask_token": self.mask_token,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "vocabulary_dtype": self.vocabulary_dtype,
            "idf_weights": _listify(self.input_idf_weights),
            "vocabulary": _listify(self.input_vocabulary),
            "vocabulary_size": self._frozen_vocab_size,
            "oov_method": self.oov_method,
            "salt": self.salt,
        }

    def get_build_config(self) -> dict:
        return {}

    def build_from_config(self, config) -> None:
        self.built = True

    def save_own_variables(self, store) -> None:
        if self.output_mode == "tf_idf" and self.idf_weights is not None:
            store["idf_weights"] = np.asarray(self.idf_weights)

    def load_own_variables(self, store) -> None:
        if self.output_mode == "tf_idf" and "idf_weights" in store:
            self.idf_weights = np.asarray(store["idf_weights"], np.float32)

    def save_assets(self, dir_path: str) -> None:
        """Writes ``vocabulary.txt`` when the vocabulary is not in the config (adapted or
        read from a file), as Keras does."""
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), "w", encoding="utf-8") as file:
            file.write("\n".join(str(w) for w in self.get_vocabulary()))

    def load_assets(self, dir_path: str) -> None:
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), encoding="utf-8") as file:
            lines = file.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        values = lines if self._string_keys else [int(line) for line in lines]
        self._has_input_vocabulary = False
        idf = self.idf_weights if self.output_mode == "tf_idf" else None
        self._tokens = []
        self._frozen_vocab_size = None if self.output_mode == "int" else self._frozen_vocab_size
        self.set_vocabulary(values, idf_weights=idf)


def _standardize_salt(salt, string_keys: bool, oov_method: str):
    if salt is None:
        return None
    if not string_keys and oov_method != "farmhash":
        raise ValueError(
            f"`salt` can only be used when `oov_method='farmhash'`. Received: "
            f"oov_method={oov_method}"
        )
    if isinstance(salt, (tuple, list)) and len(salt) == 2:
        return list(salt)
    if isinstance(salt, int):
        return [salt, salt]
    raise ValueError(
        f"The `salt` argument for `IndexLookup` can only be a tuple of 2 "
        f"integers, or a single integer. Received: salt={salt}."
    )


def _listify(value):
    if hasattr(value, "numpy"):
        value = value.numpy()
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [v.decode("utf-8") if isinstance(v, bytes) else v for v in value]
    return value


def _is_symbolic(tensor) -> bool:
    """True while the layer is traced (functional API, fluxion.function): no values yet."""
    return getattr(tensor, "_value", None) is None
