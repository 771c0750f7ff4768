"""Datasets that start a pipeline, and those that join pipelines (zip, concatenate).

``from_tensor_slices`` keeps its data as flat NumPy arrays and hands out row views, so an
element costs one indexing and one ``Tensor`` per component; it also offers itself as
a *bulk source* to ``batch``, which then cuts whole batches with one slice.
"""

from __future__ import annotations

import itertools

import numpy as np

from fluxion.core import dtypes, errors, nest
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.core.tensor_shape import TensorShape
from fluxion.core.tensor_spec import TensorSpec
from fluxion.data import element_spec as es
from fluxion.data.dataset import Dataset


class BulkSource:
    """Flat NumPy arrays indexed along axis 0, and how to pack a row of them."""

    __slots__ = ("arrays", "structure", "size", "indices")

    def __init__(self, arrays: list, structure, size: int, indices=None):
        self.arrays = arrays
        self.structure = structure
        self.size = size
        self.indices = indices  # None: rows in order; else a callable -> iterator of ints

    def pack(self, flat):
        return es.make_packer(self.structure)(flat)


def _leaf_arrays(element) -> list:
    return [leaf._value for leaf in nest.flatten(element)]


class TensorDataset(Dataset):
    def __init__(self, tensors):
        super().__init__()
        self._element = es.normalize_element(tensors)

    def _iterator(self):
        return iter((self._element,))

    def _cardinality(self) -> int:
        return 1

    def _compute_element_spec(self):
        return es.spec_of(self._element)


class TensorSliceDataset(Dataset):
    def __init__(self, tensors):
        super().__init__()
        element = es.normalize_element(tensors)
        arrays = _leaf_arrays(element)
        if not arrays:
            raise ValueError("from_tensor_slices needs at least one tensor to slice.")
        for array in arrays:
            if array.ndim == 0:
                raise ValueError(f"from_tensor_slices: every component must have at least "
                                 f"one dimension to slice, got a scalar {array!r}.")
        sizes = {a.shape[0] for a in arrays}
        if len(sizes) > 1:
            raise errors.InvalidArgumentError(
                f"from_tensor_slices: all components must have the same size in their "
                f"first dimension, got shapes {[list(a.shape) for a in arrays]}.")
        self._structure = element
        self._arrays = arrays
        self._size = sizes.pop()

    def _iterator(self):
        arrays, size = self._arrays, self._size
        pack = es.make_packer(self._structure)
        if len(arrays) == 1 and not es.is_structure(self._structure):
            (a,) = arrays
            return (Tensor(a[i, ...]) for i in range(size))
        if pack is tuple:
            return (tuple([Tensor(a[i, ...]) for a in arrays]) for i in range(size))
        return (pack([Tensor(a[i, ...]) for a in arrays]) for i in range(size))

    def _cardinality(self) -> int:
        return self._size

    def _compute_element_spec(self):
        specs = [TensorSpec(a.shape[1:], dtypes.from_numpy(a.dtype)) for a in self._arrays]
        return nest.pack_sequence_as(self._structure, specs)

    def _bulk_source(self) -> BulkSource:
        return BulkSource(self._arrays, self._structure, self._size)


class RangeDataset(Dataset):
    _CHUNK = 1024

    def __init__(self, *args, dtype=None):
        super().__init__()
        if not 1 <= len(args) <= 3:
            raise TypeError(f"Dataset.range takes 1 to 3 arguments (start, stop, step), "
                            f"got {len(args)}.")
        values = [int(a._value) if isinstance(a, Tensor) else int(a) for a in args]
        start, stop, step = (0, values[0], 1) if len(values) == 1 else (*values, 1)[:3]
        if step == 0:
            raise errors.InvalidArgumentError("Dataset.range: `step` must not be 0.")
        self._range = range(start, stop, step)
        self._dtype = dtypes.as_dtype(dtype if dtype is not None else dtypes.int64)

    def _iterator(self):
        np_dtype = self._dtype.np_dtype
        for begin in range(0, len(self._range), self._CHUNK):
            chunk = np.asarray(self._range[begin:begin + self._CHUNK], dtype=np_dtype)
            for i in range(len(chunk)):
                yield Tensor(chunk[i, ...])

    def _cardinality(self) -> int:
        return len(self._range)

    def _compute_element_spec(self):
        return TensorSpec([], self._dtype)


class GeneratorDataset(Dataset):
    def __init__(self, generator, output_types, output_shapes, args, output_signature):
        super().__init__()
        if not callable(generator):
            raise TypeError("from_generator: `generator` must be a callable that returns an "
                            "iterable (pass the generator function, not a generator object).")
        if output_signature is not None:
            if output_types is not None or output_shapes is not None:
                raise TypeError("from_generator: give `output_signature` or "
                                "`output_types`/`output_shapes`, not both.")
            signature = es.map_specs(_as_spec, output_signature)
        elif output_types is not None:
            signature = _signature_from_types(output_types, output_shapes)
        else:
            raise TypeError("from_generator: `output_signature` must be given (a nested "
                            "TensorSpec describing each element).")
        self._generator = generator
        self._args = tuple(args) if args is not None else ()
        self._signature = signature

    def _iterator(self):
        args = [np.asarray(a._value) if isinstance(a, Tensor) else a for a in self._args]
        signature = self._signature
        for value in self._generator(*args):
            yield _conform(value, signature)

    def _compute_element_spec(self):
        return self._signature


def _as_spec(spec):
    if isinstance(spec, TensorSpec):
        return spec
    raise TypeError(f"from_generator: `output_signature` must be a nested structure of "
                    f"TensorSpec, found {spec!r}.")


def _signature_from_types(types, shapes):
    if es.is_structure(types):
        flat_types = nest.flatten(types)
        flat_shapes = ([None] * len(flat_types) if shapes is None
                       else _flatten_shapes(types, shapes))
        specs = [TensorSpec(TensorShape(s), t) for t, s in zip(flat_types, flat_shapes)]
        return nest.pack_sequence_as(types, specs)
    return TensorSpec(TensorShape(shapes), types)


def _flatten_shapes(types, shapes) -> list:
    if isinstance(types, dict):
        return [s for key in sorted(types) for s in _flatten_shapes(types[key], shapes[key])]
    if isinstance(types, tuple):
        return [s for t, sh in zip(types, shapes) for s in _flatten_shapes(t, sh)]
    return [shapes]


def _conform(value, spec):
    """``value`` as tensors of ``spec``'s dtypes, checked against its shapes."""
    if isinstance(spec, dict):
        if not isinstance(value, dict) or set(value) != set(spec):
            raise _mismatch(value, spec)
        return {key: _conform(value[key], spec[key]) for key in spec}
    if isinstance(spec, tuple):
        if not isinstance(value, (tuple, list)) or len(value) != len(spec):
            raise _mismatch(value, spec)
        items = [_conform(v, s) for v, s in zip(value, spec)]
        return type(spec)(*items) if hasattr(type(spec), "_fields") else tuple(items)
    if isinstance(value, Tensor):
        array = value._value
    elif spec.dtype is dtypes.string:
        array = convert_to_tensor(value)._value
    else:
        try:
            array = np.asarray(value, dtype=spec.dtype.np_dtype)
        except (TypeError, ValueError) as error:
            raise TypeError(f"`generator` yielded an element that could not be converted to "
                            f"the expected type {spec.dtype.name}: {value!r:.80} ({error})"
                            ) from None
    if array.dtype != spec.dtype.np_dtype and spec.dtype is not dtypes.string:
        raise TypeError(f"`generator` yielded an element of type {array.dtype} where an "
                        f"element of type {spec.dtype.name} was expected.")
    if not spec.shape.is_compatible_with(TensorShape(array.shape)):
        raise errors.InvalidArgumentError(
            f"`generator` yielded an element of shape {array.shape} where an element of "
            f"shape {tuple(spec.shape.dims or ())} was expected.")
    return Tensor(array)


def _mismatch(value, spec) -> Exception:
    return TypeError(f"`generator` yielded an element that did not match the expected "
                     f"structure. The expected structure was {spec}, but the yielded "
                     f"element was {value!r:.120}.")


class ZipDataset(Dataset):
    def __init__(self, structure):
        datasets = nest.flatten(structure)
        for dataset in datasets:
            if not isinstance(dataset, Dataset):
                raise TypeError(f"Dataset.zip: expected a (nested) structure of datasets, "
                                f"found {type(dataset).__name__}.")
        if not datasets:
            raise ValueError("Dataset.zip needs at least one dataset.")
        super().__init__(datasets)
        self._structure = structure

    def _iterator(self):
        structure = self._structure
        if type(structure) is tuple and len(self._inputs) == len(structure):
            return zip(*[d._iterator() for d in self._inputs])
        return (nest.pack_sequence_as(structure, list(items))
                for items in zip(*[d._iterator() for d in self._inputs]))

    def _cardinality(self) -> int:
        return es.zip_cardinality(d._cardinality() for d in self._inputs)

    def _compute_element_spec(self):
        return nest.pack_sequence_as(self._structure, [d.element_spec for d in self._inputs])


class ConcatenateDataset(Dataset):
    def __init__(self, first: Dataset, second: Dataset):
        if not isinstance(second, Dataset):
            raise TypeError(f"concatenate: expected a Dataset, got {type(second).__name__}.")
        super().__init__((first, second))
        self._spec = self._compute_element_spec()  # incompatible datasets fail here, as in TF

    def _iterator(self):
        return itertools.chain.from_iterable(d._iterator() for d in self._inputs)

    def _cardinality(self) -> int:
        return es.concatenate_cardinality(*(d._cardinality() for d in self._inputs))

    def _compute_element_spec(self):
        first, second = self._inputs
        return es.common_spec(first.element_spec, second.element_spec, "concatenate")
