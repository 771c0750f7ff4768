"""Fluxion twins of the custom classes in ``fixtures/make_keras3_models.py``.

They are registered under the same names (``FluxionFixtures>Block``...), so the
subclassed fixture saved by Keras 3 resolves to them, and files Fluxion writes resolve
to the Keras classes.
"""

from fluxion import keras
from fluxion.keras import layers


@keras.saving.register_keras_serializable(package="FluxionFixtures")
class Block(layers.Layer):
    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.inner = layers.Dense(units, activation="tanh")
        self.parts = [layers.Dense(units), layers.Dense(units, activation="relu")]

    def build(self, input_shape):
        self.inner.build(input_shape)
        self.parts[0].build(tuple(input_shape[:-1]) + (self.units,))
        self.parts[1].build(tuple(input_shape[:-1]) + (self.units,))
        self.offset = self.add_weight(shape=(self.units,), initializer="random_normal",
                                      name="offset")

    def call(self, x):
        return self.parts[1](self.parts[0](self.inner(x))) + self.offset

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="FluxionFixtures")
class TwoTower(keras.Model):
    def __init__(self, hidden=5, **kwargs):
        super().__init__(**kwargs)
        self.hidden = hidden
        self.dense_a = layers.Dense(hidden, activation="relu")
        self.blk = Block(hidden)
        self.seq = keras.Sequential([layers.Dense(hidden), layers.LayerNormalization()])
        self.z_last = layers.Dense(2)

    def call(self, x):
        return self.z_last(self.seq(self.blk(self.dense_a(x))))

    def get_config(self):
        return {**super().get_config(), "hidden": self.hidden}
