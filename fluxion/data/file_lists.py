"""``Dataset.list_files``: the files matching glob patterns, as a dataset of paths.

As in TensorFlow, the names of every pattern's matches are gathered, sorted together
(duplicates kept when two patterns match one file) and, unless ``shuffle=False``,
shuffled in a new order on each iteration (``seed`` makes the orders repeatable).
No match at all is an ``InvalidArgumentError`` when the dataset is made, naming the
patterns.  Distributed input sharded by file (``AutoShardPolicy.FILE``) splits the
sorted list before the shuffle, so workers get disjoint files whatever the seed.
"""

from __future__ import annotations

import os

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import InvalidArgumentError
from fluxion.core.tensor import Tensor
from fluxion.data import stage_registry
from fluxion.data.dataset import Dataset
from fluxion.io import gfile, tfrecord


def list_files(file_pattern, shuffle=None, seed=None, name=None) -> Dataset:
    """A dataset of the paths matching ``file_pattern`` (a pattern, a list of patterns or
    a string tensor of them), shuffled unless ``shuffle`` is False."""
    patterns = _patterns(file_pattern)
    matches = sorted(path for pattern in patterns for path in gfile.glob(pattern))
    if not matches:
        raise InvalidArgumentError(
            f"Dataset.list_files: No files matched pattern: {', '.join(patterns)} "
            f"(check the directory and the wildcards; patterns use glob syntax: *, ?, [..])")
    names = Dataset.from_tensor_slices(matches)  # str -> scalar tf.string (bytes)
    if shuffle is None or shuffle:
        names = names.shuffle(len(matches), seed=seed)
    return names


def _patterns(file_pattern) -> list[str]:
    if isinstance(file_pattern, Tensor):
        if file_pattern.dtype is not dtypes.string or file_pattern.shape.rank not in (0, 1):
            raise TypeError(f"Dataset.list_files: `file_pattern` must be a scalar or vector "
                            f"tf.string tensor, got {file_pattern.dtype.name} of shape "
                            f"{file_pattern.shape}")
        values = file_pattern.numpy()
        file_pattern = [values] if np.ndim(values) == 0 else list(values)
    elif isinstance(file_pattern, (str, bytes, os.PathLike)):
        file_pattern = [file_pattern]
    elif not isinstance(file_pattern, (list, tuple, np.ndarray)):
        raise TypeError(f"Dataset.list_files: `file_pattern` must be a glob pattern, a list "
                        f"of patterns or a string tensor; got {type(file_pattern).__name__}")
    patterns = [tfrecord.path_str(pattern) for pattern in file_pattern]
    if not patterns:
        raise InvalidArgumentError("Dataset.list_files: `file_pattern` is an empty list")
    return patterns


stage_registry.register("list_files", list_files)
