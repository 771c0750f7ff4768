"""``keras.utils.text_dataset_from_directory``: a folder of ``.txt`` files as a dataset."""

from __future__ import annotations

import os

import numpy as np

from fluxion.io.tfrecord import path_str
from fluxion.keras.utils import dataset_utils


def text_dataset_from_directory(directory: str, labels="inferred", label_mode: str | None = "int",
                                class_names=None, batch_size: int | None = 32,
                                max_length: int | None = None, shuffle: bool = True,
                                seed: int | None = None, validation_split: float | None = None,
                                subset: str | None = None, follow_links: bool = False,
                                verbose: bool = True):
    """A dataset of ``(texts, labels)`` from a folder of ``.txt`` files (Keras 3 API).

    With ``labels="inferred"`` each subfolder of ``directory`` is a class (in sorted
    order, or ``class_names`` order).

    Args:
      directory: the root folder.
      labels: ``"inferred"``, a list of labels (one per file, in sorted path order), or
        None for texts only.
      label_mode: ``"int"`` (int32), ``"categorical"`` (float32 one-hot), ``"binary"``
        (float32 ``[.., 1]``, two classes) or None.
      class_names: the classes to use, in order (with inferred labels).
      batch_size: texts per batch; None for single texts.
      max_length: keep at most this many bytes of each text.
      shuffle, seed: shuffle the files (and the elements) with this seed.
      validation_split, subset: hold out the last ``validation_split`` of the files;
        ``subset`` is ``"training"``, ``"validation"`` or ``"both"`` (a list of two).
      follow_links: follow symbolic links to folders.
      verbose: print how many files were found.

    Returns:
      A ``Dataset`` with a ``class_names`` attribute (or a list of two with ``"both"``).
    """
    if labels not in ("inferred", None) and label_mode is None:
        label_mode = "int"
    dataset_utils.check_validation_split(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, found, class_names = dataset_utils.index_directory(
        directory, labels, (".txt",), class_names=class_names, shuffle=shuffle, seed=seed,
        follow_links=follow_links, verbose=verbose)
    dataset_utils.check_label_mode(labels, label_mode, class_names or [])
    if labels is None or label_mode is None:
        found = None
    subsets = ["training", "validation"] if subset == "both" else [subset]
    datasets = []
    for part in subsets:
        part_paths, part_labels = dataset_utils.take_subset(paths, found, validation_split,
                                                            part, verbose)
        if not part_paths:
            raise ValueError(f"No text files found in directory {directory}. Allowed format: "
                             ".txt")
        dataset = _texts_dataset(part_paths, part_labels, label_mode,
                                 len(class_names or []), max_length, shuffle, seed, batch_size)
        dataset.class_names = class_names
        datasets.append(dataset)
    return datasets if subset == "both" else datasets[0]


def _texts_dataset(paths, labels, label_mode, num_classes, max_length, shuffle, seed,
                   batch_size):
    from fluxion.core.tensor import convert_to_tensor
    from fluxion.data import Dataset

    def read(path):
        with open(path_str(path), "rb") as handle:
            text = handle.read() if max_length is None else handle.read(max_length)
        return convert_to_tensor(text)

    source = np.array([os.fsencode(p) for p in paths], dtype=object)
    if labels is None:
        dataset = Dataset.from_tensor_slices(source)
    else:
        encoded = dataset_utils.encode_labels(labels, label_mode, num_classes)
        dataset = Dataset.from_tensor_slices((source, encoded))
    if shuffle:
        dataset = dataset.shuffle(batch_size * 8 if batch_size else 1024, seed=seed)
    dataset = dataset.map(read if labels is None else lambda path, label: (read(path), label))
    if batch_size is not None:
        dataset = dataset.batch(batch_size)
    return dataset.prefetch(-1)
