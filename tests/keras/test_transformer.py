"""A small transformer encoder learns a generated sentiment task with ``model.fit``.

Reviews are sentences of filler words with one or two sentiment words ("great",
"awful"...); a "not" right before a sentiment word flips it.  The label is the sign of
the summed sentiment, so the model must read which words occur *and* what precedes
them: order matters, and a bag of words cannot reach the bar.  Reviews have different
lengths and are zero-padded; the padding travels as a Keras mask from the embedding
through ``MultiHeadAttention`` to the pooling.  The fit takes about 6 s on one core.
"""

import numpy as np

import fluxion as tf
from fluxion import keras
from fluxion.keras import layers

POSITIVE = ["good", "great", "excellent", "wonderful", "loved"]
NEGATIVE = ["bad", "awful", "boring", "terrible", "hated"]
FILLER = ["the", "movie", "film", "plot", "was", "and", "actors", "story", "it", "a",
          "really", "quite", "this", "music", "ending", "i", "scenes", "acting", "very",
          "cast", "script", "overall", "direction", "with", "of", "camera", "people"]
VOCAB = ["", "not"] + POSITIVE + NEGATIVE + FILLER  # id 0 is padding
WORD_ID = {word: i for i, word in enumerate(VOCAB)}
MAXLEN = 16


def make_reviews(n: int, rng) -> tuple:
    """``n`` reviews as text, and their 0/1 labels."""
    texts, labels = [], []
    while len(texts) < n:
        length = int(rng.integers(6, MAXLEN + 1))
        words = list(rng.choice(FILLER, length))
        slots = sorted(rng.choice(np.arange(1, length), int(rng.integers(1, 3)), replace=False))
        score = 0
        for slot in slots:
            positive = rng.random() < 0.5
            words[slot] = str(rng.choice(POSITIVE if positive else NEGATIVE))
            negated = rng.random() < 0.4 and slot - 1 not in slots
            if negated:
                words[slot - 1] = "not"
            score += (1 if positive else -1) * (-1 if negated else 1)
        if score == 0:
            continue  # undecided reviews are left out
        texts.append(" ".join(words))
        labels.append(float(score > 0))
    return texts, np.array(labels, "float32")


def vectorize(texts: list) -> np.ndarray:
    ids = np.zeros((len(texts), MAXLEN), "int32")
    for row, text in enumerate(texts):
        tokens = [WORD_ID[w] for w in text.split()][:MAXLEN]
        ids[row, :len(tokens)] = tokens
    return ids


class TokenAndPositionEmbedding(layers.Layer):
    """Token embedding (0 = padding, masked) plus a learned embedding of the position."""

    def __init__(self, maxlen: int, vocab_size: int, dim: int, **kwargs):
        super().__init__(**kwargs)
        self.maxlen, self.vocab_size, self.dim = maxlen, vocab_size, dim
        self.token = layers.Embedding(vocab_size, dim, mask_zero=True)
        self.position = layers.Embedding(maxlen, dim)

    def call(self, ids):
        return self.token(ids) + self.position(tf.range(tf.shape(ids)[-1]))

    def compute_mask(self, ids, mask=None):
        return tf.not_equal(ids, 0)

    def get_config(self):
        return {**super().get_config(), "maxlen": self.maxlen,
                "vocab_size": self.vocab_size, "dim": self.dim}


def transformer_classifier(dim: int = 32, heads: int = 2) -> keras.Model:
    ids = layers.Input((MAXLEN,), dtype="int32")
    x = TokenAndPositionEmbedding(MAXLEN, len(VOCAB), dim)(ids)
    attended = layers.MultiHeadAttention(num_heads=heads, key_dim=dim // heads)(x, x)
    x = layers.LayerNormalization()(layers.Add()([x, attended]))
    hidden = layers.Dense(dim, activation="relu")(x)
    x = layers.LayerNormalization()(layers.Add()([x, layers.Dense(dim)(hidden)]))
    x = layers.GlobalAveragePooling1D()(x)  # masked: padding is left out of the mean
    return keras.Model(ids, layers.Dense(1, activation="sigmoid")(x))


def test_transformer_encoder_learns_sentiment():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    train_texts, y_train = make_reviews(6000, rng)
    test_texts, y_test = make_reviews(500, rng)
    x_train, x_test = vectorize(train_texts), vectorize(test_texts)
    assert 0.4 < y_train.mean() < 0.6

    model = transformer_classifier()
    model.compile(optimizer=keras.optimizers.Adam(5e-3), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=6, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy >= 0.92, f"held-out accuracy {accuracy:.3f} < 0.92"

    # The order matters: "not great" and "great" differ in the model's eyes.
    probe = vectorize(["this movie was really great and the story was quite",
                       "this movie was really not great and the story was",
                       "the plot was awful and the cast overall was a",
                       "the plot was not awful and the cast overall was"])
    p = model.predict(probe, verbose=0)[:, 0]
    assert p[0] > 0.5 > p[1] and p[2] < 0.5 < p[3], p
