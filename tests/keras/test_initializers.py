"""keras.initializers: statistics, seeds, fans, configs and names as in Keras 3."""

import math

import numpy as np
import pytest

import fluxion as tf
from fluxion.keras import initializers
from fluxion.keras import random as keras_random

SHAPE = (200, 300)


def _values(init, shape=SHAPE, dtype=None):
    out = init(shape, dtype=dtype)
    assert isinstance(out, tf.Tensor)
    return out.numpy()


def test_constant_initializers():
    np.testing.assert_array_equal(_values(initializers.Zeros(), (2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(_values(initializers.Ones(), (2,)), [1, 1])
    np.testing.assert_array_equal(_values(initializers.Constant(3), (2,)), [3, 3])
    np.testing.assert_array_equal(_values(initializers.Identity(2.0), (2, 3)),
                                  2 * np.eye(2, 3))
    assert initializers.Zeros()((2,), dtype="int32").dtype == tf.int32
    assert initializers.Ones()((2,), dtype=tf.float64).dtype == tf.float64
    with pytest.raises(ValueError, match="2D matrices"):
        initializers.Identity()((2, 2, 2))


def test_random_distribution_statistics():
    normal = _values(initializers.RandomNormal(mean=1.0, stddev=0.5, seed=1))
    assert abs(normal.mean() - 1.0) < 0.01 and abs(normal.std() - 0.5) < 0.01
    uniform = _values(initializers.RandomUniform(-0.2, 0.3, seed=1))
    assert uniform.min() >= -0.2 and uniform.max() < 0.3
    assert abs(uniform.mean() - 0.05) < 0.005
    truncated = _values(initializers.TruncatedNormal(stddev=0.1, seed=1))
    assert np.abs(truncated).max() <= 0.2 + 1e-6


@pytest.mark.parametrize("name,scale,mode,distribution", [
    ("glorot_uniform", 1.0, "fan_avg", "uniform"),
    ("glorot_normal", 1.0, "fan_avg", "normal"),
    ("he_uniform", 2.0, "fan_in", "uniform"),
    ("he_normal", 2.0, "fan_in", "normal"),
    ("lecun_uniform", 1.0, "fan_in", "uniform"),
    ("lecun_normal", 1.0, "fan_in", "normal"),
])
def test_variance_scaling_presets(name, scale, mode, distribution):
    shape = (3, 3, 20, 30)  # a conv kernel: fans count the 3x3 receptive field
    fan_in, fan_out = 9 * 20, 9 * 30
    fan = {"fan_in": fan_in, "fan_avg": (fan_in + fan_out) / 2}[mode]
    values = _values(initializers.get(name), shape)
    assert values.shape == shape and values.dtype == np.float32
    assert abs(values.std() - math.sqrt(scale / fan)) < 0.05 * math.sqrt(scale / fan)
    if distribution == "uniform":
        assert np.abs(values).max() <= math.sqrt(3 * scale / fan) + 1e-6
    else:  # truncated at two (corrected) standard deviations
        assert np.abs(values).max() <= 2 * math.sqrt(scale / fan) / 0.8796256610342398 + 1e-6


def test_variance_scaling_modes_and_untruncated():
    init = initializers.VarianceScaling(scale=4.0, mode="fan_out",
                                        distribution="untruncated_normal", seed=3)
    values = _values(init, (100, 400))
    assert abs(values.std() - math.sqrt(4.0 / 400)) < 0.003
    assert initializers.VarianceScaling(distribution="normal").distribution == "truncated_normal"
    with pytest.raises(ValueError, match="mode"):
        initializers.VarianceScaling(mode="fan")
    with pytest.raises(ValueError, match="scale"):
        initializers.VarianceScaling(scale=0.0)
    with pytest.raises(ValueError, match="distribution"):
        initializers.VarianceScaling(distribution="cauchy")


def test_compute_fans():
    assert initializers.compute_fans(()) == (1, 1)
    assert initializers.compute_fans((5,)) == (5, 5)
    assert initializers.compute_fans((4, 6)) == (4, 6)
    assert initializers.compute_fans((3, 3, 4, 6)) == (36, 54)
    assert initializers.compute_fans((2, 3, 4), input_axes=(0, 1), output_axes=(2,)) == (6, 4)


def test_orthogonal():
    for shape in [(6, 4), (4, 6), (2, 3, 5)]:
        values = _values(initializers.Orthogonal(gain=2.0, seed=1), shape)
        flat = values.reshape(-1, shape[-1])
        gram = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
        np.testing.assert_allclose(gram, 4 * np.eye(len(gram)), atol=1e-5)
    with pytest.raises(ValueError, match="two-dimensional"):
        initializers.Orthogonal()((3,))


def test_seed_semantics():
    seeded = initializers.GlorotUniform(seed=42)
    np.testing.assert_array_equal(_values(seeded, (3, 4)), _values(seeded, (3, 4)))
    np.testing.assert_array_equal(_values(initializers.GlorotUniform(seed=42), (3, 4)),
                                  _values(seeded, (3, 4)))
    assert not np.array_equal(_values(initializers.GlorotUniform(seed=43), (3, 4)),
                              _values(seeded, (3, 4)))
    generator = keras_random.SeedGenerator(7)
    with_generator = initializers.RandomNormal(seed=generator)
    assert not np.array_equal(_values(with_generator, (3,)), _values(with_generator, (3,)))
    keras_random.set_global_seed(5)
    first = [_values(initializers.HeNormal(), (3, 3)) for _ in range(2)]
    keras_random.set_global_seed(5)
    second = [_values(initializers.HeNormal(), (3, 3)) for _ in range(2)]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], first[1])
    with pytest.raises(ValueError, match="seed"):
        initializers.RandomNormal(seed="x")


def test_configs_match_keras():
    assert initializers.serialize(initializers.GlorotUniform()) == {
        "module": "keras.initializers", "class_name": "GlorotUniform",
        "config": {"seed": None, "input_axes": None, "output_axes": None},
        "registered_name": None}
    assert initializers.VarianceScaling(seed=3).get_config() == {
        "seed": 3, "scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal",
        "input_axes": None, "output_axes": None}
    assert initializers.Constant(2).get_config() == {"value": 2}
    assert initializers.RandomUniform().get_config() == {"seed": None, "minval": -0.05,
                                                         "maxval": 0.05}
    for cls in [initializers.RandomNormal, initializers.HeUniform, initializers.Orthogonal,
                initializers.Identity, initializers.Constant, initializers.TruncatedNormal]:
        init = cls()
        clone = initializers.deserialize(initializers.serialize(init))
        assert type(clone) is cls and clone.get_config() == init.get_config()


def test_get_names_and_aliases():
    for name, cls in [("glorot_uniform", "GlorotUniform"), ("he_normal", "HeNormal"),
                      ("zeros", "Zeros"), ("ones", "Ones"), ("orthogonal", "Orthogonal"),
                      ("random_normal", "RandomNormal"), ("normal", "RandomNormal"),
                      ("uniform", "RandomUniform"), ("zero", "Zeros"), ("one", "Ones"),
                      ("Identity", "Identity"), ("IdentityInitializer", "Identity"),
                      ("variance_scaling", "VarianceScaling"), ("lecun_normal", "LecunNormal")]:
        assert type(initializers.get(name)).__name__ == cls
    assert initializers.get(None) is None
    assert type(initializers.get(initializers.Zeros)).__name__ == "Zeros"
    init = initializers.get(np.array([[1.0, 2.0]]))
    np.testing.assert_array_equal(init((1, 2)).numpy(), [[1, 2]])
    with pytest.raises(ValueError, match="Expected `shape`"):
        init((2, 1))
    with pytest.raises((ValueError, TypeError)):
        initializers.get("not_an_initializer")
    assert initializers.glorot_uniform is initializers.GlorotUniform


def test_keras_random_module():
    a = keras_random.normal((3,), seed=1).numpy()
    np.testing.assert_array_equal(a, keras_random.normal((3,), seed=1).numpy())
    ints = keras_random.randint((50,), 2, 5, seed=1).numpy()
    assert ints.dtype == np.int32 and ints.min() >= 2 and ints.max() < 5
    x = np.arange(12).reshape(3, 4)
    shuffled = keras_random.shuffle(x, axis=1, seed=2).numpy()
    np.testing.assert_array_equal(np.sort(shuffled, axis=1), x)
    assert keras_random.categorical(np.zeros((2, 3), np.float32), 4, seed=1).shape == (2, 4)
    dropped = keras_random.dropout(np.ones(100, np.float32), 0.5, seed=1).numpy()
    assert set(np.unique(dropped)) <= {0.0, 2.0}
    betas = keras_random.beta((100,), 2.0, 3.0, seed=1).numpy()
    assert ((betas > 0) & (betas < 1)).all()
    assert keras_random.gamma((4,), 2.0, seed=1).shape == (4,)
    assert keras_random.binomial((4,), 5.0, 0.5, seed=1).shape == (4,)
    with pytest.raises(ValueError, match="floating"):
        keras_random.uniform((2,), dtype="int32")
    generator = keras_random.SeedGenerator(3)
    assert generator.get_config()["seed"] == 3


def test_seed_generator_advances_inside_function():
    generator = keras_random.SeedGenerator(11)

    @tf.function
    def draw():
        return keras_random.uniform((2,), seed=generator)

    first, second = draw().numpy(), draw().numpy()
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(generator.state.numpy(), [11, 2])
