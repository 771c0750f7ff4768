"""Deterministic pipelines run both by tf.data (to make the fixture) and by fluxion.data.

Each entry is ``name -> build(tf) -> dataset`` where ``tf`` is ``tensorflow`` or
``fluxion``; only names both share are used.  ``make_tf_fixtures.py`` records TF's
outputs, cardinalities and element specs; ``test_tf_parity.py`` compares.
"""

import numpy as np


def _lengths(tf):
    return tf.data.Dataset.range(1, 6).map(lambda x: tf.fill([x], x))


PIPELINES = {
    "range": lambda tf: tf.data.Dataset.range(2, 11, 3),
    "range_negative_step": lambda tf: tf.data.Dataset.range(5, 0, -2),
    "range_empty": lambda tf: tf.data.Dataset.range(5, 1),
    "slices_tuple": lambda tf: tf.data.Dataset.from_tensor_slices(
        (np.arange(6).reshape(3, 2).astype(np.float32), np.array([1, 2, 3]))),
    "slices_dict": lambda tf: tf.data.Dataset.from_tensor_slices(
        {"b": np.arange(4), "a": np.array([[1.5], [2.5], [3.5], [4.5]])}),
    "slices_strings": lambda tf: tf.data.Dataset.from_tensor_slices(["ab", "c", "de"]),
    "from_tensors": lambda tf: tf.data.Dataset.from_tensors(([1, 2], 3.0)),
    "batch_remainder": lambda tf: tf.data.Dataset.range(10).batch(4),
    "batch_drop": lambda tf: tf.data.Dataset.range(10).batch(4, drop_remainder=True),
    "slices_batch": lambda tf: tf.data.Dataset.from_tensor_slices(
        (np.arange(14).reshape(7, 2), np.arange(7) * 1.5)).batch(3),
    "map_tuple": lambda tf: tf.data.Dataset.range(5).map(lambda x: (x, x * 2)),
    "map_dict": lambda tf: tf.data.Dataset.range(3).map(lambda x: {"v": x, "sq": x * x}),
    "map_parallel": lambda tf: tf.data.Dataset.range(20).map(
        lambda x: x + 1, num_parallel_calls=4),
    "filter": lambda tf: tf.data.Dataset.range(10).filter(lambda x: x % 3 == 0),
    "flat_map": lambda tf: tf.data.Dataset.range(4).flat_map(
        lambda x: tf.data.Dataset.range(x)),
    "interleave": lambda tf: tf.data.Dataset.range(1, 6).interleave(
        lambda x: tf.data.Dataset.from_tensors(x).repeat(6), cycle_length=2, block_length=4),
    "interleave_uneven": lambda tf: tf.data.Dataset.range(1, 5).interleave(
        lambda x: tf.data.Dataset.range(x), cycle_length=3, block_length=2),
    "take_skip": lambda tf: tf.data.Dataset.range(10).skip(3).take(4),
    "take_all": lambda tf: tf.data.Dataset.range(4).take(-1),
    "skip_all": lambda tf: tf.data.Dataset.range(4).skip(-1),
    "take_while": lambda tf: tf.data.Dataset.range(10).take_while(lambda x: x < 4),
    "repeat": lambda tf: tf.data.Dataset.range(3).repeat(2),
    "enumerate": lambda tf: tf.data.Dataset.from_tensor_slices([7, 8, 9]).enumerate(5),
    "zip": lambda tf: tf.data.Dataset.zip(
        (tf.data.Dataset.range(5), tf.data.Dataset.range(10, 13))),
    "zip_nested": lambda tf: tf.data.Dataset.zip(
        {"a": tf.data.Dataset.range(3), "b": (tf.data.Dataset.range(4),
                                              tf.data.Dataset.range(5))}),
    "concatenate": lambda tf: tf.data.Dataset.range(3).concatenate(tf.data.Dataset.range(7, 9)),
    "window_flat": lambda tf: tf.data.Dataset.range(7).window(3, shift=2).flat_map(
        lambda w: w.batch(3)),
    "window_drop": lambda tf: tf.data.Dataset.range(8).window(
        3, shift=1, stride=2, drop_remainder=True).flat_map(lambda w: w.batch(3)),
    "window_big_shift": lambda tf: tf.data.Dataset.range(10).window(2, shift=4).flat_map(
        lambda w: w.batch(2)),
    "scan": lambda tf: tf.data.Dataset.range(5).scan(
        tf.constant(0, tf.int64), lambda s, x: (s + x, s * 10)),
    "unique": lambda tf: tf.data.Dataset.from_tensor_slices([1, 3, 1, 2, 3, 4]).unique(),
    "shard": lambda tf: tf.data.Dataset.range(10).shard(3, 1),
    "padded_batch": lambda tf: _lengths(tf).padded_batch(2),
    "padded_batch_shapes": lambda tf: _lengths(tf).padded_batch(
        2, padded_shapes=[6], padding_values=tf.constant(-1, tf.int64)),
    "padded_batch_drop": lambda tf: _lengths(tf).padded_batch(2, drop_remainder=True),
    "unbatch": lambda tf: tf.data.Dataset.range(7).batch(3).unbatch(),
    "rebatch": lambda tf: tf.data.Dataset.range(10).batch(4).rebatch(3),
    "rebatch_drop": lambda tf: tf.data.Dataset.range(10).batch(4).rebatch(
        3, drop_remainder=True),
    "cache_repeat": lambda tf: tf.data.Dataset.range(3).cache().repeat(2),
    "prefetch": lambda tf: tf.data.Dataset.range(5).prefetch(2),
    "reduce_in_flat_map": lambda tf: tf.data.Dataset.range(3).map(
        lambda x: tf.data.Dataset.range(x + 2).reduce(tf.constant(0, tf.int64),
                                                        lambda s, y: s + y)),
}

# Cardinality only: pipelines too long to list, or infinite, or unknown.
CARDINALITY = {
    "repeat_forever": lambda tf: tf.data.Dataset.range(3).repeat(),
    "repeat_empty_forever": lambda tf: tf.data.Dataset.range(0).repeat(),
    "take_of_infinite": lambda tf: tf.data.Dataset.range(3).repeat().take(7),
    "skip_of_infinite": lambda tf: tf.data.Dataset.range(3).repeat().skip(7),
    "batch_of_infinite": lambda tf: tf.data.Dataset.range(3).repeat().batch(2),
    "filter_unknown": lambda tf: tf.data.Dataset.range(9).filter(lambda x: x > 2),
    "take_of_unknown": lambda tf: tf.data.Dataset.range(9).filter(lambda x: x > 2).take(2),
    "repeat_of_unknown": lambda tf: tf.data.Dataset.range(9).filter(lambda x: x > 2).repeat(),
    "zip_finite_infinite": lambda tf: tf.data.Dataset.zip(
        (tf.data.Dataset.range(4), tf.data.Dataset.range(2).repeat())),
    "zip_unknown": lambda tf: tf.data.Dataset.zip(
        (tf.data.Dataset.range(4).filter(lambda x: x > 0), tf.data.Dataset.range(2).repeat())),
    "concat_infinite": lambda tf: tf.data.Dataset.range(2).concatenate(
        tf.data.Dataset.range(2).repeat()),
    "shard_rest": lambda tf: tf.data.Dataset.range(10).shard(4, 3),
    "window_card": lambda tf: tf.data.Dataset.range(10).window(4, shift=3),
    "window_drop_card": lambda tf: tf.data.Dataset.range(10).window(
        4, shift=3, stride=2, drop_remainder=True),
    "unbatch_card": lambda tf: tf.data.Dataset.range(10).batch(3).unbatch(),
    "rebatch_card": lambda tf: tf.data.Dataset.range(10).batch(4).rebatch(3),
    "flat_map_card": lambda tf: tf.data.Dataset.range(3).flat_map(
        lambda x: tf.data.Dataset.range(x)),
    "generator_card": lambda tf: tf.data.Dataset.from_generator(
        lambda: iter([1, 2]), output_signature=tf.TensorSpec([], tf.int32)),
    "take_while_card": lambda tf: tf.data.Dataset.range(5).take_while(lambda x: x < 2),
    "unique_card": lambda tf: tf.data.Dataset.range(5).unique(),
    "scan_card": lambda tf: tf.data.Dataset.range(5).scan(
        tf.constant(0, tf.int64), lambda s, x: (s, x)),
    "enumerate_infinite": lambda tf: tf.data.Dataset.range(2).repeat().enumerate(),
    "padded_batch_card": lambda tf: _lengths(tf).padded_batch(2),
    "ignore_errors_card": lambda tf: tf.data.Dataset.range(3).ignore_errors(),
    "skip_more": lambda tf: tf.data.Dataset.range(3).skip(5),
    "take_zero": lambda tf: tf.data.Dataset.range(3).take(0),
    "repeat_zero": lambda tf: tf.data.Dataset.range(3).repeat(0),
}


def to_json(value):
    """A nested numpy/bytes element as JSON-able lists (dicts keep their keys)."""
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return [to_json(item) for item in value]
    if isinstance(value, bytes):
        return value.decode()
    array = np.asarray(value)
    if array.dtype == object:
        return [to_json(v) for v in array.tolist()]
    return {"dtype": array.dtype.name, "value": array.tolist()}


def spec_json(spec):
    if isinstance(spec, dict):
        return {key: spec_json(item) for key, item in spec.items()}
    if isinstance(spec, (tuple, list)):
        return [spec_json(item) for item in spec]
    return {"shape": spec.shape.as_list() if spec.shape.rank is not None else None,
            "dtype": spec.dtype.name}
