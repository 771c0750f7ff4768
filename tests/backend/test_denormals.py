"""Denormals flush to zero inside compiled graphs (as in TensorFlow), nowhere else."""

import ctypes
import platform
import threading

import numpy as np
import pytest

import fluxion as tf
from fluxion import keras
from fluxion.backend import denormals

pytestmark = pytest.mark.skipif(not denormals.is_enabled(),
                                reason="no flush-to-zero control on this machine")

DENORMAL = np.float32(1e-40)
TINY = np.finfo(np.float32).tiny
# Checks read bits (``view``), not comparisons: with denormals-are-zero set, a denormal
# compares equal to zero, and to itself after being flushed.


def _bits(value) -> int:
    value = np.asarray(value)
    return int(value.view(np.uint32 if value.dtype == np.float32 else np.uint64))


def _is_denormal(array) -> np.ndarray:
    array = np.asarray(array)
    return (array != 0) & (np.abs(array) < np.finfo(array.dtype).tiny)


def test_flush_to_zero_applies_until_restore_and_nested_calls_leave_it_to_the_outer():
    assert _bits(DENORMAL * np.float32(1)) == _bits(DENORMAL)
    token = denormals.flush_to_zero()
    try:
        assert token is not None
        assert _bits(DENORMAL * np.float32(1)) == 0  # flush to zero
        assert _bits(np.float32(TINY) / np.float32(4)) == 0  # results below the range, too
        assert _bits(np.array(1e-310) * 1.0) == 0  # both float widths
        assert denormals.flush_to_zero() is None  # already flushing: the outer restores
    finally:
        denormals.restore(token)
    assert _bits(DENORMAL * np.float32(1)) == _bits(DENORMAL)
    assert _bits(np.float32(TINY) / np.float32(4)) == _bits(np.float32(TINY / 4))


@pytest.mark.skipif(platform.machine() != "x86_64", reason="x86-64's rounding constants")
def test_restore_puts_back_a_mode_changed_since_the_last_call():
    """The mode a thread had is cached between calls; a change (here the rounding
    direction, set through C) must be seen, kept inside the scope and restored after."""
    libm = ctypes.CDLL("libm.so.6")
    upward, nearest = 0x800, 0  # FE_UPWARD, FE_TONEAREST on x86-64
    denormals.restore(denormals.flush_to_zero())
    assert libm.fesetround(upward) == 0
    try:
        token = denormals.flush_to_zero()
        try:
            assert libm.fegetround() == upward
            assert _bits(DENORMAL * np.float32(1)) == 0
        finally:
            denormals.restore(token)
        assert libm.fegetround() == upward
        assert _bits(DENORMAL * np.float32(1)) == _bits(DENORMAL)
    finally:
        libm.fesetround(nearest)
    denormals.restore(denormals.flush_to_zero())
    assert libm.fegetround() == nearest


def test_the_mode_belongs_to_the_calling_thread():
    """Another running thread keeps IEEE arithmetic.  (A thread started while the mode is
    set inherits it, as native pools started by a graph's first parallel kernel do.)"""
    seen, go = [], threading.Event()

    def other():
        go.wait()
        seen.append(_bits(DENORMAL * np.float32(1)))

    thread = threading.Thread(target=other)
    thread.start()
    token = denormals.flush_to_zero()
    try:
        go.set()
        thread.join()
    finally:
        denormals.restore(token)
    assert seen == [_bits(DENORMAL)]


def test_compiled_functions_flush_denormals_eager_ops_and_numpy_after_do_not():
    x = np.array([DENORMAL, -DENORMAL, 1.0, TINY], np.float32)
    scale = tf.function(lambda t: t * 0.5)
    compiled = scale(tf.constant(x)).numpy()
    np.testing.assert_array_equal(compiled, [0.0, 0.0, 0.5, 0.0])  # TINY / 2 too
    np.testing.assert_array_equal((tf.constant(x) * 0.5).numpy(), x * np.float32(0.5))
    assert _is_denormal(x * np.float32(0.5)).sum() == 3  # NumPy after the call: IEEE


def test_turned_off_compiled_functions_give_ieee_results():
    x = np.array([DENORMAL, 1.0], np.float32)
    scale = tf.function(lambda t: t * 0.5)
    assert tf.config.floating_point.get_flush_denormals()
    tf.config.floating_point.set_flush_denormals(False)
    try:
        assert not tf.config.floating_point.get_flush_denormals()
        np.testing.assert_array_equal(scale(tf.constant(x)).numpy(), x * np.float32(0.5))
    finally:
        tf.config.floating_point.set_flush_denormals(True)
    np.testing.assert_array_equal(scale(tf.constant(x)).numpy(), [0.0, 0.5])


def test_an_error_inside_a_compiled_function_still_restores_the_mode():
    gather = tf.function(lambda params, index: tf.gather(params, index))
    params = tf.constant(np.zeros(4, np.float32))
    gather(params, tf.constant(1))
    with pytest.raises(tf.errors.InvalidArgumentError):  # index 9 of 4: found while running
        gather(params, tf.constant(9))
    assert _bits(DENORMAL * np.float32(1)) == _bits(DENORMAL)


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "eager"])
def test_adam_moments_of_a_weight_without_gradient_stop_short_of_denormals_as_in_tf(compiled):
    """A weight whose gradient stays zero: its Adam moment ``m + (0 - m) * 0.1`` decays
    until ``m * 0.1`` flushes to zero, then stays (Keras 3 on TensorFlow 2.21 gives the
    same 1.1320992e-37 after these steps, eager or in a tf.function); NumPy's IEEE
    arithmetic instead decays it into denormals, which every later pass computes slowly."""
    variable = tf.Variable(np.ones(8, np.float32))
    optimizer = keras.optimizers.Adam(learning_rate=1e-3)

    def step(gradient):
        optimizer.apply_gradients([(gradient, variable)])

    if compiled:
        step = tf.function(step)
    step(tf.constant(np.full(8, 0.5, np.float32)))  # moments start away from zero
    zero = tf.constant(np.zeros(8, np.float32))
    for _ in range(900):
        step(zero)
    momentum = next(v.numpy() for v in optimizer.variables if "momentum" in v.name)
    assert not _is_denormal(momentum).any()
    np.testing.assert_array_equal(momentum, np.float32(1.1320992e-37))
    assert _bits(DENORMAL * np.float32(1)) == _bits(DENORMAL)  # restored after the steps
    m = np.full(8, 0.05, np.float32)
    for _ in range(900):
        m = m + (np.float32(0) - m) * np.float32(1 - 0.9)
    assert _is_denormal(m).all()


EAGER_ONEDNN_IN_PARALLEL = """
import sys
import numpy as np
import fluxion as tf
from fluxion.backend import onednn
from fluxion.core import blas_threads
if not onednn.available():
    print("no onednn")
    sys.exit(0)
tf.config.set_backend("onednn")
blas_threads.ensure_applied()
blas_threads.set_parallel(2)
a = np.full((512, 512), 1e-40, np.float32)  # each row sums to 5.1e-38: normal
b = np.ones((512, 512), np.float32)
got = tf.matmul(a, b).numpy()  # eager: the first parallel oneDNN call starts the pool
later = tf.function(lambda x, y: tf.matmul(x, y))(a, b).numpy()
after = np.asarray(np.float32(1e-40) * np.float32(1)).view(np.uint32)
print(np.count_nonzero(got), np.count_nonzero(later), int(after))
"""


def test_onednn_kernels_flush_eager_too_so_openmp_workers_start_flushing():
    """Threads take the float modes of the thread that starts them: an OpenMP pool first
    started by an eager oneDNN call must start inside a flushed scope, or its workers
    would compute their share of every later kernel (Adam's moments) with denormals."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", EAGER_ONEDNN_IN_PARALLEL],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    if done.stdout.strip() == "no onednn":
        pytest.skip("no oneDNN 3.x library")
    eager, compiled, after = (int(n) for n in done.stdout.split())
    assert (eager, compiled) == (0, 0)  # every row, whichever thread computed it
    assert after == _bits(DENORMAL)  # the calling thread is back to IEEE
