"""Train the digits convnet and export it for the browser with ``fluxion.js``.

    python examples/digits_in_the_browser/export_digits.py [--epochs 15]
    cp node_modules/@tensorflow/tfjs/dist/tf.min.js examples/digits_in_the_browser/
    python -m http.server --bind 127.0.0.1 8000 --directory examples/digits_in_the_browser

then open http://127.0.0.1:8000/ and draw a digit.  The page (``index.html``) loads
``web_model/model.json`` with ``tf.loadLayersModel`` and classifies the 8x8 picture
of what you drew, the size of the bundled digits.  ``tf.min.js`` comes from the npm
package ``@tensorflow/tfjs`` (``npm install @tensorflow/tfjs@4.22.0``); the page falls
back to the jsDelivr CDN when no local copy is there.
"""

from __future__ import annotations

import argparse
import os
import sys

import fluxion.js as tfjs
from fluxion import keras
from fluxion.datasets import digits

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from train_digits import build_model  # noqa: E402 - the convnet of examples/train_digits.py


def train_and_export(out_dir: str, epochs: int = 15, seed: int = 1) -> keras.Model:
    """Trains the convnet on the digits (pixels scaled to 0..1) and writes ``out_dir``."""
    keras.utils.set_random_seed(seed)
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    model = build_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit((x_train / 16.0).astype("float32")[..., None], y_train, batch_size=32,
              epochs=epochs, verbose=0)
    _, accuracy = model.evaluate((x_test / 16.0).astype("float32")[..., None], y_test,
                                 verbose=0)
    tfjs.save_keras_model(model, out_dir)
    print(f"Test accuracy {accuracy:.1%}; TensorFlow.js model written to {out_dir}")
    return model


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--out", default=os.path.join(HERE, "web_model"))
    args = parser.parse_args(argv)
    train_and_export(args.out, args.epochs)


if __name__ == "__main__":
    main()
