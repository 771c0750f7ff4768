"""``tf.experimental.numpy`` beyond the table: dtype rules, creation, conversion,
gradients, ``experimental_enable_numpy_behavior`` and ``tnp.random``."""

from __future__ import annotations

import numpy as np
import pytest

import fluxion as tf
from fluxion.experimental.numpy.numpy_behavior import disable_numpy_behavior

tnp = tf.experimental.numpy


def _same(got, want):
    want = np.asarray(want)
    got = np.asarray(got)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-12)


def test_namespace_is_reachable_the_tf_way():
    assert tf.experimental.numpy is tnp
    assert tnp.ndarray is tf.Tensor
    assert isinstance(tnp.ones(2), tnp.ndarray)


@pytest.mark.parametrize("value, dtype", [
    (1.0, np.float64), ([1, 2], np.int64), (True, np.bool_),
    (np.float32(1), np.float32), (np.arange(3, dtype=np.int16), np.int16), (1j, np.complex128),
])
def test_asarray_gives_numpy_dtypes(value, dtype):
    assert tnp.asarray(value).dtype.as_numpy_dtype == dtype


def test_asarray_keeps_tensors_and_stacks_lists_of_them():
    t = tf.constant([1.0, 2.0])
    assert tnp.asarray(t) is t
    stacked = tnp.asarray([tf.constant(1, tf.int32), 2.5])
    _same(stacked, np.array([1.0, 2.5]))
    _same(tnp.array([1, 2], dtype="float32", ndmin=3), np.array([1, 2], np.float32, ndmin=3))
    _same(tnp.ascontiguousarray(3), np.ascontiguousarray(3))
    _same(tnp.copy(t), np.array([1.0, 2.0], np.float32))
    with pytest.raises(TypeError, match="ragged"):
        tnp.asarray([[1, 2], [3]])


@pytest.mark.parametrize("args, want", [
    ((np.int32, np.float32), np.float64), ((tf.ones(2), 1.0), np.float32),
    ((1, 2.0), np.float64), ((np.int8, 300), np.int8), (("int32", tf.int64), np.int64),
])
def test_result_type_is_numpys(args, want):
    assert tnp.result_type(*args) == want


def test_dtype_objects_and_constants():
    assert tnp.promote_types("int32", tf.float32) == np.float64
    assert tnp.finfo(tf.float32).eps == np.finfo(np.float32).eps
    assert tnp.iinfo("int8").max == 127
    assert tnp.issubdtype(tnp.float32, tnp.inexact)
    assert (tnp.bool_, tnp.float_, tnp.int_, tnp.complex_) == (np.bool_, np.float64,
                                                               np.int64, np.complex128)
    assert (tnp.object_, tnp.string_, tnp.unicode_) == (np.object_, np.bytes_, np.str_)
    assert (tnp.e, tnp.pi, tnp.inf, tnp.newaxis) == (np.e, np.pi, np.inf, None)
    for name in ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                 "float16", "float32", "float64", "complex64", "complex128"):
        assert getattr(tnp, name) is getattr(np, name)


@pytest.mark.parametrize("call, want", [
    (lambda m: m.zeros((2, 3)), None), (lambda m: m.ones(3, dtype="int32"), None),
    (lambda m: m.empty(2), np.zeros(2)), (lambda m: m.full((2, 2), 7), None),
    (lambda m: m.full(3, [1.0, 2.0, 3.0]), None),
    (lambda m: m.zeros_like(np.ones((2, 2), np.int32)), None),
    (lambda m: m.ones_like([1.5]), None), (lambda m: m.empty_like([1, 2]), np.zeros(2, int)),
    (lambda m: m.full_like(np.ones(2, np.int32), 2.5), None),
    (lambda m: m.eye(3, 4, k=1), None), (lambda m: m.eye(3, k=-2, dtype="int32"), None),
    (lambda m: m.identity(3), None), (lambda m: m.tri(3, 4, k=1), None),
    (lambda m: m.arange(5), None), (lambda m: m.arange(1, 2, 0.25), None),
    (lambda m: m.arange(10, 0, -3), None), (lambda m: m.arange(4, dtype="float32"), None),
    (lambda m: m.linspace(0, 1, 5), None), (lambda m: m.linspace(2, 3, 4, endpoint=False), None),
    (lambda m: m.linspace([0, 10], [1, 20], 3, axis=1), None),
    (lambda m: m.linspace(0, 10, 4, dtype="int32"), None),
    (lambda m: m.logspace(0, 3, 4), None), (lambda m: m.logspace(0, 3, 4, base=2.0), None),
    (lambda m: m.geomspace(1, 1000, 4), None), (lambda m: m.geomspace(-1, -16, 5), None),
    (lambda m: m.vander([1, 2, 3]), None), (lambda m: m.vander([1.0, 2.0], 3, True), None),
    (lambda m: m.diag_indices(3), None), (lambda m: m.diagflat([1, 2], -1), None),
    (lambda m: m.meshgrid([1, 2], [3, 4, 5]), None),
    (lambda m: m.meshgrid([1, 2], [3, 4, 5], indexing="ij"), None),
    (lambda m: m.meshgrid([1, 2], [3, 4, 5], sparse=True), None),
    (lambda m: m.ix_([0, 1], [2, 4]), None), (lambda m: m.nonzero([[0, 3], [4, 0]]), None),
    (lambda m: m.where([[0, 3], [4, 0]]), None),
    (lambda m: m.select([np.arange(4) < 2], [np.arange(4)], 9), None),
    (lambda m: m.concatenate([[1, 2], [3.5]]), None),
    (lambda m: m.concatenate([np.ones((2, 2)), np.zeros((1, 2))], axis=None), None),
    (lambda m: m.stack([[1, 2], [3, 4]], axis=1), None), (lambda m: m.hstack([[1], [2, 3]]), None),
    (lambda m: m.vstack([[1, 2], [3, 4]]), None), (lambda m: m.dstack([[1, 2], [3, 4]]), None),
    (lambda m: m.append([[1, 2]], [[3, 4]], axis=0), None), (lambda m: m.append([1], [2, 3]), None),
    (lambda m: m.split(np.arange(9), 3), None), (lambda m: m.split(np.arange(9), [2, 5]), None),
    (lambda m: m.hsplit(np.ones((2, 4)), 2), None),
    (lambda m: m.vsplit(np.ones((4, 2)), [1]), None),
    (lambda m: m.dsplit(np.ones((1, 2, 4)), 2), None),
    (lambda m: m.broadcast_arrays([1, 2], [[3], [4]]), None),
    (lambda m: m.atleast_1d(1, [2]), None), (lambda m: m.atleast_2d(1.0, [2]), None),
    (lambda m: m.divmod([7, -7], 3), None), (lambda m: m.nanprod([2.0, np.nan, 3.0]), None),
])
def test_against_numpy(call, want):
    got = call(tnp)
    want = call(np) if want is None else want
    if isinstance(want, (list, tuple)):
        assert len(got) == len(want)
        for got_item, want_item in zip(got, want):
            _same(got_item, want_item)
    else:
        _same(got, want)


def test_array_info_and_object_predicates():
    assert tnp.ndim([[1, 2]]) == 2
    assert tnp.shape([[1, 2]]) == (1, 2)
    assert tnp.size([[1, 2], [3, 4]]) == 4 and tnp.size(np.ones((2, 3)), 1) == 3
    assert tnp.isscalar(1.0) and tnp.isscalar(tf.constant(1)) and not tnp.isscalar([1])
    assert tnp.iscomplexobj(np.ones(2) * 1j) and not tnp.iscomplexobj([1.0])
    assert tnp.isrealobj(tf.ones(2))
    assert bool(tnp.allclose([1.0, 2.0], [1.0, 2.0 + 1e-9]))
    assert not bool(tnp.allclose([1.0], [1.1]))
    assert bool(tnp.array_equal([1, 2], [1.0, 2.0])) and not bool(tnp.array_equal([1], [1, 1]))


def test_gcd_lcm_and_errors_name_what_was_expected():
    _same(tnp.gcd([12, -18, 0], 8), np.gcd([12, -18, 0], 8))
    _same(tnp.lcm([4, 6, 0], [6, 4, 5]), np.lcm([4, 6, 0], [6, 4, 5]))
    with pytest.raises(TypeError, match="integer"):
        tnp.gcd([1.5], [2.0])
    with pytest.raises(ValueError, match="equal sections"):
        tnp.split(np.arange(5), 2)
    with pytest.raises(ValueError, match="both were None"):
        tnp.clip([1], None, None)


def _numeric_gradient(function, x, eps=1e-6):
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += eps
        down[index] -= eps
        grad[index] = (float(function(up)) - float(function(down))) / (2 * eps)
    return grad


@pytest.mark.parametrize("function", [
    lambda x: tnp.sum(tnp.sin(x) * tnp.exp2(x)),
    lambda x: tnp.mean(tnp.logaddexp(x, 0.5 * x)),
    lambda x: tnp.std(x, ddof=1),
    lambda x: tnp.sum(tnp.dot(tnp.reshape(x, (2, 3)), tnp.transpose(tnp.reshape(x, (2, 3))))),
    lambda x: tnp.sum(tnp.multiply(tnp.cumprod(tnp.flip(x)), tnp.arange(6))),
    lambda x: tnp.sum(tnp.take_along_axis(tnp.reshape(x, (2, 3)), [[2, 0], [1, 1]], axis=1)),
    lambda x: tnp.polyval([1.0, -2.0, 3.0], tnp.amax(x)) + tnp.hypot(x[0], x[1]),
    lambda x: tnp.sum(tnp.where(x > 0.3, tnp.cbrt(x), tnp.square(x))),
    lambda x: tnp.einsum("i,i->", x, tnp.tanh(x)) + tnp.var(tnp.pad(x, 1)),
])
def test_gradients_match_finite_differences(function):
    x = np.array([0.2, 0.9, -0.4, 1.3, 0.6, -1.1])
    variable = tf.Variable(x)
    with tf.GradientTape() as tape:
        y = function(variable)
    grad = tape.gradient(y, variable)
    np.testing.assert_allclose(grad.numpy(), _numeric_gradient(function, x), rtol=1e-5,
                               atol=1e-7)


def test_gradient_inside_function():
    @tf.function
    def step(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tnp.sum(tnp.log1p(tnp.square(x)))
        return tape.gradient(y, x)

    x = np.array([0.5, -2.0])
    _same(step(tf.constant(x)), 2 * x / (1 + x * x))


@pytest.fixture
def numpy_behavior():
    tnp.experimental_enable_numpy_behavior()
    yield
    disable_numpy_behavior()


def test_numpy_methods_on_tensors(numpy_behavior):  # noqa: ARG001 - the fixture enables it
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    _same(x.T, np.array([[1.0, 3.0], [2.0, 4.0]], np.float32))
    _same(x.reshape(4), np.array([1.0, 2.0, 3.0, 4.0], np.float32))
    _same(x.reshape(1, 4), np.array([[1.0, 2.0, 3.0, 4.0]], np.float32))
    _same(x.reshape((4, 1), order="F"), np.array([[1], [3], [2], [4]], np.float32))
    _same(x.astype("int32"), np.array([[1, 2], [3, 4]], np.int32))
    _same(x.ravel(), np.array([1.0, 2.0, 3.0, 4.0], np.float32))
    _same(x.flatten(), x.ravel())
    _same(x.clip(1.5, 3), np.array([[1.5, 2.0], [3.0, 3.0]], np.float32))
    _same(x.transpose(1, 0), x.T)
    _same(x.mean(axis=0), np.array([2.0, 3.0], np.float32))
    _same(x.max(), np.float32(4.0))
    _same(x.min(axis=1), np.array([1.0, 3.0], np.float32))
    _same(x.sum(), np.float32(10.0))
    assert x.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert x.size == 4 and x.ndim == 2 and x.data is x


def test_numpy_promotion_on_operators(numpy_behavior):  # noqa: ARG001
    i32 = tf.constant([1, 2], tf.int32)
    _same(i32 + 1.5, np.array([2.5, 3.5]))
    _same(1.5 * i32, np.array([1.5, 3.0]))
    _same(i32 / 2, np.array([0.5, 1.0]))
    _same(tf.constant(1, tf.int32) + tf.constant(1, tf.int64), np.int64(2))
    _same(tf.constant([1.0]) * 2, np.array([2.0], np.float32))
    _same(i32 < 1.5, np.array([True, False]))
    v = tf.Variable([1, 2])
    _same(v + 0.5, np.array([1.5, 2.5]))

    @tf.function
    def traced(x):
        return (x + 0.5).T

    _same(traced(tf.constant([[1, 2]], tf.int32)), np.array([[1.5], [2.5]]))


def test_numpy_behavior_is_undone_and_prefer_float32():
    tnp.experimental_enable_numpy_behavior(prefer_float32=True)
    try:
        assert tnp.asarray(1.0).dtype == tf.float32
        assert tnp.zeros(2).dtype == tf.float32
        assert tnp.sin(tf.constant(1, tf.int32)).dtype == tf.float32
    finally:
        disable_numpy_behavior()
    assert not hasattr(tf.constant(1.0), "reshape")
    assert tnp.asarray(1.0).dtype == tf.float64
    with pytest.raises(Exception, match="int32"):
        tf.constant(1, tf.int32) + tf.constant(1.5)
    with pytest.raises(ValueError, match="dtype_conversion_mode"):
        tnp.experimental_enable_numpy_behavior(dtype_conversion_mode="fast")


def test_random_is_seeded_and_shaped():
    tnp.random.seed(7)
    first = [tnp.random.rand(2, 3), tnp.random.randn(4), tnp.random.randint(3, 9, size=(5,)),
             tnp.random.uniform(-1, 1, size=3), tnp.random.random((2,)),
             tnp.random.standard_normal(2), tnp.random.poisson(4.0, size=6)]
    tnp.random.seed(7)
    second = [tnp.random.rand(2, 3), tnp.random.randn(4), tnp.random.randint(3, 9, size=(5,)),
              tnp.random.uniform(-1, 1, size=3), tnp.random.random((2,)),
              tnp.random.standard_normal(2), tnp.random.poisson(4.0, size=6)]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    rand, randn, randint, uniform, rnd, normal, poisson = first
    assert rand.shape == (2, 3) and rand.dtype == tf.float64
    assert 0 <= float(tnp.min(rand)) and float(tnp.max(rand)) < 1
    assert randn.shape == (4,) and normal.shape == (2,)
    assert randint.dtype == tf.int64 and bool(tnp.all((randint >= 3) & (randint < 9)))
    assert bool(tnp.all(tnp.abs(uniform) <= 1)) and rnd.shape == (2,)
    assert poisson.dtype == tf.int64 and bool(tnp.all(poisson >= 0))
    assert tnp.random.random().shape == ()
    with pytest.raises(ValueError, match="greater than low"):
        tnp.random.randint(5, 5)
