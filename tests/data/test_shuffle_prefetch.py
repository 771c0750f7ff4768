"""shuffle (buffer semantics, seeds, reshuffling) and prefetch (threads, errors)."""

import gc
import threading
import time

import numpy as np
import pytest

import fluxion as tf
import fluxion.data  # noqa: F401 - until fluxion.__getattr__ serves it
from fluxion.data import Dataset


def order(dataset):
    return [int(v) for v in dataset.as_numpy_iterator()]


def test_shuffle_is_a_permutation_within_buffer_bounds():
    for buffer in (1, 3, 10, 200):
        out = order(Dataset.range(100).shuffle(buffer, seed=5))
        assert sorted(out) == list(range(100))
        # element i cannot come out before position i - buffer + 1
        assert all(position >= value - buffer + 1 for position, value in enumerate(out))
    assert order(Dataset.range(20).shuffle(1)) == list(range(20))


def test_shuffle_seeded_is_deterministic():
    a = order(Dataset.range(50).shuffle(50, seed=3))
    b = order(Dataset.range(50).shuffle(50, seed=3))
    c = order(Dataset.range(50).shuffle(50, seed=4))
    assert a == b and a != c and a != list(range(50))


def test_global_seed_rule():
    tf.random.set_seed(11)
    first = [order(Dataset.range(30).shuffle(30)) for _ in range(2)]
    tf.random.set_seed(11)
    again = [order(Dataset.range(30).shuffle(30)) for _ in range(2)]
    assert first == again
    assert first[0] != first[1]  # two seedless ops draw different streams
    tf.random.set_seed(None)
    assert order(Dataset.range(30).shuffle(30)) != order(Dataset.range(30).shuffle(30))


def test_reshuffle_each_iteration():
    ds = Dataset.range(40).shuffle(40, seed=1)
    assert order(ds) != order(ds)
    fixed = Dataset.range(40).shuffle(40, seed=1, reshuffle_each_iteration=False)
    assert order(fixed) == order(fixed)
    epochs = order(Dataset.range(40).shuffle(40, seed=2).repeat(2))
    assert sorted(epochs[:40]) == list(range(40)) and epochs[:40] != epochs[40:]


def test_shuffle_bulk_path_matches_element_path():
    x = np.arange(300, dtype=np.float32).reshape(100, 3)
    fast = Dataset.from_tensor_slices(x).shuffle(17, seed=9).batch(8)
    slow = Dataset.from_tensor_slices(x).shuffle(17, seed=9).map(lambda r: r).batch(8)
    for a, b in zip(fast, slow, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_shuffle_bad_buffer():
    with pytest.raises(tf.errors.InvalidArgumentError, match="buffer_size"):
        Dataset.range(3).shuffle(0)


def test_prefetch_values_and_error_position():
    assert order(Dataset.range(100).prefetch(5)) == list(range(100))

    def gen():
        yield 1
        yield 2
        raise RuntimeError("broken source")

    ds = Dataset.from_generator(gen, output_signature=tf.TensorSpec([], tf.int32)).prefetch(4)
    it = iter(ds)
    assert int(next(it)) == 1 and int(next(it)) == 2
    with pytest.raises(RuntimeError, match="broken source"):
        next(it)


def test_prefetch_runs_ahead_in_background():
    produced = []

    def record(x):
        produced.append(int(x))
        return x

    it = iter(Dataset.range(20).map(record).prefetch(4))
    next(it)
    deadline = time.time() + 2
    while len(produced) < 5 and time.time() < deadline:
        time.sleep(0.005)
    assert len(produced) >= 5  # the buffer filled while the consumer did nothing


def test_prefetch_thread_stops_when_iterator_dropped():
    before = {t.ident for t in threading.enumerate()}
    it = iter(Dataset.range(10**9).prefetch(2))
    next(it)
    del it
    gc.collect()
    deadline = time.time() + 3
    while time.time() < deadline:
        extra = [t for t in threading.enumerate()
                 if t.ident not in before and t.name.startswith("fluxion-data")]
        if not extra:
            break
        time.sleep(0.02)
    assert not extra


def test_workers_run_while_consumer_traces():
    # A consumer iterating inside a trace must not deadlock with its own workers.
    from fluxion.graph.ir import Graph
    from fluxion.graph.tracer import Tracer, tracing

    ds = Dataset.range(8).map(lambda x: x + 1, num_parallel_calls=2).prefetch(2)
    with tracing(Tracer(Graph())):
        out = [int(v) for v in ds]
    assert out == list(range(1, 9))
