"""Layers know their symbolic calls: ``input``/``output``, their shapes, feature extraction."""

import numpy as np
import pytest

from fluxion import keras


def _stack():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="hidden"),
                             keras.layers.Dense(2, name="head")])


def test_sequential_layers_expose_their_symbolic_input_and_output():
    model = _stack()
    hidden, head = model.layers
    assert hidden.input is model.inputs[0]
    assert head.input is hidden.output
    assert head.output is model.outputs[0]
    assert hidden.output.shape == (None, 3)
    assert hidden.input_shape == (None, 4) and hidden.output_shape == (None, 3)
    assert model.input is model.inputs[0] and model.output is model.outputs[0]


def test_feature_extractor_from_a_sequential_model_gives_every_layer_output():
    model = _stack()
    extractor = keras.Model(inputs=model.inputs, outputs=[layer.output for layer in model.layers])
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    features = extractor(x)
    hidden, head = model.layers
    expected_hidden = x @ hidden.kernel.numpy() + hidden.bias.numpy()
    expected_head = expected_hidden @ head.kernel.numpy() + head.bias.numpy()
    np.testing.assert_allclose(features[0].numpy(), expected_hidden, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(features[1].numpy(), expected_head, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(features[1].numpy(), model(x).numpy(), rtol=1e-5, atol=1e-6)


def test_layer_outputs_follow_a_sequential_built_by_add_and_pop():
    model = keras.Sequential()
    model.add(keras.Input((4,)))
    first = keras.layers.Dense(3)
    model.add(first)
    model.add(keras.layers.Dense(5))
    model.add(keras.layers.Dense(2))
    model.pop()
    # Each add re-lays the stack out; the layers keep one node each, the current one.
    assert all(len(layer._inbound_nodes) == 1 for layer in model.layers)
    assert model.layers[1].input is first.output
    extractor = keras.Model(model.inputs, [layer.output for layer in model.layers])
    assert [tuple(o.shape) for o in extractor(np.ones((2, 4), "float32"))] == [(2, 3), (2, 5)]


def test_sequential_built_by_its_first_call_has_inputs_and_layer_outputs():
    model = keras.Sequential([keras.layers.Dense(3), keras.layers.Dense(2)])
    model(np.ones((2, 4), "float32"))
    assert model.inputs[0].shape == (2, 4)  # Keras 3 keeps the batch size of the first call
    extractor = keras.Model(model.inputs, model.layers[0].output)
    assert tuple(extractor(np.ones((2, 4), "float32")).shape) == (2, 3)


def test_functional_layers_and_model_expose_symbolic_tensors():
    inputs = keras.Input((5,))
    hidden = keras.layers.Dense(3, name="a")(inputs)
    outputs = keras.layers.Dense(2, name="b")(hidden)
    model = keras.Model(inputs, outputs)
    input_layer, a, b = model.layers
    assert input_layer.output is inputs and input_layer.input is inputs
    assert a.input is inputs and a.output is hidden and b.output is outputs
    assert model.input is inputs and model.output is outputs
    assert model.input_shape == (None, 5) and model.output_shape == (None, 2)
    assert b.input_shape == (None, 3) and b.output_shape == (None, 2)


def test_a_layer_called_twice_reports_its_first_call_and_each_call_by_index():
    layer = keras.layers.Dense(2)
    first = layer(keras.Input((5,)))
    second = layer(keras.Input((5,)))
    assert layer.output is first
    assert layer.get_output_at(1) is second
    assert layer.get_input_shape_at(1) == (None, 5)
    with pytest.raises(ValueError, match="only 2 inbound node"):
        layer.get_output_at(2)


def test_multi_input_layer_reports_a_list():
    a, b = keras.Input((3,)), keras.Input((3,))
    added = keras.layers.Add()
    added([a, b])
    assert added.input == [a, b]
    assert added.input_shape == [(None, 3), (None, 3)]


def test_unused_layer_has_no_output_and_says_so():
    with pytest.raises(AttributeError, match="never been called"):
        _ = keras.layers.Dense(2).output


def test_subclassed_layer_may_assign_its_own_output_attribute():
    class Holder(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.output = "kept"

        def call(self, x):
            return x

    assert Holder().output == "kept"


def test_model_called_on_a_python_list_of_numbers():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    out = model([[1.0, 2.0]])
    expected = np.array([[1.0, 2.0]], "float32") @ model.layers[0].kernel.numpy()
    np.testing.assert_allclose(out.numpy(), expected + model.layers[0].bias.numpy(), rtol=1e-6)
