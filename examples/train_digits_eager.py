"""Train a two-layer network on the bundled handwritten digits with GradientTape, eagerly.

    python examples/train_digits_eager.py [--epochs 20] [--batch-size 32]

This is TensorFlow 2 code with one change: ``import fluxion as tf``.  It prints a
progress bar per epoch with the falling loss, then the accuracy on held-out digits.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import fluxion as tf
from fluxion.datasets import digits


def progress_bar(step: int, total: int, loss: float, width: int = 30) -> str:
    done = int(width * step / total)
    bar = "=" * done + (">" + "." * (width - done - 1) if done < width else "")
    return f"{step:3d}/{total} [{bar}] - loss: {loss:.4f}"


class TwoLayerNet:
    """64 -> hidden (relu) -> 10 logits, with Glorot-uniform initial weights."""

    def __init__(self, hidden: int, seed: int = 0):
        rng = np.random.default_rng(seed)

        def glorot(fan_in: int, fan_out: int) -> np.ndarray:
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)

        self.w1 = tf.Variable(glorot(64, hidden), name="dense/kernel")
        self.b1 = tf.Variable(tf.zeros([hidden]), name="dense/bias")
        self.w2 = tf.Variable(glorot(hidden, 10), name="logits/kernel")
        self.b2 = tf.Variable(tf.zeros([10]), name="logits/bias")
        self.variables = [self.w1, self.b1, self.w2, self.b2]

    def __call__(self, x):
        hidden = tf.nn.relu(tf.matmul(x, self.w1) + self.b1)
        return tf.matmul(hidden, self.w2) + self.b2


def train(epochs: int, batch_size: int, learning_rate: float, hidden: int) -> float:
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    x_train = x_train.reshape(-1, 64).astype(np.float32) / 16.0
    x_test = x_test.reshape(-1, 64).astype(np.float32) / 16.0
    y_train, y_test = y_train.astype(np.int32), y_test.astype(np.int32)
    print(f"Digits: {len(x_train)} training and {len(x_test)} test images of 8x8 pixels")

    model = TwoLayerNet(hidden)
    rng = np.random.default_rng(1)
    steps = int(np.ceil(len(x_train) / batch_size))
    started = time.perf_counter()
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(x_train))
        total = 0.0
        for step in range(steps):
            batch = order[step * batch_size:(step + 1) * batch_size]
            x, y = tf.constant(x_train[batch]), tf.constant(y_train[batch])
            with tf.GradientTape() as tape:
                logits = model(x)
                loss = tf.reduce_mean(
                    tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
            for variable, grad in zip(model.variables, tape.gradient(loss, model.variables)):
                variable.assign_sub(learning_rate * grad)
            total += float(loss)
            if sys.stdout.isatty() or step == steps - 1:
                end = "\n" if step == steps - 1 else ""
                print(f"\rEpoch {epoch:2d}/{epochs} "
                      f"{progress_bar(step + 1, steps, total / (step + 1))}", end=end, flush=True)
    elapsed = time.perf_counter() - started
    predictions = tf.argmax(model(tf.constant(x_test)), axis=1, output_type=tf.int32)
    accuracy = float(tf.reduce_mean(tf.cast(predictions == y_test, tf.float32)))
    print(f"Trained {epochs} epochs in {elapsed:.1f} s "
          f"({epochs * len(x_train) / elapsed:,.0f} samples/s, eager)")
    print(f"Test accuracy: {accuracy:.1%} on {len(x_test)} held-out digits")
    return accuracy


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=0.5)
    parser.add_argument("--hidden", type=int, default=64)
    args = parser.parse_args(argv)
    train(args.epochs, args.batch_size, args.learning_rate, args.hidden)


if __name__ == "__main__":
    main()
