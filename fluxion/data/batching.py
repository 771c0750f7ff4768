"""Batching: ``batch``, ``padded_batch``, ``unbatch`` and ``rebatch``.

``batch`` stacks components with one ``np.stack`` per component.  Over a bulk source
(``from_tensor_slices``, possibly shuffled) it skips the per-element stage entirely and
cuts each batch with one slice (in order) or one gather (shuffled indices), so
``from_tensor_slices(x).shuffle(n).batch(b)`` costs about what indexing NumPy costs.
"""

from __future__ import annotations

import itertools

import numpy as np

from fluxion.core import dtypes, errors, nest
from fluxion.core.tensor import Tensor
from fluxion.core.tensor_shape import TensorShape
from fluxion.core.tensor_spec import TensorSpec
from fluxion.data import element_spec as es
from fluxion.data.dataset import Dataset


def _positive(what: str, value) -> int:
    value = int(value._value) if isinstance(value, Tensor) else int(value)
    if value < 1:
        raise errors.InvalidArgumentError(f"{what}: batch_size must be greater than zero, "
                                          f"got {value}.")
    return value


def columns_of(items: list):
    """(structure template, one list of arrays per component) for a list of elements."""
    first = items[0]
    if type(first) is Tensor:
        return first, [[t._value for t in items]]
    if type(first) is tuple and all(type(t) is Tensor for t in first):
        return first, [[t._value for t in column] for column in zip(*items)]
    flat = [nest.flatten(item) for item in items]
    return first, [[t._value for t in column] for column in zip(*flat)]


def stack_columns(columns: list) -> list:
    out = []
    for index, column in enumerate(columns):
        try:
            out.append(np.stack(column))
        except ValueError:
            first = column[0].shape
            bad = next(i for i, a in enumerate(column) if a.shape != first)
            raise errors.InvalidArgumentError(
                f"Cannot batch tensors with different shapes in component {index}. First "
                f"element had shape {list(first)} and element {bad} had shape "
                f"{list(column[bad].shape)}. Use padded_batch to batch elements of "
                f"different shapes.") from None
    return out


def _bulk_batches(bulk, batch_size: int, drop: bool):
    arrays, size = bulk.arrays, bulk.size
    pack = es.make_packer(bulk.structure)
    if bulk.indices is None:
        stop = size - size % batch_size if drop else size
        for start in range(0, stop, batch_size):
            yield pack([Tensor(a[start:start + batch_size]) for a in arrays])
        return
    order = bulk.indices()
    while True:
        index = np.fromiter(itertools.islice(order, batch_size), dtype=np.intp)
        if not len(index) or (drop and len(index) < batch_size):
            return
        yield pack([Tensor(a[index]) for a in arrays])


class BatchDataset(Dataset):
    def __init__(self, dataset: Dataset, batch_size, drop_remainder: bool):
        super().__init__((dataset,))
        self._size = _positive("batch", batch_size)
        self._drop = bool(drop_remainder)

    def _iterator(self):
        bulk = self._inputs[0]._bulk_source()
        if bulk is not None:
            return _bulk_batches(bulk, self._size, self._drop)
        return self._stacked()

    def _stacked(self):
        it = self._inputs[0]._iterator()
        size, drop = self._size, self._drop
        while True:
            items = list(itertools.islice(it, size))
            if not items or (drop and len(items) < size):
                return
            template, columns = columns_of(items)
            stacked = [Tensor(a) for a in stack_columns(columns)]
            yield es.make_packer(template)(stacked)

    def _cardinality(self) -> int:
        return es.batch_cardinality(self._inputs[0]._cardinality(), self._size, self._drop)

    def _compute_element_spec(self):
        return es.batched_spec(self._inputs[0].element_spec, self._size if self._drop else None)


# --- padded_batch ------------------------------------------------------------------------------
def _default_padding(dtype: dtypes.DType):
    return b"" if dtype is dtypes.string else np.zeros((), dtype.np_dtype)


class PaddedBatchDataset(Dataset):
    def __init__(self, dataset: Dataset, batch_size, padded_shapes, padding_values,
                 drop_remainder: bool):
        super().__init__((dataset,))
        self._size = _positive("padded_batch", batch_size)
        self._drop = bool(drop_remainder)
        spec = dataset.element_spec
        flat_specs = nest.flatten(spec)
        if padded_shapes is None:
            shapes = [TensorShape([None] * s.shape.rank) if s.shape.rank is not None
                      else TensorShape(None) for s in flat_specs]
        else:
            given = flatten_up_to(spec, padded_shapes, "padded_batch: `padded_shapes`")
            shapes = [_padded_shape(g, s) for g, s in zip(given, flat_specs)]
        if padding_values is None:
            values = [_default_padding(s.dtype) for s in flat_specs]
        elif not es.is_structure(padding_values) and es.is_structure(spec):
            values = [padding_values] * len(flat_specs)
        else:
            values = flatten_up_to(spec, padding_values, "padded_batch: `padding_values`")
        self._shapes = shapes
        self._values = [v._value if isinstance(v, Tensor) else v for v in values]
        self._structure = spec

    def _iterator(self):
        it = self._inputs[0]._iterator()
        while True:
            items = list(itertools.islice(it, self._size))
            if not items or (self._drop and len(items) < self._size):
                return
            template, columns = columns_of(items)
            padded = [Tensor(_pad_column(column, shape, value))
                      for column, shape, value in zip(columns, self._shapes, self._values)]
            yield es.make_packer(template)(padded)

    def _cardinality(self) -> int:
        return es.batch_cardinality(self._inputs[0]._cardinality(), self._size, self._drop)

    def _compute_element_spec(self):
        batch = self._size if self._drop else None
        specs = [TensorSpec(TensorShape([batch]).concatenate(shape), s.dtype)
                 for shape, s in zip(self._shapes, nest.flatten(self._structure))]
        return nest.pack_sequence_as(self._structure, specs)


def flatten_up_to(spec, value, what: str) -> list:
    """``value``'s parts matching ``spec``'s leaves (lists and tuples inside are data)."""
    if isinstance(spec, dict):
        if not isinstance(value, dict) or set(value) != set(spec):
            raise ValueError(f"{what} {value} does not match the element structure {spec}.")
        return [leaf for key in sorted(spec) for leaf in
                flatten_up_to(spec[key], value[key], what)]
    if isinstance(spec, tuple):
        if not isinstance(value, (tuple, list)) or len(value) != len(spec):
            raise ValueError(f"{what} {value} does not match the element structure {spec}.")
        return [leaf for s, v in zip(spec, value) for leaf in flatten_up_to(s, v, what)]
    return [value]


def _padded_shape(dims, spec: TensorSpec) -> TensorShape:
    if isinstance(dims, Tensor):
        dims = dims._value.tolist()
    if isinstance(dims, TensorShape):
        dims = dims.dims
    if isinstance(dims, int):
        dims = [dims]
    shape = TensorShape(None if dims is None else
                        [None if d is None or d == -1 else int(d) for d in dims])
    if spec.shape.rank is not None and shape.rank is not None and shape.rank != spec.shape.rank:
        raise ValueError(f"padded_batch: the padded shape {shape} has rank {shape.rank} but the "
                         f"component has rank {spec.shape.rank} ({spec}).")
    return shape


def _pad_column(column: list, shape: TensorShape, value) -> np.ndarray:
    rank = column[0].ndim
    if shape.rank is None:
        shape = TensorShape([None] * rank)
    for array in column:
        if array.ndim != rank:
            raise errors.InvalidArgumentError(
                f"padded_batch: all elements of a component must have the same rank, got "
                f"shapes {list(column[0].shape)} and {list(array.shape)}.")
    longest = np.max([a.shape for a in column], axis=0) if rank else ()
    target = [int(m) if d is None else d for d, m in zip(shape.dims, longest)]
    for array in column:
        if any(s > t for s, t in zip(array.shape, target)):
            raise errors.InvalidArgumentError(
                f"padded_batch: attempted to pad to a smaller size than the input element: "
                f"element shape {list(array.shape)}, padded shape {target}.")
    out = np.full([len(column)] + target, value, dtype=column[0].dtype)
    for i, array in enumerate(column):
        out[(i,) + tuple(slice(0, s) for s in array.shape)] = array
    return out


# --- unbatch and rebatch ----------------------------------------------------------------------
def _rows(flat: list) -> int:
    sizes = {a.shape[0] if a.ndim else None for a in flat}
    if None in sizes:
        raise errors.InvalidArgumentError("unbatch: every component needs a leading batch "
                                          "dimension; found a scalar.")
    if len(sizes) > 1:
        raise errors.InvalidArgumentError(f"unbatch: input element must have the same batch "
                                          f"size in each component, got {sorted(sizes)}.")
    return sizes.pop()


class UnbatchDataset(Dataset):
    def __init__(self, dataset: Dataset):
        super().__init__((dataset,))

    def _iterator(self):
        for element in self._inputs[0]._iterator():
            flat = [t._value for t in nest.flatten(element)]
            pack = es.make_packer(element)
            for i in range(_rows(flat)):
                yield pack([Tensor(a[i, ...]) for a in flat])

    def _compute_element_spec(self):
        return es.unbatched_spec(self._inputs[0].element_spec)


class RebatchDataset(Dataset):
    def __init__(self, dataset: Dataset, batch_size, drop_remainder: bool):
        super().__init__((dataset,))
        sizes = batch_size._value.tolist() if isinstance(batch_size, Tensor) else batch_size
        sizes = list(sizes) if isinstance(sizes, (list, tuple, np.ndarray)) else [sizes]
        self._sizes = [_positive("rebatch", s) for s in sizes]
        self._drop = bool(drop_remainder)

    def _iterator(self):
        it = self._inputs[0]._iterator()
        chunks: list = []  # flat array lists still to hand out
        buffered = 0
        template = None
        for size in itertools.cycle(self._sizes):
            while buffered < size:
                element = next(it, None)
                if element is None:
                    break
                template = element
                flat = [t._value for t in nest.flatten(element)]
                chunks.append(flat)
                buffered += _rows(flat)
            if buffered == 0 or (buffered < size and self._drop):
                return
            joined = [np.concatenate(column) for column in zip(*chunks)]
            take = min(size, buffered)
            yield es.make_packer(template)([Tensor(a[:take]) for a in joined])
            chunks = [[a[take:] for a in joined]] if buffered > take else []
            buffered -= take

    def _compute_element_spec(self):
        spec = es.relaxed_spec(self._inputs[0].element_spec)
        if self._drop and len(set(self._sizes)) == 1:
            return es.map_specs(lambda s: TensorSpec([self._sizes[0]] + s.shape.dims[1:],
                                                     s.dtype), spec)
        return spec
