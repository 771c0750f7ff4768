"""SimpleRNN, LSTM and GRU exported as ONNX's recurrent ops predict what Fluxion does."""

import numpy as np
import pytest

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from onnx_harness import assert_exports_exactly  # noqa: E402

from fluxion import keras  # noqa: E402

L = keras.layers

RECURRENT = {
    "simple_rnn": lambda: L.SimpleRNN(4),
    "simple_rnn_relu_sequences": lambda: L.SimpleRNN(3, activation="relu",
                                                     return_sequences=True),
    "lstm": lambda: L.LSTM(4),
    "lstm_sequences_backwards": lambda: L.LSTM(3, return_sequences=True, go_backwards=True),
    "lstm_no_bias": lambda: L.LSTM(3, use_bias=False),
    "gru": lambda: L.GRU(4),
    "gru_reset_before": lambda: L.GRU(3, reset_after=False, return_sequences=True),
    "gru_backwards": lambda: L.GRU(3, go_backwards=True),
}


def _randomize(layer, seed=3):
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.standard_normal(w.shape).astype("float32") * 0.5
                       for w in layer.get_weights()])


@pytest.mark.parametrize("name", sorted(RECURRENT))
def test_recurrent_layers(tmp_path, name):
    layer = RECURRENT[name]()
    model = keras.Sequential([keras.Input((5, 3)), layer])
    _randomize(layer)
    assert_exports_exactly(model, tmp_path / "m.onnx")


def test_lstm_states_in_and_out_in_a_functional_model(tmp_path):
    sequence = keras.Input((6, 2), name="sequence")
    h0, c0 = keras.Input((3,), name="h0"), keras.Input((3,), name="c0")
    lstm = L.LSTM(3, return_state=True, return_sequences=True)
    outputs, h, c = lstm(sequence, initial_state=[h0, c0])
    model = keras.Model([sequence, h0, c0], [L.Dense(2)(outputs), h, c])
    _randomize(lstm)
    assert_exports_exactly(model, tmp_path / "m.onnx")


def test_recurrent_layer_with_other_activation_exports_unrolled(tmp_path):
    layer = L.LSTM(3, activation="softsign", name="odd_lstm")
    model = keras.Sequential([keras.Input((4, 2)), layer])
    _randomize(layer)
    assert_exports_exactly(model, tmp_path / "m.onnx")


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "ave", "mul", None])
@pytest.mark.parametrize("inner", ["lstm_sequences", "gru"])
def test_bidirectional(tmp_path, merge_mode, inner):
    sequences = inner.endswith("sequences")
    rnn = L.LSTM(3, return_sequences=True) if inner == "lstm_sequences" else L.GRU(3)
    layer = L.Bidirectional(rnn, merge_mode=merge_mode)
    x = keras.Input((5, 2))
    y = layer(x)
    model = keras.Model(x, y if merge_mode is not None else L.Concatenate()(y))
    _randomize(layer)
    assert sequences == (len(model.output_shape) == 3)
    assert_exports_exactly(model, tmp_path / "m.onnx")


def test_bidirectional_with_states(tmp_path):
    x = keras.Input((4, 2))
    layer = L.Bidirectional(L.LSTM(3, return_state=True))
    output, *states = layer(x)
    model = keras.Model(x, [output, *states])
    _randomize(layer)
    assert_exports_exactly(model, tmp_path / "m.onnx")


@pytest.mark.parametrize("inner", ["dense", "conv"])
def test_time_distributed(tmp_path, inner):
    if inner == "dense":
        model = keras.Sequential([keras.Input((4, 3)), L.TimeDistributed(L.Dense(2))])
    else:
        model = keras.Sequential([keras.Input((3, 6, 6, 2)),
                                  L.TimeDistributed(L.Conv2D(3, 3, activation="relu")),
                                  L.TimeDistributed(L.GlobalAveragePooling2D()), L.GRU(2)])
    assert_exports_exactly(model, tmp_path / "m.onnx")
