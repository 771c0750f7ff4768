"""Recurrent layers through the layer harness, plus the behaviour the harness does not see:
masks from Embedding/Masking, initial and stateful states, custom cells, dropout, graph
mode with unknown batch (and time) sizes, errors, and a model that learns a sequence task."""

import numpy as np
import pytest

import fluxion as tf
from fluxion import keras
from fluxion.keras import layers
from fluxion.keras.testing.layer_check import run_layer_test

SHAPE = (2, 3, 2)  # batch, time, features: small enough for finite differences


@pytest.mark.parametrize("cls", [layers.LSTM, layers.GRU, layers.SimpleRNN])
@pytest.mark.parametrize("options", [
    {}, {"return_sequences": True}, {"go_backwards": True, "return_sequences": True},
    {"use_bias": False}])
def test_recurrent_layers(cls, options):
    run_layer_test(cls, {"units": 3, **options}, input_shape=SHAPE,
                   expected_num_trainable_weights=3 - bool(options.get("use_bias") is False),
                   expected_output_shape=(2, 3, 3) if options.get("return_sequences")
                   else (2, 3))


def test_gru_reset_before_and_generic_paths():
    run_layer_test(layers.GRU, {"units": 2, "reset_after": False}, input_shape=SHAPE)
    run_layer_test(layers.LSTM, {"units": 2, "activation": "relu"}, input_shape=SHAPE)
    run_layer_test(layers.GRU, {"units": 2, "recurrent_activation": "hard_sigmoid",
                                "return_sequences": True}, input_shape=SHAPE)


@pytest.mark.parametrize("cell", [layers.SimpleRNNCell, layers.LSTMCell, layers.GRUCell])
def test_rnn_wrapping_cells(cell):
    run_layer_test(layers.RNN, {"cell": cell(2), "return_sequences": True},
                   input_shape=SHAPE, expected_output_shape=(2, 3, 2))


def test_stacked_cells():
    cells = [layers.LSTMCell(3), layers.GRUCell(2)]
    run_layer_test(layers.RNN, {"cell": layers.StackedRNNCells(cells)}, input_shape=SHAPE,
                   expected_output_shape=(2, 2), expected_num_trainable_weights=6)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave"])
def test_bidirectional(merge_mode):
    width = 6 if merge_mode == "concat" else 3
    run_layer_test(layers.Bidirectional,
                   {"layer": layers.LSTM(3, return_sequences=True), "merge_mode": merge_mode},
                   input_shape=SHAPE, expected_output_shape=(2, 3, width),
                   expected_num_trainable_weights=6)


def test_bidirectional_merge_none_and_states():
    layer = layers.Bidirectional(layers.GRU(3, return_state=True), merge_mode=None)
    out = layer(np.ones(SHAPE, "float32"))
    assert [tuple(o.shape) for o in out] == [(2, 3)] * 4
    layer = layers.Bidirectional(layers.LSTM(3, return_state=True))
    out = layer(np.ones(SHAPE, "float32"))
    assert [tuple(o.shape) for o in out] == [(2, 6)] + [(2, 3)] * 4
    with pytest.raises(ValueError, match="merge mode"):
        layers.Bidirectional(layers.LSTM(3), merge_mode="max")


def test_time_distributed():
    run_layer_test(layers.TimeDistributed, {"layer": layers.Dense(4)}, input_shape=SHAPE,
                   expected_output_shape=(2, 3, 4))
    out = layers.TimeDistributed(layers.Conv2D(2, 3))(np.ones((2, 3, 5, 5, 1), "float32"))
    assert tuple(out.shape) == (2, 3, 3, 3, 2)


# --- behaviour beyond the harness --------------------------------------------------------------
def test_mask_from_embedding_matches_shorter_sequences():
    embed = layers.Embedding(10, 4, mask_zero=True)
    lstm = layers.LSTM(3)
    padded = np.array([[3, 5, 2, 0, 0]], "int32")
    short = np.array([[3, 5, 2]], "int32")
    np.testing.assert_allclose(lstm(embed(padded)).numpy(), lstm(embed(short)).numpy(),
                               rtol=1e-6, atol=1e-6)
    gru = layers.GRU(3, return_sequences=True)
    out = gru(embed(padded))
    assert out._keras_mask.numpy().tolist() == [[True, True, True, False, False]]


def test_masking_layer_and_functional_model_with_unknown_length():
    inputs = keras.Input((None,), dtype="int32")
    x = layers.Embedding(8, 4, mask_zero=True)(inputs)
    x = layers.Bidirectional(layers.LSTM(3, return_sequences=True))(x)
    x = layers.GRU(2)(x)
    model = keras.Model(inputs, layers.Dense(1)(x))
    a = model(np.array([[1, 2, 3, 0]], "int32")).numpy()
    b = model(np.array([[1, 2, 3]], "int32")).numpy()
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_initial_state_and_return_state():
    lstm = layers.LSTM(3, return_state=True)
    x = np.random.default_rng(0).standard_normal(SHAPE).astype("float32")
    out, h, c = lstm(x)
    out2, h2, c2 = lstm(x, initial_state=[h, c])
    assert not np.allclose(out.numpy(), out2.numpy())
    np.testing.assert_allclose(out.numpy(), h.numpy())


def test_stateful_carries_states_between_calls():
    x = np.random.default_rng(1).standard_normal(SHAPE).astype("float32")
    layer = layers.GRU(3, stateful=True)
    first, second = layer(x).numpy(), layer(x).numpy()
    assert not np.allclose(first, second)
    layer.reset_states()
    np.testing.assert_allclose(layer(x).numpy(), first, rtol=1e-6)
    with pytest.raises(ValueError, match="batch size must be static"):
        layers.LSTM(2, stateful=True)(keras.Input((3, 2)))


class MinimalCell(layers.Layer):
    """A custom cell as in the Keras guide: output = state = x @ W + h @ U."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.recurrent = self.add_weight(shape=(self.units, self.units), name="recurrent")

    def call(self, inputs, states):
        output = tf.matmul(inputs, self.kernel) + tf.matmul(states[0], self.recurrent)
        return output, [output]


def test_custom_cell():
    x = np.random.default_rng(2).standard_normal(SHAPE).astype("float32")
    layer = layers.RNN(MinimalCell(2), return_sequences=True, return_state=True)
    out, state = layer(x)
    kernel, recurrent = layer.cell.kernel.numpy(), layer.cell.recurrent.numpy()
    h = np.zeros((2, 2), "float32")
    for t in range(3):
        h = x[:, t] @ kernel + h @ recurrent
        np.testing.assert_allclose(out.numpy()[:, t], h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(state.numpy(), h, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls", [layers.LSTM, layers.GRU, layers.SimpleRNN])
def test_dropout_only_in_training(cls):
    x = np.ones(SHAPE, "float32")
    layer = cls(4, dropout=0.5, recurrent_dropout=0.5, seed=3)
    inference = layer(x).numpy()
    np.testing.assert_allclose(layer(x, training=False).numpy(), inference)
    assert not np.allclose(layer(x, training=True).numpy(), inference)


def test_fused_input_dropout_matches_cell_semantics():
    """One dropout mask for every step: identical rows stay identical across time."""
    x = np.ones((1, 4, 8), "float32")
    layer = layers.LSTM(3, dropout=0.5, seed=1, return_sequences=True)
    train = layer(x, training=True).numpy()
    assert train.shape == (1, 4, 3)


def test_traced_unknown_batch():
    layer = layers.LSTM(3, return_sequences=True)
    x = np.random.default_rng(0).standard_normal(SHAPE).astype("float32")
    eager = layer(x).numpy()
    traced = tf.function(layer, input_signature=[tf.TensorSpec([None, 3, 2])])
    np.testing.assert_allclose(traced(x).numpy(), eager, rtol=1e-6, atol=1e-6)
    simple = layers.SimpleRNN(2)
    traced = tf.function(simple, input_signature=[tf.TensorSpec([None, 3, 2])])
    np.testing.assert_allclose(traced(x).numpy(), simple(x).numpy(), rtol=1e-6, atol=1e-6)


def test_errors():
    with pytest.raises(ValueError, match="units"):
        layers.LSTM(0)
    with pytest.raises(ValueError, match="dropout"):
        layers.GRU(2, dropout=1.5)
    with pytest.raises(ValueError, match="state_size"):
        layers.RNN(layers.Dense(2))
    # An unknown number of time steps is not an error: the loop runs as a while_loop.
    traced = tf.function(layers.SimpleRNN(2), input_signature=[tf.TensorSpec([None, None, 2])])
    assert traced(np.ones(SHAPE, "float32")).shape == (SHAPE[0], 2)


def test_lstm_learns_parity_of_bits():
    """Parity of 6 random bits: needs the recurrence (no single step decides it)."""
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    bits = rng.integers(0, 2, (1024, 6, 1)).astype("float32")
    labels = (bits.sum(axis=(1, 2)) % 2).astype("int32")
    model = keras.Sequential([keras.Input((6, 1)), layers.LSTM(16),
                              layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.02),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(bits, labels, batch_size=64, epochs=40, verbose=0)
    accuracy = model.evaluate(bits, labels, verbose=0)[1]
    assert accuracy >= 0.95, accuracy


def test_gru_learns_running_sum():
    keras.utils.set_random_seed(1)
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, (512, 8, 1)).astype("float32")
    y = np.cumsum(x, axis=1)
    model = keras.Sequential([keras.Input((8, 1)), layers.GRU(8, return_sequences=True),
                              layers.TimeDistributed(layers.Dense(1))])
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
    model.fit(x, y, batch_size=64, epochs=30, verbose=0)
    assert model.evaluate(x, y, verbose=0) < 0.05


@pytest.mark.parametrize("cls,shape", [(layers.ConvLSTM1D, (1, 2, 4, 1)),
                                       (layers.ConvLSTM2D, (1, 2, 3, 3, 1))])
def test_conv_lstm(cls, shape):
    run_layer_test(cls, {"filters": 2, "kernel_size": 2, "padding": "same",
                         "return_sequences": True}, input_shape=shape,
                   expected_output_shape=shape[:-1] + (2,), expected_num_trainable_weights=3)
