"""oneDNN's ``matmul`` kernel against NumPy's: layouts (transposed views, batches,
broadcast batch axes), the cases it hands back to NumPy, primitives per thread count, a
compiled MLP training step; and the thread pools the backend computes with (only
OpenMP's grows, OpenBLAS stays at one thread).  Skipped without oneDNN."""


import numpy as np
import pytest
from onednn_available import needs_onednn

import fluxion as tf
from fluxion import backend, keras
from fluxion.backend import onednn
from fluxion.core import blas_threads

pytestmark = needs_onednn
rng = np.random.default_rng(0)


def _operand(shape, transposed=False):
    """A float32 array of ``shape``; ``transposed``: a view with its last two axes swapped."""
    if not transposed:
        return rng.standard_normal(shape).astype(np.float32)
    stored = rng.standard_normal(shape[:-2] + shape[-2:][::-1]).astype(np.float32)
    return np.swapaxes(stored, -1, -2)


CASES = [  # a shape, b shape, a transposed, b transposed
    ((128, 200), (200, 96), False, False),
    ((200, 128), (128, 96), True, False),  # x.T @ g, the weight gradient
    ((128, 96), (96, 200), False, True),  # g @ w.T, the input gradient
    ((96, 128), (128, 200), True, True),
    ((4, 64, 80), (4, 80, 72), False, False),  # batched
    ((4, 64, 80), (4, 80, 72), True, True),
    ((4, 64, 80), (1, 80, 72), False, False),  # b broadcast over the batch
    ((2, 3, 64, 64), (2, 1, 64, 96), False, True),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}x{c[1]}-t{int(c[2])}{int(c[3])}")
def test_products_match_numpys(case):
    from fluxion.backend.onednn import matmul

    a_shape, b_shape, a_t, b_t = case
    a, b = _operand(a_shape, a_t), _operand(b_shape, b_t)
    got = matmul.matmul(onednn.api(), a, b)
    assert got is not None and got.dtype == np.float32 and got.flags.c_contiguous
    np.testing.assert_allclose(got, np.matmul(a, b), rtol=2e-5, atol=2e-4)


@pytest.mark.parametrize("a, b", [
    (np.ones((128, 128)), np.ones((128, 128))),  # float64: NumPy's
    (np.ones((8, 8), np.float32), np.ones((8, 8), np.float32)),  # too small to pay off
    (np.ones((128, 128), np.float32), np.ones((128,), np.float32)[:, None]
     * np.ones((1, 128), np.float32)),
    (np.broadcast_to(np.ones((1, 128), np.float32), (128, 128)),  # zero strides
     np.ones((128, 128), np.float32)),
    (np.ones((128, 128), np.float32), np.ones((1, 128, 128), np.float32)),  # ranks differ
    (np.ones((0, 128), np.float32), np.ones((128, 128), np.float32)),
])
def test_cases_it_does_not_take_go_to_numpy(a, b):
    from fluxion.backend.onednn import matmul

    expected_decline = a.dtype != np.float32 or a.size * b.shape[-1] < matmul.MIN_WORK \
        or 0 in a.strides or a.ndim != b.ndim or a.size == 0
    result = matmul.matmul(onednn.api(), a, b)
    assert (result is None) == expected_decline
    if result is not None:
        np.testing.assert_allclose(result, a @ b, rtol=1e-5)


def test_the_backend_runs_products_through_onednn_and_numpy_for_the_rest():
    from fluxion.backend.onednn import matmul

    a, b = _operand((128, 256)), _operand((256, 64))
    tf.config.set_backend("onednn")
    try:
        matmul._plans.clear()
        got = tf.matmul(a, b).numpy()
        small = tf.matmul(a[:4, :4], b[:4, :4]).numpy()
        doubles = tf.matmul(a.astype(np.float64), b.astype(np.float64)).numpy()
        plans = len(matmul._plans)
    finally:
        tf.config.set_backend("numpy")
    assert plans == 1
    np.testing.assert_allclose(got, a @ b, rtol=2e-5, atol=2e-4)
    np.testing.assert_allclose(small, a[:4, :4] @ b[:4, :4], rtol=1e-6)
    assert doubles.dtype == np.float64


def test_primitives_are_made_per_thread_count():
    from fluxion.backend.onednn import library, matmul

    a, b = _operand((128, 256)), _operand((256, 64))
    matmul._plans.clear()
    serial = matmul.matmul(onednn.api(), a, b)
    blas_threads.set_pool_size(2)
    try:
        threads = library.openmp_threads()
        parallel = matmul.matmul(onednn.api(), a, b)
    finally:
        blas_threads.set_pool_size(1)
    assert threads == 2 and sorted(key[-1] for key in matmul._plans) == [1, 2]
    np.testing.assert_allclose(parallel, serial, rtol=1e-5, atol=1e-5)


def _mlp_weights_after_training(steps=3):
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((300,)), keras.layers.Dense(200, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    data = np.random.default_rng(2)
    x = data.standard_normal((64 * steps, 300)).astype(np.float32)
    y = data.integers(0, 10, 64 * steps)
    model.fit(x, y, batch_size=64, epochs=1, shuffle=False, verbose=0)
    return model.get_weights()


def test_a_compiled_mlp_training_step_on_onednn_matches_numpy():
    from fluxion.backend.onednn import matmul

    expected = _mlp_weights_after_training()
    tf.config.set_backend("onednn")
    try:
        matmul._plans.clear()
        got = _mlp_weights_after_training()
        assert matmul._plans  # the products ran in oneDNN
    finally:
        tf.config.set_backend("numpy")
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


class _FakeController:
    def __init__(self, user_api):
        self.user_api, self.threads = user_api, 1

    def set_num_threads(self, count):
        self.threads = count


def test_in_parallel_only_the_backends_pools_grow(monkeypatch):
    pools = [_FakeController("blas"), _FakeController("openmp")]
    monkeypatch.setattr(blas_threads, "_controllers", pools)
    tf.config.set_backend("onednn")
    try:
        assert backend.parallel_pools() == ("openmp",)
        blas_threads.set_parallel(2)
        assert [p.threads for p in pools] == [1, 2]
        monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")
        assert blas_threads.parallel_pools_wait_passively()
        monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")  # the user's spinning pool
        assert not blas_threads.parallel_pools_wait_passively()
    finally:
        tf.config.set_backend("numpy")
    blas_threads.set_parallel(2)  # NumPy's products: its BLAS grows
    assert [p.threads for p in pools] == [2, 1]
    assert not blas_threads.parallel_pools_wait_passively()


@pytest.mark.parametrize("subscripts, a_shape, b_shape", [
    ("abcd,aecd->acbe", (4, 64, 2, 64), (4, 64, 2, 64)),  # attention scores
    ("acbe,aecd->abcd", (4, 2, 64, 64), (4, 64, 2, 64)),  # attention combination
    ("abc,cde->abde", (4, 36, 64), (64, 2, 64)),  # EinsumDense projection
])
def test_einsums_lowered_to_products_run_on_onednn(subscripts, a_shape, b_shape):
    from fluxion.backend.onednn import matmul

    a, b = _operand(a_shape), _operand(b_shape)
    tf.config.set_backend("onednn")
    try:
        matmul._plans.clear()
        got = tf.einsum(subscripts, a, b).numpy()
        assert matmul._plans  # the product ran in oneDNN
    finally:
        tf.config.set_backend("numpy")
    np.testing.assert_allclose(got, np.einsum(subscripts, a, b), rtol=2e-5, atol=2e-4)



FORKED_WORKERS = """
import multiprocessing, numpy as np
import fluxion as tf
from fluxion import keras
tf.config.threading.set_intra_op_parallelism_threads(2)  # OpenMP's pool starts 2 threads
model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(256), keras.layers.Dense(10)])
model.compile("adam", "mse")
model.fit(np.ones((512, 784), np.float32), np.ones((512, 10), np.float32), verbose=0)

def child(_):
    return float(tf.reduce_sum(tf.matmul(tf.ones((512, 784)), tf.ones((784, 256)))))

with multiprocessing.get_context("fork").Pool(2) as pool:
    print(pool.map(child, range(2)))
"""


def test_workers_forked_after_parallel_training_do_not_hang():
    # GNU libgomp's pool does not survive fork(): a child's parallel region waited forever
    import os
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, PYTHONPATH=root, FLUXION_BACKEND="onednn")
    out = subprocess.run([sys.executable, "-c", FORKED_WORKERS], env=env, capture_output=True,
                         text=True, timeout=120, check=True).stdout
    assert out.strip() == "[102760448.0, 102760448.0]"


def test_a_primitive_that_cannot_be_made_is_refused_cleanly(monkeypatch):
    import gc
    import sys

    from fluxion.backend.onednn import capi
    from fluxion.backend.onednn.memory import Descriptors, PrimitiveDesc

    api = onednn.api()
    descs = Descriptors(api)
    a = descs.strided([2, 3], [3, 1], capi.F32)
    b = descs.strided([4, 5], [5, 1], capi.F32)  # 3 != 4: no product
    out = descs.strided([2, 5], [5, 1], capi.F32)
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    with pytest.raises(capi.OneDNNError, match="matmul_primitive_desc_create"):
        PrimitiveDesc(api, "matmul_primitive_desc_create", api.engine, a, b, None, out, None)
    gc.collect()
    assert unraisable == []  # the half-made descriptor's __del__ raised nothing
