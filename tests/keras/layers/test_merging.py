"""Merging layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.keras import layers
from fluxion.keras.engine.tensor_annotations import set_keras_mask
from fluxion.keras.testing.layer_check import run_layer_test

rng = np.random.default_rng(4)


def data(*shape):
    return rng.standard_normal(shape).astype("float32")


A, B, C = data(2, 3), data(2, 3), data(2, 3)


@pytest.mark.parametrize("cls, inputs, expected", [
    (layers.Add, [A, B, C], A + B + C),
    (layers.Subtract, [A, B], A - B),
    (layers.Multiply, [A, B], A * B),
    (layers.Average, [A, B, C], (A + B + C) / 3),
    (layers.Maximum, [A, B], np.maximum(A, B)),
    (layers.Minimum, [A, B], np.minimum(A, B)),
    (layers.Concatenate, [A, B], np.concatenate([A, B], -1)),
])
def test_merge_values(cls, inputs, expected):
    run_layer_test(cls, {}, input_data=inputs, expected_output=expected)


def test_broadcasting_and_rank_expansion():
    x, y = data(2, 3, 4), data(2, 4)
    run_layer_test(layers.Add, {}, input_data=[x, y], expected_output=x + y[:, None, :])
    run_layer_test(layers.Multiply, {}, input_shape=[(2, 3, 1), (2, 1, 4)],
                   expected_output_shape=(2, 3, 4))
    assert layers.Add().compute_output_shape([(None, 3, 1), (None, 4)]) == (None, 3, 4)


def test_merge_shape_errors():
    with pytest.raises(ValueError, match="Inputs have incompatible shapes"):
        layers.Add()([np.ones((2, 3), "float32"), np.ones((2, 4), "float32")])
    with pytest.raises(ValueError, match="Cannot merge tensors with different batch sizes"):
        layers.Add()([np.ones((2, 3), "float32"), np.ones((3, 3), "float32")])
    with pytest.raises(ValueError, match="should be called on a list of inputs"):
        layers.Add()(np.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        layers.Subtract()([A, B, C])


def test_concatenate():
    x, y = data(2, 3, 2), data(2, 1, 2)
    run_layer_test(layers.Concatenate, {"axis": 1}, input_data=[x, y],
                   expected_output=np.concatenate([x, y], 1))
    assert layers.Concatenate(axis=1).compute_output_shape([(None, 3, 2), (None, None, 2)]) == \
        (None, None, 2)
    with pytest.raises(ValueError, match="requires inputs with matching shapes except for the "
                                         "concatenation axis"):
        layers.Concatenate(axis=1)([x, data(2, 1, 3)])
    assert layers.Concatenate(axis=2).get_config()["axis"] == 2


def _keras_batch_dot(x, y, axes):
    """NumPy reference: contract axes per example, x's axes first then y's non-batch axes."""
    out = np.stack([np.tensordot(x[i], y[i], axes=(axes[0] - 1, axes[1] - 1))
                    for i in range(x.shape[0])])
    return out[:, None] if out.ndim == 1 else out


@pytest.mark.parametrize("axes, shapes", [
    (1, [(2, 3), (2, 3)]),
    (-1, [(2, 4, 3), (2, 5, 3)]),
    ((1, 2), [(2, 3, 4), (2, 5, 3)]),
    ((2, 1), [(2, 3, 4), (2, 4, 2)]),
])
def test_dot(axes, shapes):
    x, y = data(*shapes[0]), data(*shapes[1])
    pair = [axes, axes] if isinstance(axes, int) else list(axes)
    pair = [a % len(s) for a, s in zip(pair, shapes)]
    run_layer_test(layers.Dot, {"axes": axes}, input_data=[x, y],
                   expected_output=_keras_batch_dot(x, y, pair), rtol=1e-5, atol=1e-5)


def test_dot_normalize_is_cosine_similarity():
    out = layers.Dot(axes=1, normalize=True)([A, B]).numpy()
    cosine = (A * B).sum(1) / np.linalg.norm(A, axis=1) / np.linalg.norm(B, axis=1)
    np.testing.assert_allclose(out[:, 0], cosine, rtol=1e-5)


def test_dot_errors():
    with pytest.raises(TypeError, match="should be a list or an int"):
        layers.Dot(axes="1")
    with pytest.raises(ValueError, match="should contain two elements"):
        layers.Dot(axes=(1, 2, 3))
    with pytest.raises(ValueError, match="Incompatible input shapes: axis values 3"):
        layers.Dot(axes=1)([A, data(2, 4)])
    with pytest.raises(ValueError, match="list of 2 inputs"):
        layers.Dot(axes=1)([A, B, C])


def test_functional_forms():
    x, y = layers.Input((3,)), layers.Input((3,))
    assert layers.add([x, y]).shape == (None, 3)
    assert layers.concatenate([x, y]).shape == (None, 6)
    assert layers.dot([x, y], axes=1).shape == (None, 1)
    np.testing.assert_allclose(layers.maximum([A, B]).numpy(), np.maximum(A, B))
    np.testing.assert_allclose(layers.subtract([A, B]).numpy(), A - B)
    np.testing.assert_allclose(layers.multiply([A, B]).numpy(), A * B)
    np.testing.assert_allclose(layers.average([A, B]).numpy(), (A + B) / 2)
    np.testing.assert_allclose(layers.minimum([A, B]).numpy(), np.minimum(A, B))


def _masked(x, mask):
    t = tf.constant(x)
    set_keras_mask(t, tf.constant(mask))
    return t


def test_mask_merging():
    x, y = data(2, 3, 2), data(2, 3, 2)
    mx = np.array([[True, False, True], [True, True, False]])
    my = np.array([[False, False, True], [True, True, True]])
    out = layers.Add()([_masked(x, mx), _masked(y, my)])
    np.testing.assert_array_equal(out._keras_mask.numpy(), mx | my)
    # one unmasked input: no output mask
    assert getattr(layers.Add()([_masked(x, mx), tf.constant(y)]), "_keras_mask", None) is None
    # Multiply: masked entries count as 1, fully masked positions give 0
    out = layers.Multiply()([_masked(x, mx), _masked(y, my)])
    expected = np.where(mx[..., None], x, 1) * np.where(my[..., None], y, 1)
    expected = np.where((mx | my)[..., None], expected, 0)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)
    # Maximum: a masked entry takes the other input's value (the first's if both are masked)
    out = layers.Maximum()([_masked(x, mx), _masked(y, my)])
    other = np.where(my[..., None], y, x)
    expected = np.maximum(np.where(mx[..., None], x, other), other)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)
    np.testing.assert_array_equal(out._keras_mask.numpy(), mx | my)
    # Concatenate along features: a step is kept if any input keeps it
    out = layers.Concatenate()([_masked(x, mx), tf.constant(y)])
    np.testing.assert_array_equal(out._keras_mask.numpy(), np.ones((2, 3), bool))
    out = layers.Concatenate(axis=1)([_masked(x, mx), _masked(y, my)])
    np.testing.assert_array_equal(out._keras_mask.numpy(), np.concatenate([mx, my], 1))
    assert getattr(layers.Dot(axes=2)([_masked(x, mx), _masked(y, my)]), "_keras_mask",
                   None) is None
