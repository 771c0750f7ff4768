"""keras.preprocessing.text: the legacy Tokenizer, against values from tf.keras 2.21."""

import numpy as np
import pytest

from fluxion.keras.preprocessing import text

TEXTS = ["I love my dog", "I, love my cat!", "You love my dog?"]


def test_index_and_sequences_match_tf_keras():
    tok = text.Tokenizer(num_words=100, oov_token="<OOV>")
    tok.fit_on_texts(TEXTS)
    # What tf.keras.preprocessing.text.Tokenizer gives (TensorFlow 2.21).
    assert tok.word_index == {"<OOV>": 1, "love": 2, "my": 3, "i": 4, "dog": 5, "cat": 6,
                              "you": 7}
    assert tok.texts_to_sequences(["I really love my dog"]) == [[4, 1, 2, 3, 5]]
    assert dict(tok.word_counts) == {"i": 2, "love": 3, "my": 3, "dog": 2, "cat": 1,
                                     "you": 1}
    assert tok.sequences_to_texts([[4, 1, 2]]) == ["i <OOV> love"]
    assert text.text_to_word_sequence("Hello, World! x") == ["hello", "world", "x"]


def test_num_words_limits_and_matrices():
    tok = text.Tokenizer(num_words=3)
    tok.fit_on_texts(TEXTS)
    assert tok.texts_to_sequences(["love my dog"]) == [[1, 2]]
    binary = tok.texts_to_matrix(["love love my"], mode="binary")
    np.testing.assert_array_equal(binary, [[0, 1, 1]])
    np.testing.assert_array_equal(tok.texts_to_matrix(["love love my"], mode="count"),
                                  [[0, 2, 1]])
    assert tok.texts_to_matrix(["love"], mode="tfidf")[0, 1] > 0
    with pytest.raises(ValueError):
        tok.texts_to_matrix(["love"], mode="bad")
    again = text.tokenizer_from_json(tok.to_json())
    assert again.word_index == tok.word_index and again.num_words == 3


def test_char_level_and_hashing():
    tok = text.Tokenizer(char_level=True)
    tok.fit_on_texts(["abba"])
    assert tok.word_index == {"a": 1, "b": 2}
    hashed = text.hashing_trick("a b a", 10, hash_function="md5")
    assert hashed[0] == hashed[2] and all(1 <= h < 10 for h in hashed)
    assert all(1 <= h < 5 for h in text.one_hot("x y z", 5))
