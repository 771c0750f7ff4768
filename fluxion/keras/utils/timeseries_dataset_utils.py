"""``keras.utils.timeseries_dataset_from_array``: sliding windows over an array, lazily."""

from __future__ import annotations

import numpy as np


def timeseries_dataset_from_array(data, targets, sequence_length: int, sequence_stride: int = 1,
                                  sampling_rate: int = 1, batch_size: int | None = 128,
                                  shuffle: bool = False, seed: int | None = None,
                                  start_index: int | None = None,
                                  end_index: int | None = None):
    """A dataset of sliding windows over a timeseries (Keras 3 API).

    Window ``i`` holds ``data[start + p_i + k * sampling_rate]`` for ``k`` in
    ``range(sequence_length)``, where ``p_i = i * sequence_stride`` and ``start`` is
    ``start_index``; its target is ``targets[start + p_i]``.  Windows are gathered
    batch by batch, so no copy of every window is ever held in memory.

    Args:
      data: an array (or tensor) of timesteps along axis 0.
      targets: the target of each window's first timestep, or None.
      sequence_length: timesteps per window.
      sequence_stride: the step between successive windows' starts.
      sampling_rate: the step between timesteps inside a window.
      batch_size: windows per batch; None yields single windows.
      shuffle: shuffle the windows (with ``seed``).
      start_index, end_index: use only ``data[start_index:end_index]``.

    Returns:
      A ``Dataset`` of ``(windows, targets)`` batches, or of windows alone.

    >>> import numpy as np
    >>> ds = timeseries_dataset_from_array(np.arange(6), None, 3, batch_size=None)
    >>> [w.tolist() for w in ds.as_numpy_iterator()]
    [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]]
    """
    from fluxion.core.tensor import convert_to_tensor
    from fluxion.data import Dataset
    from fluxion.ops.array_ops import gather

    data = np.asarray(data.numpy() if hasattr(data, "numpy") else data)
    _check(len(data), sequence_length, sequence_stride, sampling_rate, start_index, end_index)
    start_index = start_index or 0
    end_index = len(data) if end_index is None else end_index
    num_seqs = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = np.asarray(targets.numpy() if hasattr(targets, "numpy") else targets)
        num_seqs = min(num_seqs, len(targets))
    index_dtype = np.int32 if num_seqs < 2**31 - 1 else np.int64
    positions = np.arange(0, max(num_seqs, 0), sequence_stride, dtype=index_dtype)
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(positions)
    window = convert_to_tensor(np.arange(sequence_length, dtype=index_dtype) * sampling_rate)
    series = convert_to_tensor(data[start_index:end_index])
    labels = None if targets is None else convert_to_tensor(targets[start_index:end_index])
    batched = batch_size is not None

    def windows(starts):
        offsets = starts[:, None] + window if batched else starts + window
        if labels is None:
            return gather(series, offsets)
        return gather(series, offsets), gather(labels, starts)

    dataset = Dataset.from_tensor_slices(positions)
    if shuffle:
        dataset = dataset.shuffle(batch_size * 8 if batched else 1024, seed=seed)
    if batched:
        dataset = dataset.batch(batch_size)
    return dataset.map(windows).prefetch(-1)


def _check(length, sequence_length, sequence_stride, sampling_rate, start_index, end_index):
    for name, value in (("sequence_length", sequence_length),
                        ("sequence_stride", sequence_stride), ("sampling_rate", sampling_rate)):
        if not isinstance(value, (int, np.integer)) or value <= 0:
            raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value}")
    for name, value in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if value >= length:
            raise ValueError(f"`{name}` must be lower than the length of the data. "
                             f"Received: {name}={value}, for data of length {length}")
    if start_index is not None and not 0 <= start_index < length:
        raise ValueError(f"`start_index` must be 0 or greater and lower than the length of "
                         f"the data. Received: start_index={start_index}, for data of "
                         f"length {length}")
    if end_index is not None:
        if start_index and end_index <= start_index:
            raise ValueError(f"`end_index` must be higher than `start_index`. Received: "
                             f"start_index={start_index}, and end_index={end_index}")
        if not 0 < end_index < length:
            raise ValueError(f"`end_index` must be higher than 0 and lower than the length of "
                             f"the data. Received: end_index={end_index}, for data of "
                             f"length {length}")
