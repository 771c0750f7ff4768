"""Grouping elements by key: ``tf.data.experimental.group_by_window``,
``group_by_reducer`` (with ``Reducer``) and ``bucket_by_sequence_length``.

``group_by_window`` gathers the elements of each key into windows of ``window_size``;
each full window (and, at the end of the input, each partial one, in the order their
keys first appeared) is handed as a dataset to ``reduce_func(key, window)``, whose
output dataset's elements come out.  ``group_by_reducer`` folds each key's elements
into a state and emits ``finalize_func(state)`` per key at the end.
"""

from __future__ import annotations

import numpy as np

from fluxion.data import element_spec as es
from fluxion.data.dataset import Dataset


def _key(value) -> int:
    array = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
    if array.shape != () or array.dtype.kind not in "iu":
        raise ValueError(f"key_func must return an int64 scalar, got {array.dtype} of shape "
                         f"{list(array.shape)}")
    return int(array)


def _window_dataset(elements: list) -> Dataset:
    from fluxion.data.experimental_sources import from_list

    return from_list(elements)


class _GroupByWindowDataset(Dataset):
    def __init__(self, dataset, key_func, reduce_func, window_size_func):
        super().__init__((dataset,))
        self._key_func, self._reduce_func = key_func, reduce_func
        self._window_size_func = window_size_func

    def _iterator(self):
        windows, sizes = {}, {}
        for element in self._inputs[0]._iterator():
            key = _key(es.unpack_call(self._key_func, element))
            if key not in windows:
                windows[key] = []
                sizes[key] = _key(self._window_size_func(key))
                if sizes[key] <= 0:
                    raise ValueError(f"group_by_window: window size for key {key} must be "
                                     f"positive, got {sizes[key]}")
            windows[key].append(element)
            if len(windows[key]) == sizes[key]:
                yield from self._reduce(key, windows[key])
                windows[key] = []
        for key, elements in windows.items():
            if elements:
                yield from self._reduce(key, elements)

    def _reduce(self, key, elements):
        from fluxion.core.tensor import convert_to_tensor

        output = self._reduce_func(convert_to_tensor(np.int64(key)), _window_dataset(elements))
        if not isinstance(output, Dataset):
            raise TypeError(f"group_by_window: reduce_func must return a Dataset, got "
                            f"{type(output).__name__}")
        yield from output._iterator()

    def _compute_element_spec(self):
        """``reduce_func``'s output spec on a window standing for any window (a batch of
        unknown size...); the first element's spec if ``reduce_func`` must iterate."""
        from fluxion.core.tensor import convert_to_tensor
        from fluxion.data.dataset import SpecOnlyDataset

        window = SpecOnlyDataset(self._inputs[0].element_spec)
        try:
            output = self._reduce_func(convert_to_tensor(np.int64(0)), window)
            return output.element_spec
        except TypeError:
            return Dataset._compute_element_spec(self)


def group_by_window(key_func, reduce_func, window_size=None, window_size_func=None):
    """A transformation grouping elements by ``key_func`` into windows (see module doc)."""
    if (window_size is None) == (window_size_func is None):
        raise ValueError("group_by_window: give exactly one of window_size and "
                         "window_size_func")
    size_func = window_size_func or (lambda key: np.int64(window_size))
    return lambda dataset: _GroupByWindowDataset(dataset, key_func, reduce_func, size_func)


class Reducer:
    """How ``group_by_reducer`` folds a group: ``init_func(key) -> state``,
    ``reduce_func(state, element) -> state``, ``finalize_func(state) -> output``."""

    def __init__(self, init_func, reduce_func, finalize_func):
        self.init_func, self.reduce_func = init_func, reduce_func
        self.finalize_func = finalize_func


class _GroupByReducerDataset(Dataset):
    def __init__(self, dataset, key_func, reducer: Reducer):
        super().__init__((dataset,))
        self._key_func, self._reducer = key_func, reducer

    def _iterator(self):
        from fluxion.core.tensor import convert_to_tensor

        states = {}
        for element in self._inputs[0]._iterator():
            key = _key(es.unpack_call(self._key_func, element))
            if key not in states:
                states[key] = self._reducer.init_func(convert_to_tensor(np.int64(key)))
            states[key] = self._reducer.reduce_func(states[key], element)
        for state in states.values():
            yield es.normalize_function_output(self._reducer.finalize_func(state))


def group_by_reducer(key_func, reducer: Reducer):
    """A transformation folding each key's elements with ``reducer``; one output per key."""
    return lambda dataset: _GroupByReducerDataset(dataset, key_func, reducer)


def bucket_by_sequence_length(element_length_func, bucket_boundaries, bucket_batch_sizes,
                              padded_shapes=None, padding_values=None,
                              pad_to_bucket_boundary=False, no_padding=False,
                              drop_remainder=False):
    """A transformation batching elements of similar length together.

    An element of length ``n`` goes to the first bucket whose boundary is above ``n``;
    bucket ``i`` is batched ``bucket_batch_sizes[i]`` at a time and padded to its longest
    element (or, with ``pad_to_bucket_boundary``, to its boundary minus one).
    """
    boundaries = [int(b) for b in bucket_boundaries]
    sizes = [int(s) for s in bucket_batch_sizes]
    if len(sizes) != len(boundaries) + 1:
        raise ValueError(f"bucket_by_sequence_length: {len(boundaries)} boundaries need "
                         f"{len(boundaries) + 1} batch sizes, got {len(sizes)}")
    if boundaries != sorted(boundaries):
        raise ValueError(f"bucket_by_sequence_length: boundaries must be sorted, got "
                         f"{boundaries}")

    def key_func(*element):
        length = _key(element_length_func(*element))
        return np.int64(int(np.searchsorted(boundaries, length, side="right")))

    def batch(key, window):
        size = sizes[_key(key)]
        if no_padding:
            return window.batch(size, drop_remainder=drop_remainder)
        shapes = padded_shapes
        if pad_to_bucket_boundary:
            bucket = _key(key)
            if bucket == len(boundaries):
                raise ValueError("bucket_by_sequence_length: with pad_to_bucket_boundary "
                                 "every length must be below the last boundary")
            target = boundaries[bucket] - 1
            shapes = es.map_specs(
                lambda s: [target if d is None else d for d in s.shape.as_list()],
                window.element_spec) if shapes is None else shapes
        return window.padded_batch(size, padded_shapes=shapes, padding_values=padding_values,
                                   drop_remainder=drop_remainder)

    return group_by_window(key_func, batch, window_size_func=lambda key: sizes[_key(key)])
