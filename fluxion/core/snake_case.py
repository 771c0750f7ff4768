"""Class names to snake case, as Keras 3 writes them (``BatchNormalization`` ->
``batch_normalization``, ``Conv2D`` -> ``conv2d``, ``_Private`` -> ``__private``).

One rule for every name Fluxion derives from a Keras class: layer and metric names, the
object paths of a weights file, the ``layers/...`` paths of a checkpoint.  (``tf.Module``
names follow TensorFlow's own, different rule: ``Conv2D`` -> ``conv2_d``; see
``fluxion.core.module``.)
"""

from __future__ import annotations

import re


def to_snake_case(name: str) -> str:
    """Keras 3's snake case of ``name`` (non-word characters dropped)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
