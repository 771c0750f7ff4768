"""Transfer learning with ``keras.applications``: a frozen MobileNetV2 base, a new head,
then fine-tuning of the whole network with a low learning rate.

    python examples/transfer_learning.py [--weights imagenet|PATH|none] [--epochs 3]

The data are the bundled handwritten digits, upscaled to 32x32 RGB.  The new task is
telling the digits 5-9 apart.  With ``--weights imagenet`` the base starts from Keras's
ImageNet weights (downloaded once into ``~/.keras/models``, which needs a network);
by default (``none``) it is first pre-trained here on the digits 0-4, so that the
example runs anywhere and the base has learned features worth transferring.
"""

from __future__ import annotations

import argparse

import numpy as np

from fluxion import keras
from fluxion.datasets import digits


def load_images():
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    def prepare(images):
        big = np.repeat(np.repeat(images.astype("float32") * (255.0 / 16.0), 4, axis=1), 4,
                        axis=2)
        rgb = np.repeat(big[..., np.newaxis], 3, axis=-1)
        return keras.applications.mobilenet_v2.preprocess_input(rgb)
    return (prepare(x_train), y_train), (prepare(x_test), y_test)


def pretrain_on_other_digits(base, x, y, epochs: int, verbose) -> None:
    """The source task: the digits 0-4, with a throw-away classifier on the base."""
    source = y < 5
    for layer in base.layers:  # a few hundred steps: let batch-norm statistics keep up
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.momentum = 0.9
    model = keras.Sequential([base, keras.layers.Dense(5, activation="softmax")])
    model.compile(keras.optimizers.Adam(2e-3), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x[source], y[source], epochs=epochs, batch_size=32, verbose=verbose)


def main(weights: str = "none", epochs: int = 3, verbose="auto") -> tuple[float, float]:
    keras.utils.set_random_seed(1)
    (x_train, y_train), (x_test, y_test) = load_images()
    base = keras.applications.MobileNetV2(
        input_shape=(32, 32, 3), alpha=0.35, include_top=False, pooling="avg",
        weights=None if weights == "none" else weights)
    if weights == "none":
        pretrain_on_other_digits(base, x_train, y_train, 2 * epochs, verbose)
    target_train, target_test = y_train >= 5, y_test >= 5
    x_train, y_train = x_train[target_train], y_train[target_train] - 5
    x_test, y_test = x_test[target_test], y_test[target_test] - 5
    base.trainable = False  # phase 1: only the new head learns
    inputs = keras.Input((32, 32, 3))
    features = base(inputs, training=False)  # batch norm stays in inference mode
    outputs = keras.layers.Dense(5, activation="softmax", name="digit")(
        keras.layers.Dropout(0.2)(features))
    model = keras.Model(inputs, outputs, name="digits_on_mobilenet_v2")
    model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=epochs, batch_size=64, verbose=verbose)
    head_only = model.evaluate(x_test, y_test, verbose=0)[1]
    print(f"frozen base, new head:  test accuracy {head_only:.3f}")

    base.trainable = True  # phase 2: fine-tune everything, gently
    model.compile(keras.optimizers.Adam(1e-4), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=epochs, batch_size=64, verbose=verbose)
    tuned = model.evaluate(x_test, y_test, verbose=0)[1]
    print(f"after fine-tuning:      test accuracy {tuned:.3f}")
    return head_only, tuned


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--weights", default="none")
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    main(args.weights, args.epochs)
