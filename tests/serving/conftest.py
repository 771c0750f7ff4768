"""Saved models the server tests serve, exported with Fluxion's real exporters."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")


def export_mlp(path, seed: int = 0):
    """A Keras MLP (4 -> 8 relu -> 3) exported with ``model.export``; the model."""
    from fluxion import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((4,), name="x"),
                              keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(3)])
    model.export(str(path))
    return model


def save_two_headed(path):
    """A module whose default signature takes inputs ``a`` [n, 2] and ``b`` [n] (int32)
    and answers ``total`` [n] and ``scaled`` [n, 2]."""
    import fluxion as tf

    class TwoHeaded(tf.Module):
        def __init__(self):
            super().__init__()
            self.scale = tf.Variable([2.0, -1.0])

        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32, name="a"),
                                      tf.TensorSpec([None], tf.int32, name="b")])
        def serve(self, a, b):
            scaled = a * self.scale
            return {"total": tf.reduce_sum(scaled, axis=1) + tf.cast(b, tf.float32),
                    "scaled": scaled}

    module = TwoHeaded()
    tf.saved_model.save(module, str(path), signatures={"serving_default": module.serve})
    return lambda a, b: (np.sum(a * np.array([2.0, -1.0], np.float32), axis=1) + b,
                         a * np.array([2.0, -1.0], np.float32))


def save_example_model(path, seed: int = 1):
    """A model reading ``tf.train.Example`` records (feature ``x``: 4 floats), with a
    classify signature (``scores``) and a regress signature (``outputs``); the Keras model
    they wrap."""
    import fluxion as tf
    from fluxion import keras
    from fluxion.saved_model import CLASSIFY_METHOD_NAME, REGRESS_METHOD_NAME, Signature

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    features = {"x": tf.io.FixedLenFeature([4], tf.float32)}

    class Examples(tf.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="inputs")])
        def classify(self, inputs):
            return {"scores": self.model(tf.io.parse_example(inputs, features)["x"])}

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="inputs")])
        def regress(self, inputs):
            x = tf.io.parse_example(inputs, features)["x"]
            return {"outputs": tf.reduce_sum(self.model(x) * [0.0, 1.0, 2.0], axis=1)}

    module = Examples()
    tf.saved_model.save(module, str(path), signatures={
        "serving_default": Signature(module.classify, CLASSIFY_METHOD_NAME),
        "regress": Signature(module.regress, REGRESS_METHOD_NAME)})
    return model


def serialized_example(values) -> bytes:
    from fluxion.io.example_proto import Example, Feature, Features, FloatList

    return Example(features=Features(feature={
        "x": Feature(float_list=FloatList(value=list(values)))})).SerializeToString()


def save_slow_model(path, steps: int = 200_000):
    """A model that loops ``steps`` times (a ``while_loop``) before answering ``x + 1``:
    a request that stays in flight for a while."""
    import fluxion as tf

    class Slow(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32, name="x")])
        def serve(self, x):
            (count,) = tf.while_loop(lambda i: i < steps, lambda i: (i + 1,), (tf.constant(0),))
            return {"y": x + tf.cast(count // steps, tf.float32)}

    module = Slow()
    tf.saved_model.save(module, str(path), signatures={"serving_default": module.serve})
