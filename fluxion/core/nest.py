"""Nested structures (lists, tuples, namedtuples, dicts) flattened and rebuilt, as tf.nest.

Composite tensors (``SparseTensor``, ``RaggedTensor``, ``TensorArray``) count as nests of
their component tensors, as with TF's ``expand_composites=True``: the engine (loops,
conditionals, traced functions) sees only plain tensors.
"""

from __future__ import annotations

from fluxion.core.composite import CompositeTensor

_NESTS = (list, tuple, dict, CompositeTensor)


def _is_namedtuple(value) -> bool:
    return isinstance(value, tuple) and hasattr(type(value), "_fields")


def is_nested(value) -> bool:
    return isinstance(value, _NESTS)


def flatten(structure) -> list:
    """The leaves of ``structure`` in a fixed order (dicts by sorted key)."""
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    if isinstance(structure, CompositeTensor):
        return [leaf for item in structure._to_components() for leaf in flatten(item)]
    return [structure]


def pack_sequence_as(structure, flat_sequence):
    """Rebuilds ``structure`` with its leaves replaced by ``flat_sequence`` in order."""
    leaves = iter(flat_sequence)
    result = _pack(structure, leaves)
    if next(leaves, _END) is not _END:
        raise ValueError("pack_sequence_as: more leaves given than the structure holds")
    return result


_END = object()


def _pack(structure, leaves):
    if isinstance(structure, dict):
        packed = {key: _pack(structure[key], leaves) for key in sorted(structure)}
        return type(structure)((key, packed[key]) for key in structure)
    if _is_namedtuple(structure):
        return type(structure)(*[_pack(item, leaves) for item in structure])
    if isinstance(structure, (list, tuple)):
        return type(structure)(_pack(item, leaves) for item in structure)
    if isinstance(structure, CompositeTensor):
        return structure._with_components(
            [_pack(item, leaves) for item in structure._to_components()])
    try:
        return next(leaves)
    except StopIteration:
        raise ValueError("pack_sequence_as: fewer leaves given than the structure holds") from None


def map_structure(func, *structures):
    """Applies ``func`` leafwise across structures of the same shape."""
    flats = [flatten(s) for s in structures]
    if len({len(f) for f in flats}) > 1:
        raise ValueError("map_structure: the structures do not have the same number of leaves")
    return pack_sequence_as(structures[0], [func(*leaves) for leaves in zip(*flats)])
