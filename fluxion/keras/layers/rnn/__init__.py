"""Recurrent layers: ``RNN`` and its cells, ``LSTM``/``GRU`` (fused sequence primitives),
``SimpleRNN``, ``StackedRNNCells``, ``Bidirectional``, ``TimeDistributed``, ``ConvLSTM``."""

from fluxion.keras.layers.rnn.bidirectional import Bidirectional
from fluxion.keras.layers.rnn.conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D
from fluxion.keras.layers.rnn.gru import GRU, GRUCell
from fluxion.keras.layers.rnn.lstm import LSTM, LSTMCell
from fluxion.keras.layers.rnn.rnn import RNN
from fluxion.keras.layers.rnn.simple_rnn import SimpleRNN, SimpleRNNCell
from fluxion.keras.layers.rnn.stacked_rnn_cells import StackedRNNCells
from fluxion.keras.layers.rnn.time_distributed import TimeDistributed

__all__ = ["Bidirectional", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "GRU", "GRUCell",
           "LSTM", "LSTMCell", "RNN", "SimpleRNN", "SimpleRNNCell", "StackedRNNCells",
           "TimeDistributed"]
