"""A subclass of ``keras.Model`` built with the functional constructor ``Cls(inputs, outputs)``."""

import numpy as np

from fluxion import keras


class CountingModel(keras.Model):
    """Overrides ``train_step`` and hands the work to ``super().train_step``."""

    def train_step(self, data):
        self.traced_steps = getattr(self, "traced_steps", 0) + 1
        return super().train_step(data)


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]], "float32") + 0.3).astype("float32")
    return x, y


def _linear(cls):
    inputs = keras.Input((3,))
    return cls(inputs, keras.layers.Dense(1)(inputs))


def test_subclass_with_functional_constructor_trains_through_super_train_step():
    keras.utils.set_random_seed(0)
    model = _linear(CountingModel)
    assert isinstance(model, CountingModel) and type(model).__name__ == "CountingModel"
    model.compile(keras.optimizers.SGD(0.1), "mse", metrics=["mae"])
    x, y = _data()
    history = model.fit(x, y, epochs=30, batch_size=16, verbose=0).history
    assert model.traced_steps >= 1  # the override ran (at trace time)
    assert history["loss"][-1] < 1e-3 < history["loss"][0]
    assert set(history) == {"loss", "mae"}
    np.testing.assert_allclose(model.layers[1].kernel.numpy().ravel(), [1.0, -2.0, 0.5],
                               atol=0.02)


def test_subclass_keeps_its_functional_structure():
    model = _linear(CountingModel)
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer", "Dense"]
    assert model.input_shape == (None, 3) and model.output_shape == (None, 1)
    assert tuple(model(np.ones((2, 3), "float32")).shape) == (2, 1)


def test_subclass_with_own_init_passing_keywords():
    class Named(keras.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.extra = 3

    inputs = keras.Input((3,))
    model = Named(inputs=inputs, outputs=keras.layers.Dense(2)(inputs), name="named")
    assert model.extra == 3 and model.name == "named" and isinstance(model, Named)
    assert tuple(model.predict(np.ones((4, 3), "float32"), verbose=0).shape) == (4, 2)


def test_subclass_config_round_trip_rebuilds_the_subclass():
    model = _linear(CountingModel)
    clone = CountingModel.from_config(model.get_config())
    assert isinstance(clone, CountingModel)
    clone.set_weights(model.get_weights())
    x = np.ones((2, 3), "float32")
    np.testing.assert_allclose(clone(x).numpy(), model(x).numpy())


def test_subclassed_model_with_two_positional_arguments_of_its_own():
    class TwoArgs(keras.Model):
        def __init__(self, units, scale):
            super().__init__()
            self.dense = keras.layers.Dense(units)
            self.scale = scale

        def call(self, x):
            return self.dense(x) * self.scale

    model = TwoArgs(4, 2.0)
    assert tuple(model(np.ones((1, 3), "float32")).shape) == (1, 4)
