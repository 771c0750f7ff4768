"""Small helpers of ``keras.utils`` about tensors and data tuples: ``is_keras_tensor``,
``get_source_inputs``, ``standardize_dtype`` and the ``(x, y, sample_weight)`` packers."""

from __future__ import annotations

from fluxion.keras.models.data_adapter import pack_x_y_sample_weight, unpack_x_y_sample_weight
from fluxion.keras.ops.promotion import standardize_dtype

__all__ = ["get_source_inputs", "is_keras_tensor", "pack_x_y_sample_weight",
           "standardize_dtype", "unpack_x_y_sample_weight"]


def is_keras_tensor(x) -> bool:
    """Whether ``x`` is a symbolic ``KerasTensor`` of the functional API."""
    from fluxion.keras.engine.keras_tensor import KerasTensor

    return isinstance(x, KerasTensor)


def get_source_inputs(tensor) -> list:
    """The ``Input`` tensors a functional ``tensor`` was computed from (in first-seen
    order); a tensor with no history is its own source."""
    from fluxion.core import nest

    history = getattr(tensor, "_keras_history", None)
    if history is None:
        return [tensor]
    layer, node_index, _ = history
    node = layer._inbound_nodes[node_index]
    parents = [t for t in nest.flatten((node.args, node.kwargs)) if is_keras_tensor(t)]
    if not parents:  # an InputLayer's node
        return [tensor]
    sources = []
    for parent in parents:
        for source in get_source_inputs(parent):
            if not any(source is seen for seen in sources):
                sources.append(source)
    return sources
