"""Call signatures of traced functions, as TensorFlow defines them.

A call's *key* is ``(skeleton, leaves)``: the nesting structure of the arguments with
leaves left out, and a flat tuple of leaf keys, each tensor as ``TensorLeaf(dtype,
shape)`` and each other Python value by value (or identity when unhashable).  A
trace's *spec* has the same form with tensor shapes that may hold ``None``; a call
matches a trace when the skeletons are equal and every leaf is compatible.  NumPy
arrays count as tensors, as in TF.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import nest
from fluxion.core.composite import CompositeTensor
from fluxion.core.tensor import Tensor
from fluxion.core.tensor_spec import TensorSpec


class TensorLeaf(tuple):
    """``(dtype, shape)`` of a tensor argument (a tuple subclass: hashable)."""

    @property
    def dtype(self):
        return self[0]

    @property
    def shape(self) -> tuple:
        return self[1]


def leaf_key(value):
    if type(value) is Tensor or isinstance(value, np.ndarray):
        array = value._value if type(value) is Tensor else value
        return TensorLeaf((array.dtype, array.shape))
    if isinstance(value, Tensor):  # symbolic: its static shape
        return TensorLeaf((value.dtype.np_dtype, tuple(value.shape)))
    if isinstance(value, TensorSpec):
        return TensorLeaf((value.dtype.np_dtype, tuple(value.shape.dims or ())))
    if hasattr(value, "_read_for_op"):  # a variable: captured by reference
        return ("variable", id(value))
    try:
        hash(value)
    except TypeError:
        return ("object", id(value))
    return ("value", type(value), value)


def skeleton(structure):
    """The nesting structure with leaves replaced by None (hashable)."""
    if isinstance(structure, dict):
        return ("dict", tuple((key, skeleton(structure[key])) for key in sorted(structure)))
    if isinstance(structure, (list, tuple)):
        return (type(structure).__name__, tuple(skeleton(item) for item in structure))
    if isinstance(structure, CompositeTensor):
        return (type(structure).__name__, structure._static_key(),
                tuple(skeleton(item) for item in structure._to_components()))
    return None


def make_key(structure) -> tuple:
    return skeleton(structure), tuple(leaf_key(leaf) for leaf in nest.flatten(structure))


def leaf_compatible(spec, key) -> bool:
    if isinstance(spec, TensorLeaf):
        return (isinstance(key, TensorLeaf) and spec[0] == key[0] and len(spec[1]) == len(key[1])
                and all(s is None or s == k for s, k in zip(spec[1], key[1])))
    return spec == key


def is_compatible(spec: tuple, key: tuple) -> bool:
    """Whether call ``key`` fits trace ``spec``."""
    return spec[0] == key[0] and len(spec[1]) == len(key[1]) and all(
        leaf_compatible(s, k) for s, k in zip(spec[1], key[1]))


def generalize(spec: tuple, key: tuple) -> tuple | None:
    """The most specific spec covering both (dimensions that differ become None)."""
    if spec[0] != key[0] or len(spec[1]) != len(key[1]):
        return None
    leaves = []
    for s, k in zip(spec[1], key[1]):
        if isinstance(s, TensorLeaf) and isinstance(k, TensorLeaf) and s[0] == k[0] \
                and len(s[1]) == len(k[1]):
            leaves.append(TensorLeaf((s[0], tuple(a if a == b else None
                                                  for a, b in zip(s[1], k[1])))))
        elif s == k:
            leaves.append(s)
        else:
            return None
    return spec[0], tuple(leaves)


def describe_difference(old: tuple, new: tuple) -> str:
    """Names the first argument that differs between two keys (for retracing warnings)."""
    if old[0] != new[0] or len(old[1]) != len(new[1]):
        return "the structure of the arguments changed (a different nesting or length)"
    for index, (a, b) in enumerate(zip(old[1], new[1])):
        if a == b:
            continue
        if isinstance(a, TensorLeaf) and isinstance(b, TensorLeaf):
            if a[0] != b[0]:
                return f"tensor argument #{index} changed dtype ({a[0]} -> {b[0]})"
            return (f"tensor argument #{index} changed shape ({list(a[1])} -> {list(b[1])}); "
                    f"pass reduce_retracing=True or an input_signature with None for the "
                    f"varying dimension")
        if isinstance(a, tuple) and a and a[0] == "value":
            shown = b[2] if isinstance(b, tuple) and len(b) == 3 else b
            return (f"Python argument #{index} changed value ({a[2]!r} -> {shown!r}); Python "
                    f"values are part of the signature, so pass a tensor instead")
        return f"argument #{index} changed ({a!r} -> {b!r})"
    return "the arguments changed"
