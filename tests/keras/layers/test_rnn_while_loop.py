"""The generic RNN loop traced with an unknown number of time steps: one ``while_loop``.

Each case compares a ``fluxion.function`` whose input signature leaves the time axis
unknown (so the layer runs ``while_loop_rnn``) with the eager, Python-unrolled loop:
outputs, final states and gradients (a ``GradientTape`` inside the traced function).
"""

import numpy as np
import pytest

import fluxion as tf
from fluxion import keras
from fluxion.core import nest
from fluxion.keras import layers
from fluxion.keras.layers.rnn import rnn as rnn_module

SPEC = [tf.TensorSpec([None, None, 3], tf.float32)]


class MinimalCell(layers.Layer):
    """A custom cell with two states: output = x @ W + h @ U, c = c + output."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = [units, units]

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.recurrent = self.add_weight(shape=(self.units, self.units), name="recurrent")

    def call(self, inputs, states):
        output = tf.tanh(tf.matmul(inputs, self.kernel) + tf.matmul(states[0], self.recurrent))
        return output, [output, states[1] + output]


def _sequences(steps, batch=2, seed=0):
    return np.random.default_rng(seed).standard_normal((batch, steps, 3)).astype("float32")


def _loss_and_grads(layer, x, **kwargs):
    with tf.GradientTape() as tape:
        results = layer(x, **kwargs)
        results = nest.flatten(results)
        loss = sum(tf.reduce_sum(r * r) for r in results)
    return results, tape.gradient(loss, layer.trainable_variables)


def _check_traced_equals_eager(layer, steps_list=(4, 6), mask=None, **kwargs):
    """Traced (time unknown) vs eager, for two lengths through ONE trace."""
    if mask is None:
        traced = tf.function(lambda x: _loss_and_grads(layer, x, **kwargs),
                             input_signature=SPEC)
    else:
        traced = tf.function(lambda x, m: _loss_and_grads(layer, x, mask=m, **kwargs),
                             input_signature=SPEC + [tf.TensorSpec([None, None], tf.bool)])
    for steps in steps_list:
        x = _sequences(steps, seed=steps)
        args = (x,) if mask is None else (x, mask(steps))
        extra = {} if mask is None else {"mask": args[1]}
        got, got_grads = traced(*args)
        want, want_grads = _loss_and_grads(layer, x, **extra, **kwargs)
        for a, b in zip(got, want):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)
        for a, b in zip(got_grads, want_grads):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-5)
    assert traced.experimental_get_tracing_count() == 1


@pytest.fixture
def while_calls(monkeypatch):
    """Counts the calls of the while-loop path (to show the traced case takes it)."""
    calls = []
    original = rnn_module.while_loop_rnn

    def spy(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(rnn_module, "while_loop_rnn", spy)
    return calls


@pytest.mark.parametrize("options", [
    {}, {"return_sequences": True}, {"return_state": True},
    {"return_sequences": True, "return_state": True, "go_backwards": True},
    {"go_backwards": True}])
def test_simple_rnn(options, while_calls):
    _check_traced_equals_eager(layers.SimpleRNN(4, **options))
    assert while_calls


@pytest.mark.parametrize("options", [{"return_sequences": True, "return_state": True},
                                     {"go_backwards": True, "return_state": True}])
def test_custom_cell_with_two_states(options):
    _check_traced_equals_eager(layers.RNN(MinimalCell(3), **options))


def _ragged_mask(steps):
    mask = np.ones((2, steps), bool)
    mask[0, steps - 2:] = False  # trailing padding
    mask[1, 1] = False  # a hole
    return mask


@pytest.mark.parametrize("options", [
    {"return_sequences": True, "return_state": True},
    {"return_sequences": True, "zero_output_for_mask": True},
    {"return_sequences": True, "return_state": True, "go_backwards": True}])
def test_masks(options):
    _check_traced_equals_eager(layers.SimpleRNN(3, **options), mask=_ragged_mask)
    _check_traced_equals_eager(layers.RNN(MinimalCell(2), **options), mask=_ragged_mask)


def test_masked_first_step_outputs_zeros():
    layer = layers.SimpleRNN(2, return_sequences=True)
    traced = tf.function(lambda x, m: layer(x, mask=m),
                         input_signature=SPEC + [tf.TensorSpec([None, None], tf.bool)])
    mask = np.array([[False, True, True]])
    out = traced(_sequences(3, batch=1), mask).numpy()
    np.testing.assert_array_equal(out[0, 0], 0.0)


def test_initial_state_stacked_cells_and_non_default_lstm():
    lstm = layers.LSTM(3, activation="relu", return_sequences=True, return_state=True)
    _check_traced_equals_eager(lstm)
    stacked = layers.RNN([layers.SimpleRNNCell(3), layers.GRUCell(2)], return_state=True)
    _check_traced_equals_eager(stacked)
    layer = layers.SimpleRNN(3, return_sequences=True)
    h0 = np.full((2, 3), 0.5, "float32")
    _check_traced_equals_eager(layer, initial_state=[h0])


def test_bidirectional_unknown_length():
    layer = layers.Bidirectional(layers.SimpleRNN(2, return_sequences=True))
    _check_traced_equals_eager(layer)


def test_dropout_mask_is_fixed_per_sequence():
    """Zero input rows: with only recurrent dropout off and input dropout on, a dropped
    input unit is dropped at every step, so equal inputs give equal pre-activations."""
    cell = layers.SimpleRNNCell(4, dropout=0.5, seed=3)
    layer = layers.RNN(cell, return_sequences=True)
    layer.build((None, None, 3))
    cell.recurrent_kernel.assign(np.zeros((4, 4), "float32"))  # steps independent
    traced = tf.function(lambda x: layer(x, training=True), input_signature=SPEC)
    x = np.ones((2, 5, 3), "float32")  # the same input at every step
    out = traced(x).numpy()
    for t in range(1, 5):
        np.testing.assert_allclose(out[:, t], out[:, 0], rtol=1e-6)
    inference = tf.function(lambda x: layer(x, training=False), input_signature=SPEC)
    assert not np.allclose(inference(x).numpy(), out)


def _model(cell_layer):
    model = keras.Sequential([keras.Input((None, 3)), cell_layer, layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    return model


@pytest.mark.parametrize("make", [lambda: layers.SimpleRNN(4),
                                  lambda: layers.RNN(MinimalCell(4))])
def test_fit_on_two_lengths(make):
    """``fit`` traces its step once per sequence length (the length is part of the
    batch's shape there); the model itself is built on Input((None, 3))."""
    keras.utils.set_random_seed(0)
    model = _model(make())
    losses = []
    for steps in (5, 8):
        x = _sequences(steps, batch=16, seed=steps)
        y = x.sum(axis=(1, 2))[:, None] / steps
        history = model.fit(x, y, batch_size=8, epochs=3, verbose=0)
        losses.append(history.history["loss"])
        np.testing.assert_allclose(model.predict(x, verbose=0), model(x).numpy(),
                                   rtol=1e-5, atol=1e-6)
    assert model._train_function.experimental_get_tracing_count() == 2
    assert all(np.isfinite(losses).ravel())


@pytest.mark.parametrize("make", [lambda: layers.SimpleRNN(4),
                                  lambda: layers.RNN(MinimalCell(4))])
def test_custom_train_step_one_trace_for_all_lengths(make, while_calls):
    """A training step traced once with the time axis unknown, run on two lengths,
    matches the same steps taken eagerly."""
    keras.utils.set_random_seed(0)
    traced_model, eager_model = _model(make()), _model(make())
    eager_model.set_weights(traced_model.get_weights())
    traced_opt, eager_opt = keras.optimizers.SGD(0.05), keras.optimizers.SGD(0.05)

    def train_step(model, optimizer, x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    step = tf.function(lambda x, y: train_step(traced_model, traced_opt, x, y),
                       input_signature=SPEC + [tf.TensorSpec([None, 1], tf.float32)])
    for steps in (5, 8, 5):
        x = _sequences(steps, batch=4, seed=steps)
        y = x.sum(axis=(1, 2))[:, None] / steps
        got = float(step(x, y))
        want = float(train_step(eager_model, eager_opt, x, y))
        np.testing.assert_allclose(got, want, rtol=1e-5)
    assert step.experimental_get_tracing_count() == 1
    assert while_calls
    for a, b in zip(traced_model.get_weights(), eager_model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
