"""How ``experimental_distribute_dataset`` splits an input pipeline between workers,
following the pipeline's ``options().experimental_distribute.auto_shard_policy``
(``tf.data.experimental.AutoShardPolicy``), as TensorFlow does:

- ``FILE``: each worker reads its own files: worker ``i`` of ``n`` keeps files
  ``i, i + n, i + 2n, ...`` of the reader at the pipeline's source (a
  ``TextLineDataset``/``TFRecordDataset``/``FixedLengthRecordDataset``/``CsvDataset``,
  or an ``interleave``/``flat_map`` that opens such a reader per file name; file names
  that are shuffled, as ``Dataset.list_files`` does, are split before the shuffle).  Fewer
  files than workers is an ``InvalidArgumentError``; a pipeline that reads no files is a
  ``NotFoundError``.
- ``DATA``: every worker runs the whole pipeline and keeps its share of each global
  batch (worker ``i`` takes rows ``[i*m, (i+1)*m)`` of every batch of ``n*m`` rows).
- ``AUTO`` (the default): ``FILE`` where the pipeline reads files, else ``DATA``.
- ``OFF``: every worker gets all the data.

Under ``FILE`` and ``OFF`` a worker's batches are its pipeline's global batches cut into
``n`` per-replica batches (TF's rebatching), so each step still trains on one global
batch's worth of rows over all workers.
"""

from __future__ import annotations

import copy

from fluxion.core import errors
from fluxion.data.dataset import Dataset
from fluxion.data.options import AutoShardPolicy
from fluxion.data.readers import FileNames
from fluxion.data.shuffle import ShuffleDataset
from fluxion.distribute.sharding import share_of_each_batch, split_each_batch

_POLICY_NAMES = {AutoShardPolicy.OFF: "OFF", AutoShardPolicy.AUTO: "AUTO",
                 AutoShardPolicy.FILE: "FILE", AutoShardPolicy.DATA: "DATA"}


def policy_of(dataset: Dataset) -> int:
    """The pipeline's auto-shard policy (``AUTO`` when unset)."""
    policy = dataset.options().experimental_distribute.auto_shard_policy
    policy = AutoShardPolicy.AUTO if policy is None else int(policy)
    if policy not in _POLICY_NAMES:
        raise ValueError(f"experimental_distribute.auto_shard_policy must be one of "
                         f"AutoShardPolicy.OFF, AUTO, FILE or DATA, got {policy}.")
    return policy


def auto_shard(dataset: Dataset, workers: int, index: int) -> Dataset:
    """This worker's part of ``dataset`` (batched by the global batch size)."""
    policy = policy_of(dataset)
    if policy == AutoShardPolicy.OFF:
        return split_each_batch(dataset, workers)
    if policy == AutoShardPolicy.DATA:
        return share_of_each_batch(dataset, index, workers)
    try:
        sharded = _shard_files(dataset, workers, index)
    except _Unshardable as unshardable:
        if policy == AutoShardPolicy.AUTO:
            return share_of_each_batch(dataset, index, workers)
        raise errors.NotFoundError(
            None, None,
            f"AutoShardPolicy.FILE: found an unshardable source dataset "
            f"({unshardable.source}): the pipeline reads no files to split between "
            f"the {workers} workers. Set options.experimental_distribute."
            f"auto_shard_policy to AutoShardPolicy.DATA or OFF, or read the data "
            f"from files (TextLineDataset, TFRecordDataset, ...).") from None
    return split_each_batch(sharded, workers)


class _Unshardable(Exception):
    def __init__(self, source: str):
        super().__init__(source)
        self.source = source


def _shard_files(dataset: Dataset, workers: int, index: int) -> Dataset:
    """A copy of the pipeline whose file sources keep this worker's files only."""
    if _reads_files(dataset):
        return _with_files(dataset, _shard_names(dataset._files, workers, index))
    if _is_file_interleave(dataset):
        names = dataset._inputs[0]
        return _with_inputs(dataset, (_checked_shard(names, _count(names), workers, index),))
    if not dataset._inputs:
        raise _Unshardable(type(dataset).__name__)
    return _with_inputs(dataset, tuple(_shard_files(d, workers, index)
                                       for d in dataset._inputs))


def _reads_files(dataset: Dataset) -> bool:
    """A reader of a list of files (the text, TFRecord, fixed-length and CSV readers)."""
    return isinstance(getattr(dataset, "_files", None), FileNames)


def _shard_names(files: FileNames, workers: int, index: int) -> FileNames:
    sharded = copy.copy(files)
    if files._dataset is not None:
        sharded._dataset = _checked_shard(files._dataset, _count(files._dataset), workers,
                                          index)
    else:
        _check_enough(len(files._paths), workers)
        sharded._paths = files._paths[index::workers]
    return sharded


def _checked_shard(names: Dataset, count: int, workers: int, index: int) -> Dataset:
    _check_enough(count, workers)
    return _shard_below_shuffles(names, workers, index)


def _shard_below_shuffles(names: Dataset, workers: int, index: int) -> Dataset:
    """``names.shard(workers, index)``, taken under any shuffles of the file names
    (``list_files``' default): every worker shards the same order, whatever the seeds,
    so the workers' files are disjoint and cover the list."""
    if isinstance(names, ShuffleDataset):
        return _with_inputs(names, (_shard_below_shuffles(names._inputs[0], workers, index),))
    return names.shard(workers, index)


def _check_enough(count: int, workers: int) -> None:
    if count < workers:
        raise errors.InvalidArgumentError(
            None, None,
            f"Could not apply FILE based sharding: the dataset only has {count} file(s), "
            f"which is not enough for the required {workers} shards/workers. Set "
            f"options.experimental_distribute.auto_shard_policy to AutoShardPolicy.DATA "
            f"or OFF, or split the input into at least {workers} files.")


def _count(names: Dataset) -> int:
    known = names._cardinality()
    return known if known >= 0 else sum(1 for _ in names)


def _is_file_interleave(dataset: Dataset) -> bool:
    """An ``interleave``/``flat_map`` whose function opens a file reader per element."""
    func = getattr(dataset, "_func", None)
    if func is None or len(dataset._inputs) != 1 or not hasattr(dataset, "_open"):
        return False
    from fluxion.data import element_spec as es

    for element in dataset._inputs[0]:
        opened = es.unpack_call(func, element)
        return isinstance(opened, Dataset) and _contains_reader(opened)
    return False


def _contains_reader(dataset: Dataset) -> bool:
    if _reads_files(dataset):
        return True
    return any(_contains_reader(d) for d in dataset._inputs)


def _with_files(reader: Dataset, files: FileNames) -> Dataset:
    sharded = copy.copy(reader)
    sharded._files = files
    return sharded


def _with_inputs(stage: Dataset, inputs: tuple) -> Dataset:
    """The same stage reading from ``inputs`` (the original pipeline is left as it is)."""
    rebuilt = copy.copy(stage)
    rebuilt._inputs = inputs
    return rebuilt
