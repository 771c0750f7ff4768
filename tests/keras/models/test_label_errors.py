"""Bad labels give a plain error that names the user's line, not the compiled graph."""

import traceback

import numpy as np
import pytest

from fluxion import keras
from fluxion.core.errors import InvalidArgumentError


def _classifier():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _x():
    return np.random.default_rng(0).random((8, 3)).astype("float32")


def test_string_labels_are_refused_before_training_with_a_way_out():
    model = _classifier()
    with pytest.raises(TypeError, match="strings .e.g. '(cat|dog)'.*StringLookup") as caught:
        model.fit(_x(), np.array(["cat", "dog"] * 4), verbose=0)
    assert __file__ in str(caught.value)
    with pytest.raises(TypeError, match=r"given to evaluate\(\)"):
        model.evaluate(_x(), np.array(["cat", "dog"] * 4), verbose=0)


@pytest.mark.parametrize("bad", [7, -1])
def test_out_of_range_label_names_the_users_line_and_hides_the_graph(bad):
    model = _classifier()
    with pytest.raises(InvalidArgumentError, match=f"label value of {bad}") as caught:
        model.fit(_x(), np.array([0, 1, 2, bad] * 2), verbose=0)
    message = str(caught.value)
    assert __file__ in message and "<fluxion graph" not in message
    frames = traceback.extract_tb(caught.value.__traceback__)
    assert not any(frame.filename.startswith("<fluxion graph") for frame in frames)


def test_out_of_range_label_in_evaluate_and_eagerly():
    model = _classifier()
    with pytest.raises(InvalidArgumentError, match=__file__):
        model.evaluate(_x(), np.array([0, 1, 2, 9] * 2), verbose=0)
    model.compile("adam", "sparse_categorical_crossentropy", run_eagerly=True)
    with pytest.raises(InvalidArgumentError, match=__file__):
        model.fit(_x(), np.array([0, 1, 2, 9] * 2), verbose=0)


def test_custom_train_step_may_take_string_labels():
    class Lookup(keras.Model):
        def train_step(self, data):
            return {"seen": keras.ops.cast(keras.ops.shape(data[1])[0], "float32")}

    inputs = keras.Input((3,))
    model = Lookup(inputs, keras.layers.Dense(1)(inputs))
    model.compile("adam", "mse")
    history = model.fit(_x(), np.array(["a", "b"] * 4), batch_size=8, verbose=0)
    assert history.history["seen"] == [8.0]


def test_an_error_while_tracing_keeps_the_frames_of_the_users_code():
    class Broken(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(2)

        def call(self, x, training=False):
            y = self.dense(x)
            if training:  # broken only in the traced training step
                y = y + keras.ops.ones((3, 5))  # shapes cannot broadcast
            return y

    model = Broken()
    model.compile("adam", "mse")
    with pytest.raises(ValueError) as caught:
        model.fit(np.ones((4, 3), "float32"), np.ones((4, 2), "float32"), verbose=0)
    frames = traceback.extract_tb(caught.value.__traceback__)
    assert any(frame.name == "call" and frame.filename == __file__ for frame in frames)


def _two_outputs():
    inputs = keras.Input((3,))
    hidden = keras.layers.Dense(4, activation="relu")(inputs)
    outputs = [keras.layers.Dense(2, activation="softmax", name="out_a")(hidden),
               keras.layers.Dense(2, activation="softmax", name="out_b")(hidden)]
    model = keras.Model(inputs, outputs)
    model.compile("adam", "categorical_crossentropy",
                  metrics=["categorical_crossentropy", "categorical_crossentropy"])
    return model


def test_one_target_for_two_outputs_is_an_error_naming_both():
    # zipping outputs with targets used to drop the second output's loss silently
    y = np.eye(2, dtype="float32")[np.arange(8) % 2]
    model = _two_outputs()
    for run in (model.fit, model.evaluate):
        with pytest.raises(ValueError, match=r"2 outputs \(out_a, out_b\) but the targets "
                                             r"`y` hold 1 target array") as caught:
            run(_x(), y, verbose=0)
        assert __file__ in "".join(traceback.format_tb(caught.value.__traceback__))
    with pytest.raises(ValueError, match=r"keys \['out_c'\] that are not output names"):
        model.evaluate(_x(), {"out_a": y, "out_c": y}, verbose=0)


def test_targets_by_list_and_by_name_give_one_loss_per_output():
    y_a = np.eye(2, dtype="float32")[np.arange(8) % 2]
    y_b = y_a[::-1].copy()
    model = _two_outputs()
    by_list = model.evaluate(_x(), [y_a, y_b], verbose=0, return_dict=True)
    by_name = model.evaluate(_x(), {"out_b": y_b, "out_a": y_a}, verbose=0, return_dict=True)
    assert by_list == pytest.approx(by_name)
    assert by_list["loss"] == pytest.approx(by_list["out_a_categorical_crossentropy"]
                                            + by_list["out_b_categorical_crossentropy"],
                                            rel=1e-5)
