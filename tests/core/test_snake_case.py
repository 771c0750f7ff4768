"""Class names to snake case: Keras 3's rule and tf.Module's (values recorded from Keras
3.x and TensorFlow 2.21)."""

import pytest

import fluxion as tf
from fluxion.core.module import _snake_case as module_snake_case
from fluxion.core.snake_case import to_snake_case

# name, keras.src.utils.naming.to_snake_case(name), tf.Module subclass `name`.name
CASES = [
    ("BatchNormalization", "batch_normalization", "batch_normalization"),
    ("HTTPServer", "http_server", "http_server"),
    ("Conv2D", "conv2d", "conv2_d"),
    ("_Private", "__private", "__private"),
    ("My2DLayer", "my2d_layer", "my2_d_layer"),
    ("LSTMCell", "lstm_cell", "lstm_cell"),
    ("PReLU", "p_re_lu", "p_re_lu"),
    ("Conv2DTranspose", "conv2d_transpose", "conv2_d_transpose"),
    ("MyLayer_v2", "my_layer_v2", "my_layer_v2"),
    ("UpSampling2D", "up_sampling2d", "up_sampling2_d"),
]


@pytest.mark.parametrize("name,keras_name,module_name", CASES)
def test_keras_and_module_rules(name, keras_name, module_name):
    assert to_snake_case(name) == keras_name
    assert module_snake_case(name) == module_name
    if not name.startswith("_"):  # a scope name cannot start with "_"
        assert type(name, (tf.Module,), {})().name == module_name


def test_keras_layer_names_use_the_keras_rule():
    from fluxion import keras

    private = type("_Private", (keras.layers.Layer,), {})
    assert private().name.startswith("__private")
