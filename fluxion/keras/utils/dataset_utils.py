"""``keras.utils.split_dataset`` and the directory indexing shared by the
``*_dataset_from_directory`` utilities."""

from __future__ import annotations

import os
import random

import numpy as np

from fluxion.keras.utils.io_utils import print_msg

# ---- split_dataset ------------------------------------------------------------------------

def split_dataset(dataset, left_size=None, right_size=None, shuffle: bool = False,
                  seed: int | None = None):
    """Splits a dataset, or a tuple/list/dict of equal-length arrays, in two (Keras 3 API).

    Args:
      dataset: a ``Dataset`` (batched datasets are split by element and re-batched), an
        array, or a tuple/list/dict of arrays with the same first dimension.
      left_size: a fraction in (0, 1) or a count of samples for the left part; None
        means the complement of ``right_size``.
      right_size: likewise for the right part (taken from the end).
      shuffle: shuffle the samples before splitting.
      seed: the shuffle seed.

    Returns:
      ``(left, right)``: two ``Dataset`` objects.

    >>> import numpy as np
    >>> left, right = split_dataset(np.arange(10), left_size=0.8)
    >>> int(left.cardinality()), int(right.cardinality())
    (8, 2)
    """
    from fluxion.data import Dataset

    if left_size is None and right_size is None:
        raise ValueError("At least one of the `left_size` or `right_size` must be specified. "
                         "Received: left_size=None and right_size=None")
    batch_size = None
    if isinstance(dataset, Dataset):
        elements = list(dataset.as_numpy_iterator())
        batch_size = _batch_size_of(dataset, elements)
        if batch_size is not None:
            elements = [_row(e, i) for e in elements for i in range(_leading(e))]
        structure = elements[0] if elements else None
        columns = _stack(elements, structure)
    elif isinstance(dataset, (np.ndarray, list, tuple, dict)) or hasattr(dataset, "numpy"):
        columns = _as_arrays(dataset)
    else:
        raise TypeError(f"The `dataset` argument must be either a `Dataset` object, or a "
                        f"list/tuple of arrays. Received: dataset={dataset!r:.80} of type "
                        f"{type(dataset)}")
    total = _leading(columns)
    order = list(range(total))
    if shuffle:
        random.Random(random.randint(0, int(1e6)) if seed is None else seed).shuffle(order)
    left, right = _split_sizes(left_size, right_size, total)
    order = np.asarray(order, dtype=np.int64)
    parts = []
    for indices in (order[:left], order[total - right:]):
        part = Dataset.from_tensor_slices(_take(columns, indices))
        parts.append(part.batch(batch_size) if batch_size else part)
    return tuple(parts)


def _as_arrays(value):
    if isinstance(value, dict):
        return {k: _as_arrays(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_as_arrays(v) for v in value)
    if isinstance(value, list) and value and isinstance(value[0], np.ndarray) \
            and len({len(v) for v in value}) == 1 and len(value) > 1 \
            and value[0].ndim >= 1 and len(value[0]) != len(value):
        return tuple(np.asarray(v) for v in value)  # a list of arrays, as Keras accepts
    return np.asarray(value.numpy() if hasattr(value, "numpy") else value)


def _leading(value) -> int:
    if isinstance(value, dict):
        return _leading(next(iter(value.values())))
    if isinstance(value, tuple):
        return _leading(value[0])
    return len(value) if np.ndim(value) else 0


def _row(value, i):
    if isinstance(value, dict):
        return {k: _row(v, i) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_row(v, i) for v in value)
    return value[i]


def _stack(elements, structure):
    if isinstance(structure, dict):
        return {k: _stack([e[k] for e in elements], structure[k]) for k in structure}
    if isinstance(structure, tuple):
        return tuple(_stack([e[j] for e in elements], s) for j, s in enumerate(structure))
    return np.stack([np.asarray(e) for e in elements]) if elements else np.zeros(0)


def _take(value, indices):
    if isinstance(value, dict):
        return {k: _take(v, indices) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_take(v, indices) for v in value)
    return value[indices]


def _batch_size_of(dataset, elements):
    """The batch size of a dataset made by ``batch`` (through later one-input stages such
    as ``map`` or ``prefetch``), else None: Keras splits such a dataset by sample."""
    stage = dataset
    while stage is not None:
        kind = type(stage).__name__
        if kind in ("BatchDataset", "PaddedBatchDataset"):
            return int(stage._size)
        if kind in ("UnbatchDataset", "RebatchDataset", "FlatMapDataset", "InterleaveDataset"):
            return None
        inputs = getattr(stage, "_inputs", ())
        stage = inputs[0] if len(inputs) == 1 else None
    return None


def _split_sizes(left, right, total: int):
    for name, size in (("left_size", left), ("right_size", right)):
        if size is not None and type(size) not in (int, float):
            raise TypeError(f"Invalid `{name}` Type. Expected: int or float or None, "
                            f"Received: type({name})={type(size)}.")
        if isinstance(size, int) and not 0 < size < total or \
                isinstance(size, float) and not 0 < size < 1:
            raise ValueError(f"`{name}` should be either a positive integer smaller than "
                             f"{total}, or a float within the range `[0, 1]`. Received: "
                             f"{name}={size}")
    if isinstance(left, float) and isinstance(right, float) and left + right > 1:
        raise ValueError("The sum of `left_size` and `right_size` is greater than 1. It must "
                         "be less than or equal to 1.")
    left = round(left * total) if isinstance(left, float) else left
    right = round(right * total) if isinstance(right, float) else right
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError(f"The sum of `left_size` and `right_size` should be smaller than the "
                         f"{total}. Received: left_size + right_size = {left + right}")
    for size, side in ((left, "left"), (right, "right")):
        if size == 0:
            raise ValueError(f"With `dataset` of length={total}, `left_size`={left} and "
                             f"`right_size`={right}, the {side} side dataset split would be "
                             "empty. Adjust any of the aforementioned parameters")
    return int(left), int(right)


# ---- directory indexing -------------------------------------------------------------------

def index_directory(directory: str, labels, formats: tuple, class_names=None,
                    shuffle: bool = True, seed: int | None = None, follow_links: bool = False,
                    verbose: bool = True):
    """``(file_paths, labels, class_names)`` for the files of ``directory`` (Keras's rules).

    With ``labels="inferred"`` each subfolder (sorted, or in ``class_names`` order) is a
    class; files are found recursively, in sorted order, by extension (``formats``,
    lower case).  With ``labels`` a list, it gives the label of each file in sorted order;
    with None, there are no labels.
    """
    if not os.path.isdir(directory):
        raise ValueError(f"Directory {directory!r} does not exist or is not a folder.")
    if labels == "inferred":
        subdirs = [d for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
        if class_names is not None:
            if not set(class_names).issubset(subdirs):
                raise ValueError(f"The `class_names` passed did not match the names of the "
                                 f"subdirectories of the target directory. Expected: {subdirs} "
                                 f"(or a subset of it), but received: class_names={class_names}")
            subdirs = list(class_names)
    else:
        if class_names is not None:
            raise ValueError("When `labels=None` (no labels), argument `class_names` cannot "
                             "be specified." if labels is None else
                             "When argument `labels` is specified, argument `class_names` "
                             "cannot be specified (the `class_names` will be the sorted list "
                             "of labels).")
        subdirs = [""]
    filenames, found_labels = [], []
    for index, subdir in enumerate(subdirs):
        for path in _walk_files(os.path.join(directory, subdir), follow_links, formats):
            filenames.append(path)
            found_labels.append(index)
    if labels == "inferred":
        labels = np.asarray(found_labels, dtype=np.int32)
        class_names = subdirs
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(filenames):
            raise ValueError(f"Expected the lengths of `labels` to match the number of files in "
                             f"the target directory. len(labels) is {len(labels)} while we "
                             f"found {len(filenames)} files in directory {directory}.")
        class_names = [str(label) for label in sorted(set(labels))]
        labels = np.asarray(labels)
    if verbose:
        print_msg(f"Found {len(filenames)} files." if labels is None else
                  f"Found {len(filenames)} files belonging to {len(class_names)} classes.")
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(filenames)
        if labels is not None:
            np.random.RandomState(seed).shuffle(labels)
    return filenames, labels, class_names


def _walk_files(folder: str, follow_links: bool, formats: tuple):
    walk = sorted(os.walk(folder, followlinks=follow_links), key=lambda entry: entry[0])
    for root, _, files in walk:
        for name in sorted(files):
            if name.lower().endswith(formats):
                yield os.path.join(root, name)


def check_validation_split(validation_split, subset, shuffle: bool, seed) -> None:
    """Keras's checks on ``validation_split`` / ``subset`` / ``seed``."""
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: "
                         f"{validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f'`subset` must be either "training", "validation" or "both", '
                         f"received: {subset}")
    if validation_split and shuffle and seed is None:
        raise ValueError("If using `validation_split` and shuffling the data, you must "
                         "provide a `seed` argument, to make sure that there is no overlap "
                         "between the training and validation subset.")


def take_subset(samples, labels, validation_split, subset: str, verbose: bool = True):
    """The training or validation share of ``samples`` (validation: the last part)."""
    if not validation_split:
        return samples, labels
    count = int(validation_split * len(samples))
    if subset == "training":
        if verbose:
            print_msg(f"Using {len(samples) - count} files for training.")
        cut = slice(None, len(samples) - count)
    else:
        if verbose:
            print_msg(f"Using {count} files for validation.")
        cut = slice(len(samples) - count, None)
    return samples[cut], (None if labels is None else labels[cut])


def encode_labels(labels, label_mode: str | None, num_classes: int):
    """Labels as Keras gives them: int32 ids, float32 one-hot, or float32 [n, 1] binary."""
    labels = np.asarray(labels)
    if label_mode == "int":
        return labels.astype(np.int32)
    if label_mode == "binary":
        return labels.astype(np.float32).reshape(-1, 1)
    if label_mode == "categorical":
        return np.eye(num_classes, dtype=np.float32)[labels.astype(np.int64)]
    raise ValueError(f'`label_mode` argument must be one of "int", "categorical", "binary", '
                     f"or None. Received: label_mode={label_mode}")


def check_label_mode(labels, label_mode, class_names) -> None:
    """Keras's checks between ``labels``, ``label_mode`` and the number of classes."""
    if labels not in ("inferred", None) and not isinstance(labels, (list, tuple, np.ndarray)):
        raise ValueError(f"`labels` argument should be a list/tuple of integer labels, of "
                         f'the same size as the number of files in the target directory. If '
                         f'you wish to infer the labels from the subdirectory names in the '
                         f'target directory, pass `labels="inferred"`. If you wish to get a '
                         f"dataset that only contains data (no labels), pass `labels=None`. "
                         f"Received: labels={labels}")
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError(f'`label_mode` argument must be one of "int", "categorical", '
                         f'"binary", or None. Received: label_mode={label_mode}')
    if labels is None or label_mode is None:
        return
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f'When passing `label_mode="binary"`, there must be exactly 2 '
                         f"class_names. Received: class_names={class_names}")
