"""Layer building: a subclass's ``build`` called directly marks the layer built."""

import numpy as np

from fluxion import keras


class TwoArgumentBuild(keras.layers.Layer):
    """A layer whose build takes an extra argument, so it cannot be rebuilt implicitly."""

    def __init__(self, units):
        super().__init__()
        self.units = units

    def build(self, input_shape, initializer):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer=initializer)

    def call(self, x):
        return keras.ops.matmul(x, self.w)


def test_direct_build_marks_built_and_is_not_repeated():
    layer = TwoArgumentBuild(4)
    layer.build((None, 3), "ones")
    assert layer.built
    model = keras.Sequential([layer, keras.layers.Dense(1, kernel_initializer="ones")])
    out = model(np.ones((2, 3), dtype="float32"))
    np.testing.assert_allclose(np.asarray(out), np.full((2, 1), 12.0))
    assert layer.get_build_config() == {"input_shape": [None, 3]}


def test_super_build_chain_marks_built_once_finished():
    class Base(keras.layers.Layer):
        def build(self, input_shape):
            self.seen = tuple(input_shape)

    class Child(Base):
        def build(self, input_shape):
            super().build(input_shape)
            self.extra = True

        def call(self, x):
            return x

    layer = Child()
    layer.build((2, 5))
    assert layer.built and layer.seen == (2, 5) and layer.extra


def test_reload_uses_a_custom_build_from_config(tmp_path):
    @keras.saving.register_keras_serializable(package="test_layer_build")
    class InitializerInBuildConfig(TwoArgumentBuild):
        def get_config(self):
            return {"units": self.units}

        def build(self, input_shape, initializer):
            super().build(input_shape, initializer)
            self.initializer_name = initializer

        def get_build_config(self):
            return {"input_shape": list(self._build_shapes), "initializer": "ones"}

        def build_from_config(self, config):
            self.build(config["input_shape"], config["initializer"])

    layer = InitializerInBuildConfig(2)
    layer.build((None, 3), "ones")
    model = keras.Sequential([layer, keras.layers.Dense(1)])
    model(np.ones((1, 3), dtype="float32"))
    path = str(tmp_path / "m.keras")
    model.save(path)
    restored = keras.models.load_model(path)
    assert restored.layers[0].initializer_name == "ones"
    np.testing.assert_allclose(np.asarray(restored(np.ones((1, 3), "float32"))),
                               np.asarray(model(np.ones((1, 3), "float32"))), rtol=1e-6)


def test_sublayers_assigned_before_super_init_are_tracked():
    class Experts(keras.layers.Layer):
        def __init__(self):
            self.experts = [keras.layers.Dense(2), keras.layers.Dense(3)]
            super().__init__()

        def call(self, x):
            return self.experts[1](self.experts[0](x))

    layer = Experts()
    assert tuple(layer(np.ones((1, 4), "float32")).shape) == (1, 3)
    assert len(layer.trainable_weights) == 4


def test_first_call_argument_by_keyword_and_dict_inputs_to_a_subclassed_model():
    class Endpoint(keras.layers.Layer):
        def call(self, logits, targets=None):
            if targets is not None:
                self.add_loss(keras.ops.mean(keras.ops.square(targets - logits)))
            return keras.ops.sigmoid(logits)

    class WithEndpoint(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(1)
            self.endpoint = Endpoint()

        def call(self, inputs):
            return self.endpoint(logits=self.dense(inputs["x"]), targets=inputs["y"])

    model = WithEndpoint()
    data = {"x": np.random.random((16, 5)).astype("float32"),
            "y": np.random.random((16, 1)).astype("float32")}
    assert tuple(model(data).shape) == (16, 1)  # built from a dict of shapes
    model.compile(keras.optimizers.Adam(1e-3))
    history = model.fit(data, epochs=1, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"][0])
