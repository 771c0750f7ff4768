"""Train a small convnet on the bundled handwritten digits with Keras, then evaluate it.

    python examples/train_digits.py [--epochs 15]

Keras 3 code with one change, ``from fluxion import keras``: ``fit`` shows Keras's
progress bar, ``evaluate`` reports the held-out accuracy, and a few test digits are
drawn next to the predicted class.
"""

from __future__ import annotations

import argparse

import numpy as np

from fluxion import keras
from fluxion.datasets import digits


def build_model() -> keras.Model:
    return keras.Sequential([
        keras.Input(shape=(8, 8, 1)),
        keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(64, 3, padding="same", activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(10, activation="softmax"),
    ], name="digits_convnet")


def ascii_digit(image: np.ndarray) -> list[str]:
    shades = " .:-=+*#%@"
    return ["".join(shades[min(int(v) * len(shades) // 17, len(shades) - 1)] * 2 for v in row)
            for row in image]


def train(epochs: int = 15, batch_size: int = 32, verbose="auto", seed: int = 1) -> float:
    keras.utils.set_random_seed(seed)
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    print(f"Digits: {len(x_train)} training and {len(x_test)} test images of 8x8 pixels")
    x_train = (x_train / 16.0).astype("float32")[..., None]
    x_test_scaled = (x_test / 16.0).astype("float32")[..., None]

    model = build_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.summary()
    model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_split=0.1,
              verbose=verbose)
    loss, accuracy = model.evaluate(x_test_scaled, y_test, verbose=0)
    print(f"Test accuracy: {accuracy:.1%} (loss {loss:.4f}) on {len(x_test)} held-out digits")

    predicted = model.predict(x_test_scaled[:4], verbose=0).argmax(axis=1)
    pictures = [ascii_digit(image) for image in x_test[:4]]
    for row in range(8):
        print("   ".join(picture[row] for picture in pictures))
    print("   ".join(f"pred {p} true {t}".ljust(16) for p, t in zip(predicted, y_test[:4])))
    return accuracy


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args(argv)
    train(args.epochs, args.batch_size)


if __name__ == "__main__":
    main()
