"""Costs that must grow linearly: many traces, deep Sequential configs, ZLIB TFRecords."""

import time
import warnings

import numpy as np

import fluxion as tf
from fluxion import keras


def seconds(work) -> float:
    start = time.process_time()
    work()
    return time.process_time() - start


def test_a_new_trace_does_not_scan_every_earlier_trace():
    @tf.function
    def scale(x, n):
        return x * n

    x = tf.constant(1.0)

    def trace(count, offset):
        for i in range(count):
            scale(x, offset + i)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = seconds(lambda: trace(300, 0))
        later = seconds(lambda: trace(300, 10_000))  # 300 more, with 300 traces behind them
    assert scale.experimental_get_tracing_count() == 600
    assert later < 3 * first + 0.5


def test_exact_trace_from_get_concrete_function_is_reused():
    @tf.function
    def double(x):
        return x * 2

    double.get_concrete_function(tf.constant([1.0, 2.0]))
    double(tf.constant([3.0, 4.0]))
    double(tf.constant([5.0, 6.0]))
    assert double.experimental_get_tracing_count() == 1


def test_sequential_from_config_is_linear_in_depth():
    def rebuild(depth):
        model = keras.Sequential([keras.Input((2,))] +
                                 [keras.layers.Dense(2) for _ in range(depth)])
        config = model.get_config()
        return seconds(lambda: keras.Sequential.from_config(config))

    small, large = rebuild(150), rebuild(600)
    assert large < 4 * small * 2 + 0.5  # 4x the layers: well under the 16x of O(n^2)


def test_zlib_tfrecords_read_in_linear_time(tmp_path):
    path = str(tmp_path / "data.tfrecord")
    options = tf.io.TFRecordOptions("ZLIB")

    def write_and_read(count):
        with tf.io.TFRecordWriter(path, options) as writer:
            for i in range(count):
                writer.write(np.int64(i).tobytes() * 4)
        return seconds(lambda: sum(1 for _ in tf.data.TFRecordDataset(path, "ZLIB")))

    small, large = write_and_read(5_000), write_and_read(20_000)
    assert large < 4 * small * 2 + 0.5
