"""``Dataset.list_files``: the files matching glob patterns, as a dataset of paths.

As in TensorFlow, the names of every pattern's matches are gathered, sorted together
(duplicates kept when two patterns match one file) and, unless ``shuffle=False``,
shuffled in a new order on each iteration (``seed`` makes the orders repeatable).
No match at all is an ``InvalidArgumentError`` when the dataset is made, naming the
patterns.  Distributed input sharded by file (``AutoShardPolicy.FILE``) splits the
sorted list before the shuffle, so workers get disjoint files whatever the seed.
"""

from __future__ import annotations

from fluxion.core.errors import InvalidArgumentError
from fluxion.data import stage_registry
from fluxion.data.dataset import Dataset
from fluxion.data.readers import string_list
from fluxion.io import gfile


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
    return string_list(file_pattern, "Dataset.list_files", "file_pattern",
                       "a glob pattern, a list of patterns or a string tensor")


stage_registry.register("list_files", list_files)
