"""``tf.data.experimental`` pipelines run both by TensorFlow (to make the fixture) and by
Fluxion: ``name -> build(tf) -> dataset``.  ``make_experimental_fixture.py`` records
TensorFlow's elements and cardinalities; ``test_data_experimental.py`` compares."""

import numpy as np


def _sequences(tf):
    lengths = [1, 5, 2, 7, 3, 4, 8, 2]
    return tf.data.Dataset.from_generator(
        lambda: (np.arange(n, dtype=np.int32) + 1 for n in lengths),
        output_signature=tf.TensorSpec([None], tf.int32))


def _sum_reducer(tf):
    return tf.data.experimental.Reducer(lambda key: tf.constant(0, tf.int64),
                                        lambda state, x: state + x, lambda state: state)


PIPELINES = {
    "group_by_window": lambda tf: tf.data.Dataset.range(10).apply(
        tf.data.experimental.group_by_window(lambda x: x % 3, lambda k, w: w.batch(4),
                                             window_size=4)),
    "group_by_window_size_func": lambda tf: tf.data.Dataset.range(12).apply(
        tf.data.experimental.group_by_window(lambda x: x % 2,
                                             lambda k, w: w.batch(5).map(lambda b: b * 10),
                                             window_size_func=lambda k: k + 2)),
    "group_by_reducer": lambda tf: tf.data.Dataset.range(10).apply(
        tf.data.experimental.group_by_reducer(lambda x: x % 3, _sum_reducer(tf))),
    "bucket_by_sequence_length": lambda tf: _sequences(tf).apply(
        tf.data.experimental.bucket_by_sequence_length(
            lambda x: tf.shape(x)[0], [3, 6], [2, 2, 2])),
    "bucket_pad_to_boundary": lambda tf: _sequences(tf).apply(
        tf.data.experimental.bucket_by_sequence_length(
            lambda x: tf.shape(x)[0], [3, 9], [2, 2, 2], pad_to_bucket_boundary=True,
            padding_values=-1)),
    "map_and_batch": lambda tf: tf.data.Dataset.range(10).apply(
        tf.data.experimental.map_and_batch(lambda x: x * 2, 4)),
    "map_and_batch_drop": lambda tf: tf.data.Dataset.range(10).apply(
        tf.data.experimental.map_and_batch(lambda x: (x, -x), 4, drop_remainder=True)),
    "unbatch": lambda tf: tf.data.Dataset.range(6).batch(4).apply(
        tf.data.experimental.unbatch()),
    "unique": lambda tf: tf.data.Dataset.from_tensor_slices([3, 1, 3, 2, 1]).apply(
        tf.data.experimental.unique()),
    "take_while": lambda tf: tf.data.Dataset.range(10).apply(
        tf.data.experimental.take_while(lambda x: x < 4)),
    "scan": lambda tf: tf.data.Dataset.range(5).apply(
        tf.data.experimental.scan(tf.constant(0, tf.int64), lambda s, x: (s + x, s * 10))),
    "enumerate_dataset": lambda tf: tf.data.Dataset.from_tensor_slices([7, 8]).apply(
        tf.data.experimental.enumerate_dataset(start=5)),
    "parallel_interleave": lambda tf: tf.data.Dataset.range(1, 4).apply(
        tf.data.experimental.parallel_interleave(
            lambda x: tf.data.Dataset.from_tensors(x).repeat(x), cycle_length=2)),
    "choose_from_datasets": lambda tf: tf.data.experimental.choose_from_datasets(
        [tf.data.Dataset.range(3), tf.data.Dataset.range(10, 13)],
        tf.data.Dataset.from_tensor_slices(np.array([0, 1, 1, 0, 0], np.int64))),
    "counter": lambda tf: tf.data.experimental.Counter(4, 3).take(4),
    "from_list": lambda tf: tf.data.experimental.from_list([(1, "a"), (2, "b")]),
    "pad_to_cardinality": lambda tf: tf.data.Dataset.from_tensor_slices(
        {"x": np.array([1.5, 2.5], np.float32)}).apply(
        tf.data.experimental.pad_to_cardinality(4)),
    "dense_to_ragged_batch": lambda tf: _sequences(tf).apply(
        tf.data.experimental.dense_to_ragged_batch(3)).map(lambda r: r.to_tensor()),
    "dense_to_ragged_batch_dense": lambda tf: tf.data.Dataset.from_tensor_slices(
        np.arange(6).reshape(3, 2)).apply(tf.data.experimental.dense_to_ragged_batch(2)),
    "dense_to_sparse_batch": lambda tf: _sequences(tf).apply(
        tf.data.experimental.dense_to_sparse_batch(3, [10])).map(tf.sparse.to_dense),
    "shuffle_and_repeat_count": lambda tf: tf.data.Dataset.range(3).apply(
        tf.data.experimental.shuffle_and_repeat(1, count=2)),
}
