"""``AutoShardPolicy`` FILE / DATA / AUTO / OFF: what each worker reads (TF's semantics,
checked against tensorflow 2.21's auto-shard rewrite), in one process."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.core import errors
from fluxion.distribute import auto_shard
from fluxion.distribute.strategy import Strategy

Policy = tf.data.experimental.AutoShardPolicy


def with_policy(dataset, policy):
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = policy
    return dataset.with_options(options)


def parts(dataset, workers):
    """What each worker iterates, as lists of lists."""
    return [[np.asarray(b).tolist() for b in auto_shard.auto_shard(dataset, workers, i)]
            for i in range(workers)]


@pytest.fixture
def text_files(tmp_path):
    paths = []
    for i in range(3):
        path = tmp_path / f"part{i}.txt"
        path.write_text(f"line {i}\nmore {i}\n")
        paths.append(str(path))
    return paths


def decoded(worker_batches):
    return [[[s.decode() for s in batch] for batch in worker] for worker in worker_batches]


def test_data_takes_each_workers_share_of_every_global_batch():
    dataset = tf.data.Dataset.range(16).batch(8)
    expected = [[[0, 1, 2, 3], [8, 9, 10, 11]], [[4, 5, 6, 7], [12, 13, 14, 15]]]
    assert parts(with_policy(dataset, Policy.DATA), 2) == expected
    assert parts(dataset, 2) == expected  # AUTO: no files to split, so by data
    assert auto_shard.policy_of(dataset) == Policy.AUTO


def test_off_gives_every_worker_all_the_data_in_per_replica_batches():
    dataset = with_policy(tf.data.Dataset.range(16).batch(8), Policy.OFF)
    every = [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13, 14, 15]]
    assert parts(dataset, 2) == [every, every]
    part = auto_shard.auto_shard(dataset, 2, 0)
    assert int(part.cardinality()) == 4
    assert part.element_spec.shape.as_list() == [None]
    fixed = auto_shard.auto_shard(with_policy(tf.data.Dataset.range(16).batch(
        8, drop_remainder=True), Policy.OFF), 2, 1)
    assert fixed.element_spec.shape.as_list() == [4]


def test_file_gives_worker_i_files_i_i_plus_n(text_files):
    lines = tf.data.TextLineDataset(text_files).batch(2)
    expected = [[["line 0", "more 0"], ["line 2", "more 2"]], [["line 1", "more 1"]]]
    for dataset in (with_policy(lines, Policy.FILE), lines):  # AUTO reads files: FILE
        per_worker = decoded(parts(dataset, 2))
        # each worker's batches of 2 rows, cut into 2 per-replica batches of 1 row
        assert [[row for batch in worker for row in batch] for worker in per_worker] == \
            [[r for b in worker for r in b] for worker in expected]
        assert all(len(batch) == 1 for worker in per_worker for batch in worker)
    # The original pipeline is left as it was.
    assert sum(1 for _ in tf.data.TextLineDataset(text_files)) == 6


def test_file_shards_the_names_an_interleave_opens(text_files):
    names = tf.data.Dataset.from_tensor_slices(text_files)
    dataset = with_policy(names.interleave(tf.data.TextLineDataset, cycle_length=1)
                          .batch(2), Policy.FILE)
    assert decoded(parts(dataset, 2)) == [[["line 0"], ["more 0"], ["line 2"], ["more 2"]],
                                          [["line 1"], ["more 1"]]]
    flat = names.flat_map(tf.data.TextLineDataset).map(tf.strings.upper).batch(2)
    assert decoded(parts(flat, 2))[1] == [["LINE 1"], ["MORE 1"]]


def test_file_with_parallel_reads_and_tfrecords(tmp_path):
    paths = []
    for i in range(4):
        path = str(tmp_path / f"r{i}.tfrecord")
        with tf.io.TFRecordWriter(path) as writer:
            writer.write(f"record {i}".encode())
        paths.append(path)
    dataset = tf.data.TFRecordDataset(paths, num_parallel_reads=2).batch(2)
    assert decoded(parts(dataset, 2)) == [[["record 0"], ["record 2"]],
                                          [["record 1"], ["record 3"]]]


def test_fewer_files_than_workers_is_an_error_under_file_and_auto(text_files):
    for policy in (Policy.FILE, Policy.AUTO):
        dataset = with_policy(tf.data.TextLineDataset(text_files).batch(2), policy)
        with pytest.raises(errors.InvalidArgumentError,
                           match=r"only has 3 file\(s\), which is not enough for the "
                                 r"required 4 shards/workers"):
            auto_shard.auto_shard(dataset, 4, 0)
    # DATA still works with few files.
    dataset = with_policy(tf.data.TextLineDataset(text_files).batch(4, drop_remainder=True),
                          Policy.DATA)
    assert decoded(parts(dataset, 4))[3] == [["more 1"]]


def test_file_on_a_pipeline_that_reads_no_files_is_an_error():
    dataset = with_policy(tf.data.Dataset.range(8).batch(4), Policy.FILE)
    with pytest.raises(errors.NotFoundError, match="unshardable source dataset "
                                                   r"\(RangeDataset\).*DATA or OFF"):
        auto_shard.auto_shard(dataset, 2, 0)


def test_an_unknown_policy_is_refused():
    with pytest.raises(ValueError, match="OFF, AUTO, FILE or DATA, got 7"):
        auto_shard.policy_of(with_policy(tf.data.Dataset.range(4), 7))


class _Worker(Strategy):
    """A strategy that believes it is worker ``rank`` of ``workers`` (no MPI needed)."""

    def __init__(self, rank, workers):
        self._fixed = (rank, workers)
        super().__init__()

    def _rank(self):
        return self._fixed[0]

    def _workers(self):
        return self._fixed[1]


def test_experimental_distribute_dataset_follows_the_policy_once():
    strategy = _Worker(1, 2)
    dataset = tf.data.Dataset.range(8).batch(4)
    part = strategy.experimental_distribute_dataset(dataset)
    assert [b.numpy().tolist() for b in part] == [[2, 3], [6, 7]]
    again = strategy.experimental_distribute_dataset(part)  # not split a second time
    assert again is part
    off = strategy.experimental_distribute_dataset(with_policy(dataset, Policy.OFF))
    assert [b.numpy().tolist() for b in off] == [[0, 1], [2, 3], [4, 5], [6, 7]]


@pytest.mark.parametrize("seeds", [(None, None), (7, 7), (3, 9)])
def test_file_splits_listed_files_before_their_shuffle(tmp_path, seeds):
    # each worker builds its own pipeline; unseeded or differently seeded shuffles of the
    # file list must still give the workers disjoint files covering all of them
    for i in range(8):
        (tmp_path / f"f{i}.txt").write_text(f"row {i}\n")
    per_worker = []
    for index, seed in enumerate(seeds):
        files = tf.data.Dataset.list_files(str(tmp_path / "*.txt"), seed=seed)
        dataset = with_policy(files.interleave(tf.data.TextLineDataset).batch(2), Policy.FILE)
        rows = [row for batch in auto_shard.auto_shard(dataset, 2, index)
                for row in np.asarray(batch).astype(str).tolist()]
        per_worker.append(sorted(rows))
    assert per_worker == [["row 0", "row 2", "row 4", "row 6"],
                          ["row 1", "row 3", "row 5", "row 7"]]
