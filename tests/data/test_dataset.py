"""Dataset semantics: sources, map/filter, batching, errors, specs, iteration protocol."""

import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import fluxion as tf
import fluxion.data  # noqa: F401 - until fluxion.__getattr__ serves it
from fluxion import errors
from fluxion.data import Dataset


def values(dataset):
    return [np.asarray(e).tolist() if not isinstance(e, (tuple, dict)) else e
            for e in dataset.as_numpy_iterator()]


# --- sources -------------------------------------------------------------------------------
def test_from_tensor_slices_errors():
    with pytest.raises(errors.InvalidArgumentError, match="same size"):
        Dataset.from_tensor_slices((np.zeros(3), np.zeros(4)))
    with pytest.raises(ValueError, match="at least one dimension"):
        Dataset.from_tensor_slices(3)


def test_from_tensor_slices_structures_and_tensors():
    ds = Dataset.from_tensor_slices({"x": tf.constant([[1.0, 2.0], [3.0, 4.0]]), "y": [5, 6]})
    first = next(iter(ds))
    assert isinstance(first["x"], tf.Tensor) and first["x"].shape == (2,)
    assert first["y"].dtype == tf.int32
    assert ds.element_spec["x"] == tf.TensorSpec([2], tf.float32)


def test_from_generator_signature_and_checks():
    def gen(n):
        for i in range(int(n)):
            yield i, [float(i)] * 2

    sig = (tf.TensorSpec([], tf.int64), tf.TensorSpec([2], tf.float32))
    ds = Dataset.from_generator(gen, output_signature=sig, args=(3,))
    out = list(ds)
    assert len(out) == 3 and out[2][0].dtype == tf.int64 and out[2][1].dtype == tf.float32
    assert len(list(ds)) == 3  # the generator is called again for each iteration
    bad = Dataset.from_generator(lambda: iter([[1.0, 2.0, 3.0]]),
                                 output_signature=tf.TensorSpec([2], tf.float32))
    with pytest.raises(errors.InvalidArgumentError, match="shape"):
        list(bad)
    wrong = Dataset.from_generator(lambda: iter([(1, 2)]),
                                   output_signature=tf.TensorSpec([], tf.int32))
    with pytest.raises((TypeError, ValueError)):
        list(wrong)
    with pytest.raises(TypeError, match="output_signature"):
        Dataset.from_generator(gen)


def test_range_dtype_and_zip_concatenate_errors():
    assert Dataset.range(3).element_spec.dtype == tf.int64
    assert Dataset.range(3, dtype=tf.int32).element_spec.dtype == tf.int32
    with pytest.raises(TypeError, match="types"):
        Dataset.range(3).concatenate(Dataset.range(3, dtype=tf.int32))
    with pytest.raises(TypeError, match="structure"):
        Dataset.range(3).concatenate(Dataset.zip((Dataset.range(2), Dataset.range(2))))


# --- map and friends ---------------------------------------------------------------------
def test_map_gets_fluxion_tensors_and_any_op():
    seen = []

    def fn(x, y):
        seen.append(type(x))
        return tf.reduce_sum(tf.square(x)) + tf.cast(y, tf.float32), [y, y]

    ds = Dataset.from_tensor_slices((np.ones((4, 3), np.float32), np.arange(4))).map(fn)
    out = list(ds.as_numpy_iterator())
    assert out[1][0] == pytest.approx(4.0)
    assert out[1][1].tolist() == [1, 1]  # a nested list is a tensor, as in tf.data
    assert all(t is tf.Tensor for t in seen)
    top_list = Dataset.range(2).map(lambda v: [v, v * 2])  # a returned list is a tuple
    assert isinstance(top_list.element_spec, tuple)


def test_map_dict_is_not_spread():
    ds = Dataset.from_tensor_slices({"a": [1, 2]}).map(lambda d: d["a"] * 10)
    assert values(ds) == [10, 20]


@pytest.mark.parametrize("deterministic", [True, False])
def test_parallel_map_order_and_completeness(deterministic):
    def slow(x):
        time.sleep(0.002 * (int(x) % 3))
        return x * 2

    ds = Dataset.range(60).map(slow, num_parallel_calls=4, deterministic=deterministic)
    out = values(ds)
    if deterministic:
        assert out == [2 * i for i in range(60)]
    else:
        assert sorted(out) == [2 * i for i in range(60)]


@pytest.mark.parametrize("parallel", [None, 3])
def test_map_error_then_ignore_errors(parallel):
    def fn(x):
        if int(x) % 4 == 1:
            raise ValueError("bad element")
        return x

    ds = Dataset.range(10).map(fn, num_parallel_calls=parallel)
    with pytest.raises(ValueError, match="bad element"):
        list(ds)
    assert values(ds.ignore_errors()) == [0, 2, 3, 4, 6, 7, 8]


def test_filter_predicate_must_be_scalar_bool():
    with pytest.raises(TypeError, match="scalar boolean"):
        list(Dataset.range(3).filter(lambda x: x))
    assert values(Dataset.range(6).filter(lambda x: int(x) > 3)) == [4, 5]


def test_map_element_spec_traced_and_fallback():
    ds = Dataset.from_tensor_slices(np.zeros((5, 3), np.float32)).batch(2)
    assert ds.map(lambda x: x * 2).element_spec == tf.TensorSpec([None, 3], tf.float32)
    untraceable = ds.map(lambda x: tf.constant(x.numpy().sum()))
    assert untraceable.element_spec == tf.TensorSpec([], tf.float32)


def test_apply_reduce_single_element():
    ds = Dataset.range(5).apply(lambda d: d.map(lambda x: x + 1))
    assert int(ds.reduce(np.int64(0), lambda s, x: s + x)) == 15
    assert int(Dataset.from_tensors(7).get_single_element()) == 7
    with pytest.raises(errors.InvalidArgumentError, match="more than one"):
        Dataset.range(2).get_single_element()
    with pytest.raises(errors.InvalidArgumentError, match="empty"):
        Dataset.range(0).get_single_element()
    with pytest.raises(TypeError, match="must return a Dataset"):
        Dataset.range(2).apply(lambda d: 3)


def test_unique_requires_scalars():
    with pytest.raises(TypeError, match="scalar"):
        Dataset.from_tensor_slices(np.zeros((3, 2), np.int32)).unique()
    strings = Dataset.from_tensor_slices(["a", "b", "a"]).unique()
    assert list(strings.as_numpy_iterator()) == [b"a", b"b"]


# --- batching --------------------------------------------------------------------------------
def test_bulk_batch_equals_element_batch():
    x = np.arange(50, dtype=np.float32).reshape(25, 2)
    y = np.arange(25)
    fast = Dataset.from_tensor_slices((x, y)).batch(7)
    slow = Dataset.from_tensor_slices((x, y)).map(lambda a, b: (a, b)).batch(7)
    for (a1, b1), (a2, b2) in zip(fast, slow, strict=True):
        np.testing.assert_array_equal(a1.numpy(), a2.numpy())
        np.testing.assert_array_equal(b1.numpy(), b2.numpy())
    assert fast.element_spec[0] == tf.TensorSpec([None, 2], tf.float32)


def test_batch_shape_mismatch_and_bad_size():
    ds = Dataset.range(1, 4).map(lambda n: tf.fill([n], n))
    with pytest.raises(errors.InvalidArgumentError, match="different shapes in component 0"):
        list(ds.batch(2))
    with pytest.raises(errors.InvalidArgumentError, match="greater than zero"):
        Dataset.range(3).batch(0)


def test_padded_batch_structure_and_errors():
    ds = Dataset.range(1, 4).map(lambda n: (tf.fill([n], n), tf.cast(n, tf.float32)))
    batches = list(ds.padded_batch(2, padded_shapes=([None], []), padding_values=(-1, 0.0)))
    assert batches[0][0].numpy().tolist() == [[1, -1], [2, 2]]
    with pytest.raises(errors.InvalidArgumentError, match="smaller"):
        list(ds.padded_batch(3, padded_shapes=([2], [])))
    strings = Dataset.from_tensor_slices([["a"], ["b"]]).padded_batch(2, padded_shapes=[2])
    assert next(iter(strings)).numpy().tolist() == [[b"a", b""], [b"b", b""]]


def test_unbatch_dict_and_mismatch():
    ds = Dataset.from_tensors({"a": np.arange(3), "b": np.ones((3, 2))}).unbatch()
    assert [int(e["a"]) for e in ds] == [0, 1, 2]
    assert ds.element_spec["b"] == tf.TensorSpec([2], tf.float64)
    with pytest.raises(errors.InvalidArgumentError, match="same batch size"):
        list(Dataset.from_tensors((np.zeros(2), np.zeros(3))).unbatch())


def test_rebatch_list_of_sizes():
    out = [b.numpy().tolist() for b in Dataset.range(10).batch(4).rebatch([1, 3])]
    assert out == [[0], [1, 2, 3], [4], [5, 6, 7], [8], [9]]


# --- iteration protocol -------------------------------------------------------------------
def test_len_bool_cardinality_iterator():
    assert len(Dataset.range(5).batch(2)) == 3
    with pytest.raises(TypeError, match="infinite"):
        len(Dataset.range(2).repeat())
    with pytest.raises(TypeError, match="unknown"):
        len(Dataset.range(2).filter(lambda x: x > 0))
    assert bool(Dataset.range(2).repeat())
    assert Dataset.range(2).repeat().cardinality() == fluxion.data.INFINITE_CARDINALITY
    assert fluxion.data.experimental.cardinality(Dataset.range(4)).numpy() == 4
    it = iter(Dataset.range(1))
    assert int(it.get_next()) == 0
    with pytest.raises(errors.OutOfRangeError):
        it.get_next()


def test_as_numpy_iterator_types():
    ds = Dataset.from_tensor_slices((["a", "b"], [1.5, 2.5]))
    assert list(ds.as_numpy_iterator()) == [(b"a", np.float32(1.5)), (b"b", np.float32(2.5))]


def test_options_merge_and_with_options():
    options = fluxion.data.Options()
    options.deterministic = False
    options.threading.private_threadpool_size = 4
    ds = Dataset.range(3).with_options(options).map(lambda x: x)
    assert ds.options().deterministic is False
    assert ds.options().threading.private_threadpool_size == 4
    with pytest.raises(AttributeError, match="no option"):
        options.not_an_option = 1
    assert values(ds) == [0, 1, 2]


def test_assert_cardinality():
    ds = Dataset.range(5).filter(lambda x: x < 3).apply(
        fluxion.data.experimental.assert_cardinality(3))
    assert int(ds.cardinality()) == 3 and values(ds) == [0, 1, 2]
    bad = Dataset.range(5).apply(fluxion.data.experimental.assert_cardinality(2))
    with pytest.raises(errors.FailedPreconditionError, match="expected to contain 2"):
        list(bad)


# --- Keras integration ------------------------------------------------------------------------
def test_batch_source_for_fit():
    x, y = np.ones((10, 3), np.float32), np.arange(10)
    source = Dataset.from_tensor_slices((x, y)).batch(4)._as_batch_source()
    assert len(source) == 3
    seen = []
    for _epoch in range(2):  # a stub training loop: each iteration is one epoch
        for xb, yb in source:
            seen.append((xb.shape[0], yb.shape[0]))
    assert seen == [(4, 4), (4, 4), (2, 2)] * 2
    infinite = Dataset.from_tensor_slices(x).repeat().batch(4)._as_batch_source()
    assert not hasattr(infinite, "__len__")
    first = next(iter(infinite))
    assert first.shape == (4, 3)


def test_import_is_lazy():
    code = "import sys, fluxion; print('fluxion.data' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_window_of_structures():
    ds = Dataset.from_tensor_slices((np.arange(5), np.arange(5) * 10)).window(2)
    windows = [(values(a), values(b)) for a, b in ds]
    assert windows == [([0, 1], [0, 10]), ([2, 3], [20, 30]), ([4], [40])]
    assert isinstance(ds.element_spec[0], fluxion.data.DatasetSpec)


def test_thread_count_returns_after_threads_finish():
    before = threading.active_count()
    list(Dataset.range(50).map(lambda x: x, num_parallel_calls=2).prefetch(3))
    deadline = time.time() + 2
    while threading.active_count() > before and time.time() < deadline:
        time.sleep(0.01)
    assert threading.active_count() <= before


def test_choose_sample_counter():
    a, b = Dataset.range(0, 3), Dataset.range(10, 12)
    choice = Dataset.from_tensor_slices(np.array([0, 1, 1, 1, 0], np.int64))
    assert values(Dataset.choose_from_datasets([a, b], choice)) == [0, 10, 11]
    assert values(Dataset.choose_from_datasets([a, b], choice, stop_on_empty_dataset=False)) \
        == [0, 10, 11, 1]
    mixed = values(Dataset.sample_from_datasets([a, b], weights=[0.5, 0.5], seed=1))
    assert sorted(mixed) == [0, 1, 2, 10, 11]
    assert values(Dataset.sample_from_datasets([a, b], [1.0, 0.0], seed=1)) == [0, 1, 2]
    assert values(Dataset.counter(5, 2).take(3)) == [5, 7, 9]
    assert Dataset.counter().cardinality() == fluxion.data.INFINITE_CARDINALITY
