"""Seeded uniform draws for the random image layers: one ``[B, ...]`` draw per batch,
with the batch size read at run time when it is unknown (traced)."""

from __future__ import annotations

from fluxion.keras.layers.regularization.seed_stream import SeedStream, draw_shape
from fluxion.ops.random_ops import stateless_uniform

__all__ = ["SeedStream", "uniform_per_image"]


def uniform_per_image(layer, images, trailing: tuple, minval: float, maxval: float,
                      seed=None, dtype="float32"):
    """Uniform values in ``[minval, maxval)`` of shape ``[B] + trailing`` (``[1] + trailing``
    for a single image); ``seed`` overrides the layer's stream."""
    batched = len(images.shape) == 4
    shape = ((tuple(images.shape)[0],) if batched else (1,)) + tuple(trailing)
    shape = draw_shape(layer.name, shape, images if batched else None)
    seed = layer.generator.next() if seed is None else seed
    return stateless_uniform(shape, seed, minval=minval, maxval=maxval, dtype=dtype)
