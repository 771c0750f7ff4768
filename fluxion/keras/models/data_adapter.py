"""Turning ``fit``/``evaluate``/``predict`` inputs into batches of tensors.

Accepted: NumPy arrays and tensors (nested in lists, tuples and dicts for multi-input
models), Python generators or iterators of ``(x, y[, sample_weight])``, and
``keras.utils.PyDataset``.  Float arrays are cast to float32 once, as Keras does.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import nest
from fluxion.core.tensor import Tensor, convert_to_tensor


def unpack_x_y_sample_weight(data):
    """``(x, y, sample_weight)`` from a batch that is x, (x,), (x, y) or (x, y, sw)."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError(f"Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
                     f"`(x, y, sample_weight)`, found a tuple of {len(data)} elements.")


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The batch ``train_step`` receives: ``x`` alone when there are no targets (as in Keras
    3), ``(x,)`` when ``x`` is itself a list or tuple, else ``(x, y[, sample_weight])``."""
    if y is None and sample_weight is None:
        return (x,) if isinstance(x, (list, tuple)) else x
    if y is None:
        return (x, None, sample_weight)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def _as_array(value):
    if value is None:
        return None
    if isinstance(value, Tensor):
        value = value._value
    array = np.asarray(value)
    if array.dtype.kind == "f" and array.dtype != np.float32:
        array = array.astype(np.float32)
    return array


def _as_batch_tensor(value):
    """A batch leaf as a tensor; tensors that need no float32 cast pass through as they are."""
    if value is None:
        return None
    if type(value) is Tensor and value._value.dtype.kind != "f" \
            or type(value) is Tensor and value._value.dtype == np.float32:
        return value
    return convert_to_tensor(_as_array(value))


def _to_tensors(structure):
    # convert_to_tensor, not Tensor(): NumPy str arrays become TF-style bytes strings.
    return nest.map_structure(lambda a: None if a is None else convert_to_tensor(a), structure)


def _length(structure) -> int:
    lengths = {len(a) for a in nest.flatten(structure) if a is not None}
    if len(lengths) > 1:
        raise ValueError(f"Data cardinality is ambiguous: the arrays have different numbers of "
                         f"samples: {sorted(lengths)}. Make sure all arrays contain the same "
                         f"number of samples.")
    return lengths.pop() if lengths else 0


def _take(structure, rows):
    return nest.map_structure(lambda a: None if a is None else a[rows], structure)


class ArrayBatches:
    """Batches of in-memory arrays, reshuffled each epoch when ``shuffle``."""

    def __init__(self, x, y=None, sample_weight=None, batch_size: int = 32,
                 shuffle: bool = False, steps: int | None = None, class_weight=None):
        self.data = nest.map_structure(_as_array, pack_x_y_sample_weight(x, y, sample_weight))
        if class_weight is not None:
            self.data = _apply_class_weight(self.data, class_weight)
        self.size = _length(self.data)
        self.batch_size = int(batch_size or 32)
        self.shuffle = shuffle
        self.steps = steps if steps is not None else max(1, -(-self.size // self.batch_size))

    def batches(self):
        order = np.random.permutation(self.size) if self.shuffle else None
        for step in range(self.steps):
            start = (step * self.batch_size) % max(self.size, 1)
            stop = min(start + self.batch_size, self.size)
            rows = order[start:stop] if order is not None else slice(start, stop)
            yield step, _to_tensors(_take(self.data, rows))


class IteratorBatches:
    """Batches from a generator, an iterator or a ``PyDataset``."""

    def __init__(self, source, steps: int | None = None):
        self.source = source
        self._steps_given = steps
        self.steps = steps if steps is not None else _known_length(source)
        self._iterator = None

    def batches(self):
        if hasattr(self.source, "iter_batches"):  # a keras.utils.PyDataset: workers load ahead
            self.source.on_epoch_begin()
            for step, batch in enumerate(self.source.iter_batches()):
                if self.steps is not None and step >= self.steps:
                    break
                yield step, self._standardize(batch)
            self.source.on_epoch_end()
            return
        if hasattr(self.source, "__getitem__") and hasattr(self.source, "__len__") \
                and not isinstance(self.source, (list, tuple)):
            count = len(self.source) if self.steps is None else self.steps
            for step in range(count):
                yield step, self._standardize(self.source[step % len(self.source)])
            if hasattr(self.source, "on_epoch_end"):
                self.source.on_epoch_end()
            return
        one_shot = _is_one_shot(self.source)
        if self._steps_given is None and not one_shot:
            # A re-iterable source (a Dataset, a list) is one epoch per pass.
            for step, batch in enumerate(self.source):
                yield step, self._standardize(batch)
            return
        # steps_per_epoch given, or a generator: one iterator runs on across epochs.
        if self._iterator is None:
            self._iterator = iter(self.source)
        step = 0
        while self.steps is None or step < self.steps:
            try:
                batch = next(self._iterator)
            except StopIteration:
                if one_shot:
                    if step == 0:
                        raise ValueError(
                            "The data generator is exhausted: pass `steps_per_epoch` (and make "
                            "it yield enough batches) to train more than one epoch on a "
                            "generator.") from None
                    return
                self._iterator = iter(self.source)  # start the re-iterable source again
                if step == 0:
                    continue
                return
            yield step, self._standardize(batch)
            step += 1

    @staticmethod
    def _standardize(batch):
        if isinstance(batch, list):
            batch = tuple(batch)
        return nest.map_structure(_as_batch_tensor, batch)


def _known_length(source):
    try:
        return len(source)
    except TypeError:
        return None


def _is_one_shot(source) -> bool:
    return iter(source) is source


def _apply_class_weight(data, class_weight: dict):
    x, y, sample_weight = unpack_x_y_sample_weight(data)
    if y is None:
        raise ValueError("`class_weight` needs targets `y`.")
    labels = y.argmax(axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(len(y), -1)[:, 0]
    weights = np.array([class_weight.get(int(label), 1.0) for label in labels], np.float32)
    if sample_weight is not None:
        weights = weights * sample_weight
    return (x, y, weights)


def make_batches(x, y=None, sample_weight=None, batch_size=None, shuffle=False, steps=None,
                 class_weight=None):
    """The right batcher for the kind of ``x``."""
    if _is_array_like(x):
        return ArrayBatches(x, y, sample_weight, batch_size or 32, shuffle, steps, class_weight)
    if y is not None:
        raise ValueError("`y` argument is not supported when using a generator, an iterator or "
                         "a PyDataset as input: it yields the targets itself.")
    if hasattr(x, "_as_batch_source"):  # a fluxion.data.Dataset
        return IteratorBatches(x._as_batch_source(), steps)
    return IteratorBatches(x, steps)


def _is_array_like(x) -> bool:
    leaves = nest.flatten(x)
    return bool(leaves) and all(isinstance(leaf, (np.ndarray, Tensor, list)) or
                                hasattr(leaf, "__array__") for leaf in leaves) \
        and not hasattr(x, "__next__")


def split_for_validation(x, y, sample_weight, validation_split: float):
    """Keras's validation_split: the last fraction of the samples, taken before shuffling."""
    if not 0 < validation_split < 1:
        raise ValueError(f"validation_split must be between 0 and 1, got {validation_split}")
    data = nest.map_structure(_as_array, pack_x_y_sample_weight(x, y, sample_weight))
    size = _length(data)
    cut = int(size * (1.0 - validation_split))
    if cut == 0 or cut == size:
        raise ValueError(f"validation_split={validation_split} leaves no training or no "
                         f"validation samples out of {size}.")
    train = nest.map_structure(lambda a: None if a is None else a[:cut], data)
    valid = nest.map_structure(lambda a: None if a is None else a[cut:], data)
    return unpack_x_y_sample_weight(train), unpack_x_y_sample_weight(valid)
