"""fluxion.random and dropout: determinism, shapes and dtypes, statistics, errors, gradients."""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import fluxion as tf
from fluxion.core import random_state
from fluxion.ops.dropout_ops import dropout, general_dropout, stateless_dropout
from fluxion.testing.op_check import check_op

N = 100_000


@pytest.fixture(autouse=True)
def _fresh_random_state():
    """Each test starts and ends without a global seed or global generator."""
    tf.random.set_seed(None)
    random_state.global_generator = None
    yield
    tf.random.set_seed(None)
    random_state.global_generator = None

# --- determinism across processes ----------------------------------------------------------
_PROGRAM = textwrap.dedent("""
    import json, sys
    import fluxion as tf
    from fluxion.ops.dropout_ops import dropout
    mode = sys.argv[1]
    if mode == "global":
        tf.random.set_seed(1234)
    draws = [tf.random.uniform([3]), tf.random.normal([2], seed=7), tf.random.normal([2], seed=7),
             tf.random.truncated_normal([2]), tf.random.categorical([[0.0, 1.0, 2.0]], 4),
             tf.random.shuffle(tf.range(6)), dropout(tf.ones([6]), 0.5),
             tf.random.get_global_generator().normal([2])]
    print(json.dumps([d.numpy().tolist() for d in draws]))
""")


def _run_program(mode: str) -> list:
    done = subprocess.run([sys.executable, "-c", _PROGRAM, mode], capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)


def test_global_seed_gives_the_same_sequence_in_fresh_processes():
    first, second = _run_program("global"), _run_program("global")
    assert first == second
    assert first[1] != first[2]  # one op seed, two calls: two different draws (as TF eager)


def test_no_seed_is_non_deterministic_across_processes():
    first, second = _run_program("none"), _run_program("none")
    assert first[0] != second[0]
    assert first[1] == second[1]  # an op seed alone fixes the stream (TF's default graph seed)


# --- TF's seed semantics within a process ---------------------------------------------------
def _sequence():
    return [tf.random.uniform([4]).numpy(), tf.random.uniform([4], seed=3).numpy(),
            tf.random.uniform([4], seed=3).numpy(), tf.random.normal([2]).numpy()]


def test_set_seed_restarts_every_stream():
    tf.random.set_seed(42)
    first = _sequence()
    tf.random.set_seed(42)
    second = _sequence()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[1], first[2])
    tf.random.set_seed(43)
    assert not np.array_equal(_sequence()[0], first[0])


def test_stateful_ops_keep_their_state_in_an_int64_variable():
    tf.random.set_seed(5)
    state = random_state.stream_for(11)
    assert isinstance(state, tf.Variable) and state.dtype == tf.int64
    before = state.numpy().copy()
    tf.random.uniform([2], seed=11)
    assert state.numpy()[0] == before[0] + 1
    assert not state.trainable


# --- shapes and dtypes ---------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [tf.float16, tf.float32, tf.float64])
def test_float_draws_have_the_requested_shape_and_dtype(dtype):
    seed = [1, 2]
    for value in (tf.random.uniform([2, 3], dtype=dtype), tf.random.normal([2, 3], dtype=dtype),
                  tf.random.truncated_normal([2, 3], dtype=dtype),
                  tf.random.stateless_uniform([2, 3], seed, dtype=dtype),
                  tf.random.stateless_normal([2, 3], seed, dtype=dtype),
                  tf.random.stateless_truncated_normal([2, 3], seed, dtype=dtype),
                  tf.random.Generator.from_seed(1).normal([2, 3], dtype=dtype)):
        assert value.shape == (2, 3) and value.dtype == dtype


def test_default_dtypes_and_scalar_shapes():
    assert tf.random.uniform([]).shape == () and tf.random.uniform([]).dtype == tf.float32
    assert tf.random.normal(tf.constant([2, 1])).shape == (2, 1)
    assert tf.random.uniform(tf.TensorShape([3])).shape == (3,)
    assert tf.random.categorical([[0.0, 1.0]], 5).dtype == tf.int64
    assert tf.random.categorical([[0.0, 1.0]], 5, dtype=tf.int32).dtype == tf.int32
    assert tf.random.categorical([[0.0, 1.0]], 0).shape == (1, 0)
    assert tf.random.uniform([3], 0, 5, dtype=tf.int64).dtype == tf.int64
    assert tf.random.stateless_uniform([3], [1, 2], None, None, dtype=tf.uint64).dtype == tf.uint64
    assert tf.random.poisson([5], [1.0, 2.0]).shape == (5, 2)
    assert tf.random.gamma([5], [1.0, 2.0], beta=[[1.0], [2.0]]).shape == (5, 2, 2)
    assert tf.random.stateless_poisson([3, 2], [1, 2], lam=[1.0, 2.0]).dtype == tf.int32
    assert tf.random.stateless_gamma([3, 2], [1, 2], alpha=[1.0, 2.0]).shape == (3, 2)
    assert tf.random.stateless_binomial([3, 2], [1, 2], [10.0, 20.0], 0.5).shape == (3, 2)


def test_tensor_parameters_broadcast_like_tf():
    value = tf.random.normal([2, 3], mean=[0.0, 10.0, 20.0], stddev=0.01)
    np.testing.assert_allclose(value.numpy().mean(axis=0), [0, 10, 20], atol=0.1)
    value = tf.random.uniform([4], minval=tf.constant([0.0, 1.0, 2.0, 3.0], tf.float64),
                              maxval=4.0, dtype=tf.float64)
    assert value.dtype == tf.float64
    assert np.all(value.numpy() >= [0, 1, 2, 3]) and np.all(value.numpy() < 4)


# --- statistics ----------------------------------------------------------------------------
def test_uniform_statistics():
    u = tf.random.stateless_uniform([N], [3, 4], minval=-2.0, maxval=4.0).numpy()
    assert u.min() >= -2 and u.max() < 4
    assert abs(u.mean() - 1.0) < 0.03 and abs(u.std() - 6 / np.sqrt(12)) < 0.03
    ints = tf.random.stateless_uniform([N], [3, 4], minval=-3, maxval=7, dtype=tf.int32).numpy()
    assert ints.min() == -3 and ints.max() == 6
    counts = np.bincount(ints + 3)
    assert np.all(np.abs(counts / N - 0.1) < 0.01)


def test_narrow_float_uniform_never_reaches_one():
    u = tf.random.stateless_uniform([N], [5, 6], dtype=tf.float16).numpy()
    assert u.max() < 1 and u.min() >= 0 and abs(float(u.astype(np.float64).mean()) - 0.5) < 0.01


def test_normal_statistics():
    x = tf.random.stateless_normal([N], [3, 4], mean=3.0, stddev=2.0).numpy()
    assert abs(x.mean() - 3) < 0.03 and abs(x.std() - 2) < 0.03


def test_truncated_normal_stays_within_two_stddev():
    x = tf.random.stateless_truncated_normal([N], [3, 4], mean=1.0, stddev=0.5).numpy()
    assert x.min() >= 0.0 and x.max() <= 2.0
    # The standard normal truncated to [-2, 2] has standard deviation 0.8796.
    assert abs(x.mean() - 1) < 0.01 and abs(x.std() - 0.5 * 0.8796) < 0.01


def test_categorical_frequencies_follow_softmax():
    logits = np.array([[np.log(0.1), np.log(0.2), np.log(0.7)],
                       [np.log(0.5), np.log(0.5), -np.inf]])
    samples = tf.random.stateless_categorical(logits, N // 2, [3, 4]).numpy()
    for row, probs in zip(samples, np.exp(logits)):
        np.testing.assert_allclose(np.bincount(row, minlength=3) / len(row), probs, atol=0.01)
    assert not np.any(samples[1] == 2)  # a zero-probability class is never drawn


def test_poisson_gamma_binomial_means():
    seed = [7, 8]
    lam = tf.random.stateless_poisson([N], seed, lam=3.0, dtype=tf.float32).numpy()
    assert abs(lam.mean() - 3) < 0.05
    g = tf.random.stateless_gamma([N], seed, alpha=2.0, beta=4.0).numpy()
    assert abs(g.mean() - 0.5) < 0.01
    b = tf.random.stateless_binomial([N], seed, counts=10.0, probs=0.3).numpy()
    assert abs(b.mean() - 3) < 0.05


def test_shuffle_is_a_permutation_of_the_first_axis():
    value = np.arange(20).reshape(10, 2)
    out = tf.random.shuffle(value).numpy()
    assert sorted(out[:, 0].tolist()) == list(range(0, 20, 2))
    np.testing.assert_array_equal(out[:, 1] - out[:, 0], 1)
    stateless = tf.random.experimental.stateless_shuffle(value, [1, 2]).numpy()
    np.testing.assert_array_equal(
        stateless, tf.random.experimental.stateless_shuffle(value, [1, 2]).numpy())
    assert float(tf.random.shuffle(3.0)) == 3.0


# --- stateless ops ---------------------------------------------------------------------------
STATELESS = [
    lambda s: tf.random.stateless_uniform([50], s),
    lambda s: tf.random.stateless_normal([50], s),
    lambda s: tf.random.stateless_truncated_normal([50], s),
    lambda s: tf.random.stateless_categorical([[0.0] * 10], 50, s),
    lambda s: tf.random.experimental.stateless_shuffle(tf.range(50), s),
    lambda s: tf.random.stateless_uniform([50], s, minval=0, maxval=1000, dtype=tf.int32),
]


@pytest.mark.parametrize("op", STATELESS)
def test_stateless_ops_are_functions_of_the_seed(op):
    np.testing.assert_array_equal(op([1, 2]).numpy(), op([1, 2]).numpy())
    np.testing.assert_array_equal(op([1, 2]).numpy(), op(tf.constant([1, 2], tf.int64)).numpy())
    assert not np.array_equal(op([1, 2]).numpy(), op([1, 3]).numpy())
    assert not np.array_equal(op([1, 2]).numpy(), op([2, 1]).numpy())


def test_split_and_fold_in():
    seeds = tf.random.experimental.stateless_split([1, 2], num=3)
    assert seeds.shape == (3, 2) and seeds.dtype == tf.int32
    assert len({tuple(s) for s in seeds.numpy().tolist()}) == 3
    np.testing.assert_array_equal(seeds.numpy(), tf.random.split([1, 2], 3).numpy())
    folded = tf.random.fold_in(tf.constant([1, 2], tf.int64), 5)
    assert folded.shape == (2,) and folded.dtype == tf.int64 and int(folded[1]) == 5
    assert not np.array_equal(folded.numpy(), tf.random.fold_in([1, 2], 6).numpy())


# --- Generator -------------------------------------------------------------------------------
def test_generator_from_seed_is_repeatable_and_advances():
    a, b = tf.random.Generator.from_seed(9), tf.random.Generator.from_seed(9)
    first = a.normal([5]).numpy()
    np.testing.assert_array_equal(first, b.normal([5]).numpy())
    assert not np.array_equal(first, a.normal([5]).numpy())
    assert a.state.shape == (3,) and a.state.dtype == tf.int64
    assert a.algorithm == tf.random.Algorithm.PHILOX.value


def test_generator_state_can_be_saved_reset_and_skipped():
    g = tf.random.Generator.from_seed(3)
    saved = g.state.numpy().copy()
    first = g.uniform([4]).numpy()
    g.reset(saved)
    np.testing.assert_array_equal(first, g.uniform([4]).numpy())
    copy = tf.random.Generator(copy_from=g)
    np.testing.assert_array_equal(copy.normal([3]).numpy(), g.normal([3]).numpy())
    g.reset_from_seed(3)
    g.skip(1)
    h = tf.random.Generator.from_state(saved, alg="philox")
    h.uniform([4])
    np.testing.assert_array_equal(g.uniform([4]).numpy(), h.uniform([4]).numpy())


def test_generator_split_gives_independent_streams():
    parent = tf.random.Generator.from_seed(1)
    children = parent.split(3)
    draws = [c.normal([N]).numpy() for c in children] + [parent.normal([N]).numpy()]
    corr = np.corrcoef(np.stack(draws))
    assert np.all(np.abs(corr[np.triu_indices(4, 1)]) < 0.02)
    again = tf.random.Generator.from_seed(1).split(3)
    np.testing.assert_array_equal(again[0].normal([N]).numpy(), draws[0])


def test_generator_draws_and_seeds():
    g = tf.random.Generator.from_seed(2)
    assert g.make_seeds(4).shape == (2, 4) and g.make_seeds().dtype == tf.int64
    assert g.uniform_full_int([3]).dtype == tf.uint64
    assert g.uniform([3], 0, 10, dtype=tf.int32).numpy().max() < 10
    assert g.truncated_normal([100]).numpy().max() <= 2
    assert g.binomial([3], counts=5.0, probs=0.5).dtype == tf.int32
    nd = tf.random.Generator.from_non_deterministic_state()
    assert not np.array_equal(nd.state.numpy(), tf.random.Generator.from_non_deterministic_state()
                              .state.numpy())


def test_global_generator_can_be_replaced():
    replacement = tf.random.Generator.from_seed(4)
    tf.random.set_global_generator(replacement)
    assert tf.random.get_global_generator() is replacement
    assert tf.random.experimental.get_global_generator() is replacement
    with pytest.raises(TypeError, match="Generator"):
        tf.random.set_global_generator(3)


# --- gradients and shape rules through the op harness --------------------------------------
def test_normal_gradient_flows_to_mean_and_stddev():
    base = tf.random.stateless_normal([3], [1, 2], dtype=tf.float64).numpy()
    check_op(lambda m, s: tf.random.stateless_normal([3], [1, 2], mean=m, stddev=s,
                                                     dtype=tf.float64),
             [np.array([0.5, 1.0, -1.0]), np.array(2.0)], lambda m, s: base * s + m)


def test_uniform_gradient_flows_to_the_bounds():
    base = tf.random.stateless_uniform([4], [1, 2], dtype=tf.float64).numpy()
    check_op(lambda lo, hi: tf.random.stateless_uniform([4], [1, 2], lo, hi, dtype=tf.float64),
             [np.array(-1.0), np.array([1.0, 2.0, 3.0, 4.0])],
             lambda lo, hi: base * (hi - lo) + lo)


@pytest.mark.parametrize("op", [
    lambda: tf.random.uniform([2, 3]),
    lambda: tf.random.uniform([2], 0, 9, dtype=tf.int64),
    lambda: tf.random.stateless_uniform([2], [1, 2], None, None, dtype=tf.int64),
    lambda: tf.random.truncated_normal([3]),
    lambda: tf.random.categorical([[0.0, 1.0], [1.0, 0.0]], 3),
    lambda: tf.random.shuffle([[1, 2], [3, 4]]),
    lambda: tf.random.poisson([2], [1.0, 3.0]),
    lambda: tf.random.gamma([2], [1.0, 3.0]),
    lambda: tf.random.stateless_binomial([2, 2], [1, 2], [3.0, 4.0], 0.5),
    lambda: tf.random.Generator.from_seed(1).normal([2]),
])
def test_shape_rules_agree_with_the_kernels(op):
    # Stateful draws differ between an eager and a traced run by design: no traced check.
    check_op(op, [], grad=False, traced=False)


# --- dropout --------------------------------------------------------------------------------
def test_dropout_scales_kept_values_and_drops_about_rate():
    y = dropout(tf.ones([N]), 0.25).numpy()
    assert set(np.unique(y).tolist()) <= {0.0, np.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.01
    x = tf.ones([3])
    assert dropout(x, 0.0) is x
    assert dropout(x, tf.constant(0.5)).dtype == tf.float32


def test_dropout_noise_shape_drops_whole_rows():
    y = dropout(tf.ones([50, 4]), 0.5, noise_shape=[None, 1]).numpy()
    assert np.all(y == y[:, :1])
    y = dropout(tf.ones([50, 4]), 0.5, noise_shape=[4]).numpy()
    assert np.all(y == y[:1])


def test_dropout_is_repeatable_with_seeds():
    tf.random.set_seed(1)
    a = dropout(tf.ones([20]), 0.5, seed=3).numpy()
    tf.random.set_seed(1)
    np.testing.assert_array_equal(a, dropout(tf.ones([20]), 0.5, seed=3).numpy())
    s = stateless_dropout(tf.ones([20]), 0.5, seed=[4, 5]).numpy()
    np.testing.assert_array_equal(s, stateless_dropout(tf.ones([20]), 0.5, seed=[4, 5]).numpy())
    sampler = lambda shape, dtype: tf.random.stateless_uniform(shape, [4, 5], dtype=dtype)  # noqa: E731
    np.testing.assert_array_equal(s, general_dropout(tf.ones([20]), 0.5, sampler).numpy())


def test_dropout_gradient():
    u = tf.random.stateless_uniform([2, 3], [1, 2], dtype=tf.float64).numpy()
    check_op(lambda x: stateless_dropout(x, 0.4, seed=[1, 2]),
             [np.random.default_rng(0).standard_normal((2, 3))],
             lambda x: x * (u >= 0.4) / 0.6)
    x = tf.constant([1.0, 2.0, 3.0, 4.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = dropout(x, 0.5)
    grad = tape.gradient(y, x).numpy()
    np.testing.assert_array_equal(grad, np.where(y.numpy() != 0, 2.0, 0.0))


# --- errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize("call, match", [
    (lambda: dropout(tf.ones([2]), 1.0), r"dropout: rate .*\[0, 1\).*rate=1.0"),
    (lambda: dropout(tf.ones([2]), -0.1), r"rate=-0.1"),
    (lambda: dropout(tf.ones([2], tf.int32), 0.5), r"floating-point.*int32"),
    (lambda: dropout(tf.ones([2, 3]), 0.5, noise_shape=[3, 2]), r"noise_shape \[3, 2\]"),
    (lambda: tf.random.uniform([-1]), r"random_uniform: .*>= 0.*\[-1\]"),
    (lambda: tf.random.uniform([2.5]), r"shape must be a 1-D list of integers"),
    (lambda: tf.random.uniform([2], dtype=tf.int32), r"Must specify maxval"),
    (lambda: tf.random.uniform([2], 3, 1, dtype=tf.int32), r"Need minval < maxval"),
    (lambda: tf.random.uniform([2], dtype=tf.bool), r"dtype must be one of .*got bool"),
    (lambda: tf.random.normal([2], dtype=tf.int32), r"random_normal: dtype must be"),
    (lambda: tf.random.stateless_uniform([2], seed=[1, 2, 3]), r"seed must be .*shape \[2\]"),
    (lambda: tf.random.stateless_normal([2], seed=[1.0, 2.0]), r"seed must be an int32"),
    (lambda: tf.random.categorical([1.0, 2.0], 2), r"logits should be a matrix"),
    (lambda: tf.random.categorical([[1.0, 2.0]], -1), r"num_samples should be non-negative"),
    (lambda: tf.random.categorical([[1, 2]], 1), r"logits must be a floating-point"),
    (lambda: tf.random.stateless_gamma([3], [1, 2], alpha=[1.0, 2.0]), r"must broadcast"),
])
def test_bad_arguments_raise_clear_value_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_mismatched_parameter_dtype_is_a_type_error():
    with pytest.raises(TypeError, match="random_normal: mean"):
        tf.random.normal([2], mean=tf.constant(1.0, tf.float64))
    with pytest.raises(TypeError, match="set_seed must be an integer"):
        tf.random.set_seed(1.5)
    with pytest.raises(ValueError, match="unknown random algorithm"):
        tf.random.Generator.from_seed(1, alg="mersenne")


def test_parameterized_truncated_normal_and_index_shuffle():
    import fluxion as tf

    means = np.array([0.0, 5.0, -3.0], np.float32)
    draws = tf.random.stateless_parameterized_truncated_normal(
        [4000, 3], seed=[1, 2], means=means, stddevs=[1.0, 0.5, 2.0],
        minvals=[-1.0, 5.0, -10.0], maxvals=[1.0, 6.0, 10.0]).numpy()
    assert draws.shape == (4000, 3)
    assert draws[:, 0].min() >= -1 and draws[:, 0].max() <= 1
    assert draws[:, 1].min() >= 5 and draws[:, 1].max() <= 6
    # the symmetric truncation keeps the mean; the one-sided one shifts it up
    assert abs(draws[:, 0].mean()) < 0.05 and 5.3 < draws[:, 1].mean() < 5.5
    again = tf.random.stateless_parameterized_truncated_normal(
        [4000, 3], seed=[1, 2], means=means, stddevs=[1.0, 0.5, 2.0],
        minvals=[-1.0, 5.0, -10.0], maxvals=[1.0, 6.0, 10.0]).numpy()
    np.testing.assert_array_equal(draws, again)
    for limit in (0, 6, 100, 1023):
        image = tf.random.experimental.index_shuffle(np.arange(limit + 1), [3, 4], limit)
        assert sorted(image.numpy().tolist()) == list(range(limit + 1))  # a bijection
    first = tf.random_index_shuffle(np.arange(101), [5, 6], 100).numpy()
    second = tf.random_index_shuffle(np.arange(101), [7, 8], 100).numpy()
    assert sorted(first.tolist()) == list(range(101)) and first.tolist() != second.tolist()
