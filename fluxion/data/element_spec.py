"""Elements, their specs and cardinalities: the static facts a ``Dataset`` carries.

An *element* is a nested structure (tuples, namedtuples, dicts) of ``Tensor`` s.  As in
``tf.data``, a Python list given as data is a tensor, not a structure
(``from_tensors([1, 2])`` is one int32 vector), while a list *returned* by a user
function becomes a tuple.

``element_spec`` mirrors the element with a ``TensorSpec`` per tensor.  Transformations
derive their spec from their input's (``batched_spec``...); a user function's output
spec is found by tracing it on symbolic inputs, which runs no kernel and touches no
state (``spec_of_function``); when the function cannot be traced (it calls ``.numpy()``,
say) the spec is read from the first element instead.

Cardinality is an int: the number of elements, or ``INFINITE`` (-1) or ``UNKNOWN`` (-2),
with TF's propagation rules collected here.
"""

from __future__ import annotations

import collections

import numpy as np

from fluxion.core import nest
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.core.tensor_shape import TensorShape
from fluxion.core.tensor_spec import TensorSpec
from fluxion.data import stage_registry

INFINITE = -1
UNKNOWN = -2


# --- elements -----------------------------------------------------------------------------
def is_structure(value) -> bool:
    """Tuples and dicts are structures; lists are data (tensors), as in tf.data."""
    return isinstance(value, (tuple, dict))


def normalize_element(value, what: str = "element"):
    """``value`` with every leaf converted to a Tensor (lists are leaves)."""
    if isinstance(value, dict):
        return type(value)((key, normalize_element(item, what)) for key, item in value.items())
    if isinstance(value, tuple):
        items = [normalize_element(item, what) for item in value]
        return type(value)(*items) if hasattr(type(value), "_fields") else tuple(items)
    if type(value) is Tensor:
        return value
    if value is None:
        raise TypeError(f"Dataset {what}s cannot contain None; use an empty tuple () or a "
                        f"tensor instead.")
    if hasattr(value, "_as_batch_source"):
        return value  # a nested Dataset (from window); not a tensor
    try:
        return convert_to_tensor(value)
    except (TypeError, ValueError) as error:
        raise TypeError(f"Cannot use {type(value).__name__} {value!r:.60} as a dataset {what}: "
                        f"{error}") from None


def normalize_function_output(value):
    """A user function's result as an element: lists become tuples (TF warns, we convert)."""
    if isinstance(value, list):
        value = tuple(value)
    return normalize_element(value, "function output")


def flatten(element) -> list:
    return nest.flatten(element)


def make_packer(structure):
    """A fast ``flat_list -> element`` function for elements shaped like ``structure``."""
    if not is_structure(structure):
        return lambda flat: flat[0]
    if type(structure) is tuple and not any(is_structure(item) for item in structure):
        return tuple
    return lambda flat: nest.pack_sequence_as(structure, flat)


def unpack_call(func, element):
    """Calls ``func`` as tf.data does: a plain tuple element is spread over the arguments."""
    if type(element) is tuple:
        return func(*element)
    return func(element)


# --- specs --------------------------------------------------------------------------------
def spec_of(element):
    """The nested ``TensorSpec`` of a concrete element."""
    def leaf_spec(leaf):
        if isinstance(leaf, Tensor):
            return TensorSpec(leaf.shape, leaf.dtype)
        return DatasetSpec(leaf.element_spec) if hasattr(leaf, "element_spec") else leaf
    return _map(leaf_spec, element)


class DatasetSpec:
    """The spec of a dataset-valued component (``tf.data.DatasetSpec``), as from window."""

    __slots__ = ("element_spec", "dataset_shape")

    def __init__(self, element_spec, dataset_shape=()):
        self.element_spec = element_spec
        self.dataset_shape = TensorShape(dataset_shape)

    def __eq__(self, other) -> bool:
        return isinstance(other, DatasetSpec) and other.element_spec == self.element_spec

    def __hash__(self) -> int:
        return hash(repr(self.element_spec))

    def __repr__(self) -> str:
        return f"DatasetSpec({self.element_spec!r}, TensorShape({self.dataset_shape.dims}))"


def _map(func, structure):
    if isinstance(structure, dict):
        return type(structure)((key, _map(func, item)) for key, item in structure.items())
    if isinstance(structure, tuple):
        items = [_map(func, item) for item in structure]
        return type(structure)(*items) if hasattr(type(structure), "_fields") else tuple(items)
    return func(structure)


def map_specs(func, spec):
    """Applies ``func`` to each ``TensorSpec`` of ``spec``."""
    return _map(func, spec)


def batched_spec(spec, batch_size):
    """The spec of a batch of ``spec`` elements: a new leading dimension ``batch_size``."""
    return map_specs(lambda s: TensorSpec(TensorShape([batch_size]).concatenate(s.shape),
                                          s.dtype), spec)


def unbatched_spec(spec):
    def drop(s):
        if s.shape.rank == 0:
            raise ValueError("Cannot unbatch an element with a scalar (rank-0) component; "
                             "every component needs a leading batch dimension.")
        dims = s.shape.dims
        return TensorSpec(None if dims is None else dims[1:], s.dtype)
    return map_specs(drop, spec)


def relaxed_spec(spec):
    """``spec`` with its leading dimension unknown (a batch of unknown size)."""
    def relax(s):
        dims = s.shape.dims
        return s if not dims else TensorSpec([None] + dims[1:], s.dtype)
    return map_specs(relax, spec)


def common_spec(a, b, what: str):
    """The most specific spec compatible with both; an error if structure or dtypes differ."""
    flat_a, flat_b = nest.flatten(a), nest.flatten(b)
    if structure_key(a) != structure_key(b):
        raise TypeError(f"{what}: the datasets have different element structures: "
                        f"{a} and {b}.")
    merged = []
    for sa, sb in zip(flat_a, flat_b):
        if sa.dtype is not sb.dtype:
            raise TypeError(f"{what}: the datasets have different element types: "
                            f"{sa.dtype.name} and {sb.dtype.name} ({a} and {b}).")
        merged.append(TensorSpec(sa.shape.most_specific_compatible_shape(sb.shape), sa.dtype))
    return nest.pack_sequence_as(a, merged)


def structure_key(structure):
    """A hashable description of the nesting alone (no leaves)."""
    if isinstance(structure, dict):
        return ("dict", tuple((key, structure_key(structure[key])) for key in sorted(structure)))
    if isinstance(structure, tuple):
        return ("tuple", tuple(structure_key(item) for item in structure))
    return "leaf"


def spec_of_function(func, input_spec, call=unpack_call, returns_dataset: bool = False):
    """The output spec of ``func`` on elements of ``input_spec``, by a symbolic trace.

    Returns None when the function cannot be traced; the caller then looks at data.
    """
    from fluxion.core.primitive import Aval
    from fluxion.graph.ir import Graph
    from fluxion.graph.tracer import Tracer, tracing

    tracer = Tracer(Graph())

    def symbolic(spec):
        if isinstance(spec, DatasetSpec):
            return stage_registry.lookup("SpecOnlyDataset")(spec.element_spec)
        if not isinstance(spec, TensorSpec) or spec.shape.rank is None:
            raise TypeError("not traceable")
        return tracer.add_input(Aval(tuple(spec.shape.dims), spec.dtype))

    try:
        with tracing(tracer):
            inputs = map_specs(symbolic, input_spec)
            output = call(func, inputs)
            if returns_dataset:
                return output.element_spec
            output = normalize_function_output(output)
        return spec_of(output)
    except Exception:  # noqa: BLE001 - untraceable functions fall back to running them
        return None


# --- nested structures in files ------------------------------------------------------------
def encode_structure(structure):
    """A JSON-able description of a structure's nesting (namedtuples keep their fields)."""
    if isinstance(structure, dict):
        return {"dict": [[key, encode_structure(item)] for key, item in structure.items()]}
    if isinstance(structure, tuple):
        items = [encode_structure(item) for item in structure]
        fields = getattr(type(structure), "_fields", None)
        if fields is not None:
            return {"namedtuple": type(structure).__name__, "fields": list(fields),
                    "items": items}
        return {"tuple": items}
    return None


def decode_structure(encoded):
    """The template structure (leaves None) that ``encode_structure`` described."""
    if encoded is None:
        return None
    if "dict" in encoded:
        return {key: decode_structure(item) for key, item in encoded["dict"]}
    if "namedtuple" in encoded:
        cls = collections.namedtuple(encoded["namedtuple"], encoded["fields"])
        return cls(*[decode_structure(item) for item in encoded["items"]])
    return tuple(decode_structure(item) for item in encoded["tuple"])


# --- cardinality rules ----------------------------------------------------------------------
def take_cardinality(n: int, count: int) -> int:
    if n == UNKNOWN:
        return UNKNOWN
    if n == INFINITE:
        return INFINITE if count < 0 else count
    return n if count < 0 else min(n, count)


def skip_cardinality(n: int, count: int) -> int:
    if n < 0:
        return n
    return 0 if count < 0 else max(0, n - count)


def repeat_cardinality(n: int, count: int) -> int:
    if count < 0:
        return 0 if n == 0 else INFINITE
    if count == 0:
        return 0
    return n if n < 0 else n * count


def batch_cardinality(n: int, batch_size: int, drop_remainder: bool) -> int:
    if n < 0:
        return n
    return n // batch_size + (0 if drop_remainder or n % batch_size == 0 else 1)


def zip_cardinality(counts) -> int:
    result = INFINITE
    for n in counts:
        if n == UNKNOWN:
            return UNKNOWN
        if n != INFINITE:
            result = n if result == INFINITE else min(result, n)
    return result


def concatenate_cardinality(a: int, b: int) -> int:
    if a == UNKNOWN or b == UNKNOWN:
        return UNKNOWN
    if a == INFINITE or b == INFINITE:
        return INFINITE
    return a + b


def window_cardinality(n: int, size: int, shift: int, stride: int, drop: bool) -> int:
    if n < 0:
        return n
    if drop:
        span = (size - 1) * stride + 1
        return 0 if n < span else (n - span) // shift + 1
    return -(-n // shift)


def shard_cardinality(n: int, num_shards: int, index: int) -> int:
    if n < 0:
        return n
    return n // num_shards + (1 if index < n % num_shards else 0)


def as_int64_tensor(value: int) -> Tensor:
    return Tensor(np.array(value, dtype=np.int64))
