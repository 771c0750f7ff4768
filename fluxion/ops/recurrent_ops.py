"""The fused recurrent sequence ops: a whole LSTM or GRU sequence in one primitive.

``lstm_sequence`` and ``gru_sequence`` run every step of a sequence in one kernel (one
matrix product per step, no Python per step) and have their own gradient rules; Keras's
``LSTM`` and ``GRU`` layers call them for the configurations they cover.
"""

from fluxion.core.primitives.lstm import lstm_sequence
from fluxion.core.primitives.recurrent import gru_sequence

__all__ = ["lstm_sequence", "gru_sequence"]
