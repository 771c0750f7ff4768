"""``Model.summary()`` prints what Keras 3.15 prints (fixtures recorded from real Keras 3)."""

import json
import os

import numpy as np
import pytest

from fluxion import keras

FIXTURES = json.load(open(os.path.join(os.path.dirname(__file__), "fixtures",
                                       "keras_summaries.json"), encoding="utf-8"))


@pytest.fixture(autouse=True)
def terminal_of_80_columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")  # Keras caps the width at the terminal's, less 4


def _printed(model, **kwargs) -> str:
    lines = []
    model.summary(print_fn=lines.append, **kwargs)
    return "\n".join(lines)


def _chain():
    inputs = keras.Input((4,), name="inp")
    hidden = keras.layers.Dense(3, name="a")(inputs)
    return keras.Model(inputs, keras.layers.Dense(2, name="b")(hidden), name="chain")


def _branch():
    inputs = keras.Input((4,), name="inp2")
    left = keras.layers.Dense(3, name="left")(inputs)
    right = keras.layers.Dense(3, name="right")(inputs)
    added = keras.layers.Add(name="add")([left, right])
    inner = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="inner_d")],
                             name="inner")
    model = keras.Model(inputs, inner(added), name="branch")
    model.get_layer("left").trainable = False
    return model


def test_sequential_table():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="d1"),
                              keras.layers.Dense(2, name="d2")], name="seq")
    assert _printed(model) == FIXTURES["sequential_stack"]


def test_sequential_like_functional_model_has_no_connected_to_column():
    assert _printed(_chain()) == FIXTURES["chain_functional"]


def test_optimizer_params_appear_once_the_optimizer_is_built_and_count_in_the_total():
    model = _chain()
    model.compile("adam", "mse")
    assert _printed(model) == FIXTURES["chain_compiled"]  # not built yet: no line
    model.fit(np.ones((4, 4)), np.ones((4, 2)), verbose=0)
    assert _printed(model) == FIXTURES["chain_after_fit"]


def test_expand_nested_and_show_trainable():
    printed = _printed(_branch(), expand_nested=True, show_trainable=True)
    assert printed == FIXTURES["branch_nested_trainable"]


def test_line_length():
    assert _printed(_branch(), line_length=60) == FIXTURES["branch_line_60"]


def test_layer_range_selects_rows_by_name():
    printed = _printed(_branch(), layer_range=["left", "add"])
    assert "left (Dense)" in printed and "add (Add)" in printed
    assert "(InputLayer)" not in printed and "(Sequential)" not in printed
    with pytest.raises(ValueError, match="does not match any layer"):
        _printed(_branch(), layer_range=["nothing", "add"])


def test_subclassed_model_shows_unbuilt_layers_then_their_shapes():
    class Two(keras.Model):
        def __init__(self):
            super().__init__()
            self.first = keras.layers.Dense(3)
            self.second = keras.layers.Dense(2)

        def call(self, x):
            return self.second(self.first(x))

    model = Two()
    assert _printed(model).count("0 (unbuilt)") == 2
    model(np.ones((2, 4), "float32"))
    printed = _printed(model)
    assert "(2, 3)" in printed and "(2, 2)" in printed and "unbuilt" not in printed


def test_too_narrow_a_line_is_a_clear_error():
    with pytest.raises(ValueError, match="narrower than 4"):
        _printed(_chain(), line_length=8)
