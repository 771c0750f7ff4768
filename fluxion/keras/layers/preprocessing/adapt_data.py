"""What ``adapt`` accepts: arrays, tensors, lists, ``fluxion.data.Dataset`` s and other
iterables of batches, turned into NumPy batches for the layers' statistics."""

from __future__ import annotations

import itertools

import numpy as np

from fluxion.core.tensor import Tensor, convert_to_tensor


def is_dataset(data) -> bool:
    try:
        from fluxion.data.dataset import Dataset
    except ImportError:  # pragma: no cover - fluxion.data is optional for this module
        return False
    return isinstance(data, Dataset)


def to_numpy(batch) -> np.ndarray:
    """A batch (tensor, array, nested list of numbers or strings) as a NumPy array;
    strings become an object array of ``bytes``."""
    if isinstance(batch, tuple):  # (x, y) batches: adapt reads x
        batch = batch[0]
    if isinstance(batch, np.ndarray) and batch.dtype.kind not in "US":
        return batch
    if hasattr(batch, "numpy") and not isinstance(batch, Tensor):
        batch = batch.numpy()
    return np.asarray(convert_to_tensor(batch).numpy())


def is_single_batch(data) -> bool:
    """Arrays, tensors and lists are one batch; generators and datasets are many."""
    return isinstance(data, (list, tuple, np.ndarray, Tensor)) or hasattr(data, "_read_for_op") \
        or not hasattr(data, "__iter__")


def batches(data, steps: int | None = None):
    """The batches of ``data`` (at most ``steps``), as NumPy arrays."""
    if is_dataset(data) and steps is not None:
        data = data.take(steps)
        steps = None
    iterator = iter(data)
    if steps is not None:
        iterator = itertools.islice(iterator, steps)
    for batch in iterator:
        yield to_numpy(batch)
