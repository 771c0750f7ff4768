"""``TextVectorization``: strings to token indices or bag-of-words vectors.

The pipeline is Keras 3's: standardize (lowercase ASCII, strip ASCII punctuation, or a
callable), split (whitespace, characters, or a callable), n-grams, then a ``StringLookup``
with ``""`` as its mask token.  Splitting yields a dense tensor padded with ``""``, which
looks up to 0, so the ``int`` output equals Keras's ragged lookup padded with zeros.

Callables see and return Fluxion string tensors (object arrays of UTF-8 ``bytes``, as
``tf.string`` tensors hold): a ``split`` callable returns a ``[batch, tokens]`` tensor
padded with ``""``.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.keras.layers.preprocessing import adapt_data
from fluxion.keras.layers.preprocessing.data_layer import DataLayer
from fluxion.keras.layers.preprocessing.string_lookup import StringLookup
from fluxion.keras.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)
from fluxion.ops import array_ops
from fluxion.ops.text_lookup_ops import (
    regex_replace,
    string_fit_length,
    string_lower,
    string_ngrams,
    string_split,
)

_PUNCTUATION = rb'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'
_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = ("whitespace", "character")
_OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


def _check_choice(value, allowed, name: str, callables: bool = True) -> None:
    if value is None or (callables and callable(value)) or value in allowed:
        return
    raise ValueError(f"Invalid value for argument `{name}` of TextVectorization: expected one "
                     f"of {allowed}, None or a callable. Received: {name}={value}")


@keras_class("keras.layers")
class TextVectorization(DataLayer):
    """Turns strings into sequences of token indices or into token-count vectors.

    >>> layer = TextVectorization(output_sequence_length=4)
    >>> layer.adapt(["The cat sat.", "The dog sat on the mat!"])
    >>> layer.get_vocabulary()[:4]
    ['', '[UNK]', 'the', 'sat']
    >>> layer(["the cat ran"]).numpy()
    array([[2, 7, 1, 0]])
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int", output_sequence_length=None,
                 pad_to_max_tokens=False, vocabulary=None, idf_weights=None, sparse=False,
                 ragged=False, encoding="utf-8", name=None, **kwargs):
        _check_choice(standardize, _STANDARDIZE, "standardize")
        _check_choice(split, _SPLIT, "split")
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        _check_choice(output_mode, _OUTPUT_MODES, "output_mode", callables=False)
        if output_mode is None:
            raise ValueError("`output_mode` must be one of " + str(_OUTPUT_MODES))
        if not (ngrams is None or isinstance(ngrams, int) or
                isinstance(ngrams, tuple) and all(isinstance(n, int) for n in ngrams)):
            raise ValueError(f"`ngrams` must be None, an integer, or a tuple of integers. "
                             f"Received: ngrams={ngrams}")
        if output_mode == "int" and not (output_sequence_length is None or
                                         isinstance(output_sequence_length, int)):
            raise ValueError(f"`output_sequence_length` must be either None or an integer "
                             f"when `output_mode` is 'int'. Received: "
                             f"output_sequence_length={output_sequence_length}")
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError(f"`output_sequence_length` must not be set if `output_mode` is "
                             f"not 'int'. Received output_sequence_length="
                             f"{output_sequence_length}.")
        if ragged:
            raise ValueError("`ragged=True` is not supported: Fluxion has no ragged tensors; "
                             "the int output is padded with 0 instead.")
        self._max_tokens = max_tokens
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self._ragged = ragged
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._encoding = encoding
        self._has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        super().__init__(name=name, **kwargs)
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens, mask_token="", output_mode=output_mode,
            sparse=sparse, has_input_vocabulary=self._has_input_vocabulary,
            encoding=encoding, vocabulary_size=vocabulary_size)
        self.built = True

    # --- the pipeline --------------------------------------------------------------------------
    def _preprocess(self, inputs: Tensor) -> Tensor:
        if inputs.dtype is not dtypes.string:
            raise TypeError(f"TextVectorization expects string inputs, got {inputs.dtype.name}")
        if self._standardize in ("lower", "lower_and_strip_punctuation"):
            inputs = string_lower(inputs)
        if self._standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            inputs = regex_replace(inputs, _PUNCTUATION, b"")
        if callable(self._standardize):
            inputs = self._standardize(inputs)
        if self._split is not None:
            if len(inputs.shape) > 1:
                if inputs.shape[-1] != 1:
                    raise ValueError(
                        "When using `TextVectorization` to tokenize strings, the input rank "
                        "must be 1 or the last shape dimension must be 1. Received: "
                        f"inputs.shape={tuple(inputs.shape)} with rank={len(inputs.shape)}")

                inputs = array_ops.squeeze(inputs, -1)
            if callable(self._split):
                inputs = self._split(inputs)
            else:
                inputs = string_split(inputs, self._split)
        if self._ngrams is not None:
            inputs = string_ngrams(inputs, self._ngrams, b" ")
        return inputs

    def call(self, inputs):
        tokens = self._preprocess(inputs)
        if self._output_mode == "int" and self._output_sequence_length is not None and \
                len(tokens.shape) >= 1:
            tokens = string_fit_length(tokens, self._output_sequence_length)
        return self._lookup_layer.call(tokens)

    def compute_output_shape(self, input_shape):
        if self._output_mode == "int":
            return (input_shape[0], self._output_sequence_length)
        if self._split is None:
            if len(input_shape) <= 1:
                input_shape = tuple(input_shape) + (1,)
        else:
            input_shape = tuple(input_shape) + (None,)
        return self._lookup_layer.compute_output_shape(input_shape)

    # --- vocabulary ----------------------------------------------------------------------------
    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Learns the vocabulary (and IDF weights) from strings: an array, list, tensor,
        ``fluxion.data.Dataset`` or iterable of batches."""
        self.reset_state()
        if adapt_data.is_single_batch(data):
            data = adapt_data.to_numpy(data)
            self.update_state(data[:, None] if data.ndim == 1 else data)
        else:
            for batch in adapt_data.batches(data, steps):
                self.update_state(batch)
        self.finalize_state()

    def update_state(self, data) -> None:
        tokens = self._preprocess(convert_to_tensor(adapt_data.to_numpy(data)))
        self._lookup_layer.update_state(np.asarray(tokens.numpy()))

    def finalize_state(self) -> None:
        self._lookup_layer.finalize_state()

    def reset_state(self) -> None:
        self._lookup_layer.reset_state()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    # --- configuration and saving -------------------------------------------------------------
    def get_config(self) -> dict:
        lookup = self._lookup_layer

        def describe(value):
            return value if value is None or isinstance(value, str) \
                else serialize_keras_object(value)

        return {**super().get_config(), "max_tokens": lookup.max_tokens,
                "standardize": describe(self._standardize), "split": describe(self._split),
                "ngrams": self._ngrams_arg, "output_mode": self._output_mode,
                "output_sequence_length": self._output_sequence_length,
                "pad_to_max_tokens": lookup.pad_to_max_tokens, "sparse": lookup.sparse,
                "ragged": self._ragged,
                "vocabulary": _listify(lookup.input_vocabulary),
                "idf_weights": _listify(lookup.input_idf_weights),
                "encoding": self._encoding, "vocabulary_size": self.vocabulary_size()}

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        for key in ("standardize", "split"):
            if config.get(key) is not None and not isinstance(config[key], str):
                config[key] = deserialize_keras_object(config[key])
        if isinstance(config.get("ngrams"), list):
            config["ngrams"] = tuple(config["ngrams"])
        return super().from_config(config)

    def get_build_config(self):
        return None

    def save_own_variables(self, store) -> None:
        self._lookup_layer.save_own_variables(store)

    def load_own_variables(self, store) -> None:
        self._lookup_layer.load_own_variables(store)

    def save_assets(self, dir_path: str) -> None:
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path: str) -> None:
        self._lookup_layer.load_assets(dir_path)


def _listify(value):
    from fluxion.keras.layers.preprocessing.index_lookup import _listify as listify

    return listify(value)
