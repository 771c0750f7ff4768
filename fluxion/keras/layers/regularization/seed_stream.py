"""A layer's own random stream, as Keras 3's ``SeedGenerator`` gives each random layer.

The state is an int64 ``Variable`` (``fluxion.core.random_state``'s stream layout), read
and advanced by ``next_seed`` so that a traced training step draws fresh noise on every
run.  It is not a layer weight (Keras keeps seed states out of ``layer.weights`` too).
With ``seed=None`` the seed is drawn from the Keras global seed stream
(``keras.utils.set_random_seed``).
"""

from __future__ import annotations

from fluxion.core import random_state


class SeedStream:
    """Hands out a ``[2]`` int64 seed per draw; ``seed`` fixes the whole sequence."""

    def __init__(self, seed: int | None = None):
        if seed is None:
            # Like Keras's unseeded SeedGenerator: a seed drawn from the Keras global
            # stream, which keras.utils.set_random_seed resets, so runs repeat exactly.
            from fluxion.keras.random import make_default_seed

            seed = make_default_seed()
        key = random_state.mix64(int(seed), 0x5EED)
        self.state = random_state.new_state(key, name="seed_generator_state")

    def next(self):
        return random_state.next_seed(self.state)


def draw_shape(layer_name: str, shape, inputs=None):
    """The shape of a random draw; unknown dimensions (traced) come from ``inputs`` at run
    time."""
    shape = tuple(shape)
    if all(d is not None for d in shape):
        return shape
    if inputs is None:
        raise ValueError(f'Layer "{layer_name}" draws random noise of shape {shape} with '
                         f"unknown dimensions and no tensor to read them from.")
    from fluxion.ops.creation_ops import shape as dynamic_shape

    runtime = dynamic_shape(inputs)
    return [runtime[i] if d is None else d for i, d in enumerate(shape)]
