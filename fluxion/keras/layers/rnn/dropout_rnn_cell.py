"""``DropoutRNNCell``: the dropout masks of a recurrent cell, one per sequence.

As in Keras, a cell with ``dropout``/``recurrent_dropout`` draws ONE mask for the inputs
and one for the recurrent state per call of its RNN layer, and reuses them at every time
step; the RNN layer resets them after the loop.  Masks are scaled by ``1 / (1 - rate)``.
"""

from __future__ import annotations

from fluxion.keras.layers.regularization.seed_stream import SeedStream
from fluxion.ops.creation_ops import ones_like
from fluxion.ops.dropout_ops import stateless_dropout


class DropoutRNNCell:
    """Mixin for cells with ``dropout``, ``recurrent_dropout`` and ``seed`` attributes."""

    def _seed_stream(self) -> SeedStream:
        stream = getattr(self, "_dropout_seeds", None)
        if stream is None:
            stream = self._dropout_seeds = SeedStream(self.seed)
        return stream

    def _draw_mask(self, like, rate: float):
        return stateless_dropout(ones_like(like), rate, seed=self._seed_stream().next())

    def get_dropout_mask(self, step_input):
        if getattr(self, "_dropout_mask", None) is None and self.dropout > 0:
            self._dropout_mask = self._draw_mask(step_input, self.dropout)
        return getattr(self, "_dropout_mask", None)

    def get_recurrent_dropout_mask(self, step_input):
        if getattr(self, "_recurrent_dropout_mask", None) is None and \
                self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._draw_mask(step_input,
                                                           self.recurrent_dropout)
        return getattr(self, "_recurrent_dropout_mask", None)

    def reset_dropout_mask(self) -> None:
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self) -> None:
        self._recurrent_dropout_mask = None
