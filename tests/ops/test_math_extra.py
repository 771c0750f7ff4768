"""The rest of tf.math: special functions (SciPy as oracle, plus the NumPy fallbacks),
counting, safe products, ordering checks; values as TF 2.21 gives them."""

import math

import numpy as np
import pytest

import fluxion as tf
from fluxion.core.primitives import special_math
from fluxion.testing.op_check import check_op

X = np.array([0.3, 1.7, 4.2, 9.5])


def test_gamma_family_with_gradients():
    try:  # lgamma's second derivative is trigamma (polygamma), which needs SciPy
        import scipy.special  # noqa: F401
        have_scipy = True
    except ImportError:
        have_scipy = False
    check_op(tf.math.lgamma, [X.copy()], lambda x: np.array([math.lgamma(v) for v in x]),
             second_order=have_scipy)
    special = pytest.importorskip("scipy.special")
    check_op(tf.math.digamma, [X.copy()], special.digamma)
    check_op(lambda x: tf.math.polygamma(2.0, x), [X.copy()],
             lambda x: special.polygamma(2, x), second_order=False)
    check_op(lambda x: tf.math.igamma(2.5, x), [X.copy()], lambda x: special.gammainc(2.5, x),
             second_order=False)
    check_op(lambda x: tf.math.igammac(2.5, x), [X.copy()],
             lambda x: special.gammaincc(2.5, x), second_order=False)
    check_op(lambda x: tf.math.zeta(3.0, x), [X.copy()], lambda x: special.zeta(3.0, x),
             second_order=False)
    p = np.array([0.1, 0.4, 0.8])
    check_op(lambda x: tf.math.betainc(2.0, 3.0, x), [p], lambda x: special.betainc(2, 3, x),
             second_order=False)
    check_op(tf.math.lbeta, [np.array([[1.5, 2.0, 0.7]])],
             lambda x: special.gammaln(x).sum(-1) - special.gammaln(x.sum(-1)))


def test_inverse_error_functions_and_bessel():
    p = np.array([-0.9, -0.2, 0.3, 0.95])
    special = pytest.importorskip("scipy.special")
    check_op(tf.math.erfinv, [p.copy()], special.erfinv)
    check_op(tf.math.ndtri, [(p + 1) / 2], special.ndtri)
    check_op(tf.math.erfcinv, [p + 1], special.erfcinv, second_order=False)
    z = np.array([-2.0, -0.5, 0.0, 0.7, 3.0])
    for name, oracle in (("bessel_i0", special.i0), ("bessel_i0e", special.i0e),
                         ("bessel_i1", special.i1), ("bessel_i1e", special.i1e)):
        check_op(getattr(tf.math, name), [z.copy()], oracle, second_order=False)


def test_numpy_fallbacks_without_scipy(monkeypatch):
    special = pytest.importorskip("scipy.special")
    wanted = {"lgamma": special.gammaln, "digamma": special.digamma,
              "erfinv": special.erfinv, "bessel_i1": special.i1, "bessel_i1e": special.i1e,
              "bessel_i0e": special.i0e}
    monkeypatch.setattr(special_math, "_scipy", lambda name: None)
    inputs = {"erfinv": np.array([-0.9, 0.0, 0.5])}
    for name, oracle in wanted.items():
        x = inputs.get(name, np.array([-2.3, 0.4, 1.0, 7.5]) if "bessel" in name
                       else np.array([-2.3, 0.4, 1.0, 7.5]))
        got = getattr(tf.math, name)(x).numpy()
        np.testing.assert_allclose(got, oracle(x), rtol=1e-9, atol=1e-12, err_msg=name)
    with pytest.raises(ImportError, match="SciPy"):
        tf.math.igamma(1.0, 2.0)


def test_counting_and_matrices_as_tf():
    assert tf.math.bincount(tf.constant([1, 1, 3])).numpy().tolist() == [0, 2, 0, 1]
    got = tf.math.bincount(tf.constant([1, 1, 3]), weights=[0.5, 1.0, 2.0]).numpy()
    assert got.tolist() == [0.0, 1.5, 0.0, 2.0]
    rows = tf.math.bincount(tf.constant([[1, 1], [0, 2]]), axis=-1).numpy()
    assert rows.tolist() == [[0, 2, 0], [1, 0, 1]]
    assert tf.math.bincount([5], maxlength=3).numpy().tolist() == [0, 0, 0]
    cm = tf.math.confusion_matrix([0, 1, 2], [0, 2, 2]).numpy()
    assert cm.tolist() == [[1, 0, 0], [0, 0, 1], [0, 0, 1]]
    sparse_counts = tf.sparse.to_dense(tf.sparse.bincount(tf.constant([1, 1, 3])))
    assert sparse_counts.numpy().tolist() == [0, 2, 0, 1]


def test_safe_ops_and_misc():
    x = np.array([0.0, 2.0, 3.0])
    y = np.array([0.0, 4.0, -0.5])
    # x == 0 gives 0 whatever y is (TF's gradient there is 0 too, not checked by differences)
    assert tf.math.xdivy([0.0, 1.0], [0.0, 2.0]).numpy().tolist() == [0.0, 0.5]
    assert tf.math.xlog1py([0.0], [-1.0]).numpy().tolist() == [0.0]
    x1 = x + np.array([0.5, 0, 0])
    check_op(tf.math.xdivy, [x1, y + np.array([1.0, 0, 0])], lambda a, b: a / b,
             second_order=False)
    check_op(tf.math.xlog1py, [x1, y], lambda a, b: a * np.log1p(b), second_order=False)
    assert tf.math.multiply_no_nan(tf.constant([np.inf, 2.0]), [0.0, 3.0]).numpy().tolist() \
        == [0.0, 6.0]
    check_op(lambda v: tf.math.polyval([2.0, -1.0, 3.0], v), [x],
             lambda v: 2 * v * v - v + 3)
    check_op(lambda v: tf.math.cumulative_logsumexp(v, exclusive=False), [y],
             lambda v: np.log(np.cumsum(np.exp(v))))
    assert bool(tf.math.is_non_decreasing([1, 1, 2])) and \
        not bool(tf.math.is_strictly_increasing([1, 1, 2]))
    assert tf.math.invert_permutation([3, 4, 0, 2, 1]).numpy().tolist() == [2, 4, 3, 0, 1]
    assert float(tf.math.zero_fraction([0, 1, 0, 5])) == 0.5
    assert tf.math.rint([0.5, 1.5, -2.5]).numpy().tolist() == [0.0, 2.0, -2.0]
    assert tf.math.nextafter(1.0, 2.0).numpy() == np.nextafter(np.float32(1), np.float32(2))
    values, indices = tf.math.approx_max_k(tf.constant([[1, 5, 3], [9, 2, 4]]), 2)
    assert values.numpy().tolist() == [[5, 3], [9, 4]] and indices.numpy().tolist() == [
        [1, 2], [0, 2]]
    values, _ = tf.math.approx_min_k(tf.constant([[1, 5, 3], [9, 2, 4]]), 1,
                                     reduction_dimension=0)
    assert values.numpy().tolist() == [[1, 2, 3]]
    assert tf.math.accumulate_n([tf.constant(1.0), tf.constant(2.0)]).numpy() == 3.0
    pytest.importorskip("scipy")
    np.testing.assert_array_equal(tf.math.sobol_sample(2, 3).numpy(),
                                  [[0.5, 0.5], [0.75, 0.25], [0.25, 0.75]])
