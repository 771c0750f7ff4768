"""fluxion.config.threading: settings, FLUXION_NUM_THREADS, and their effect on the BLAS pool
as threadpoolctl sees it."""

import os
import subprocess
import sys

import numpy as np
import pytest

import fluxion as tf
from fluxion.core import blas_threads

threadpoolctl = pytest.importorskip("threadpoolctl")
threading = tf.config.threading
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def blas_pool_sizes():
    return {info["filepath"]: info["num_threads"]
            for info in threadpoolctl.threadpool_info() if info["user_api"] == "blas"}


@pytest.fixture(autouse=True)
def restore_settings():
    intra, inter = blas_threads._intra_op, blas_threads._inter_op
    yield
    blas_threads._intra_op, blas_threads._inter_op = intra, inter
    blas_threads.apply_settings()


def test_defaults_follow_tensorflow(monkeypatch):
    monkeypatch.delenv("FLUXION_NUM_THREADS", raising=False)
    monkeypatch.setattr(blas_threads, "_intra_op", None)
    monkeypatch.setattr(blas_threads, "_inter_op", 0)
    assert threading.get_intra_op_parallelism_threads() == 0
    assert threading.get_inter_op_parallelism_threads() == 0


def test_set_and_get_round_trip():
    threading.set_intra_op_parallelism_threads(3)
    threading.set_inter_op_parallelism_threads(5)
    assert threading.get_intra_op_parallelism_threads() == 3
    assert threading.get_inter_op_parallelism_threads() == 5
    threading.set_intra_op_parallelism_threads(np.int64(2))
    assert threading.get_intra_op_parallelism_threads() == 2


@pytest.mark.parametrize("bad", [2.5, "2", None, True])
def test_non_integers_are_rejected(bad):
    with pytest.raises(TypeError, match="expected an integer number of threads"):
        threading.set_intra_op_parallelism_threads(bad)
    with pytest.raises(TypeError, match="expected an integer number of threads"):
        threading.set_inter_op_parallelism_threads(bad)


def test_negative_counts_are_rejected():
    with pytest.raises(ValueError, match="non-negative number of threads.*got -1"):
        threading.set_intra_op_parallelism_threads(-1)
    with pytest.raises(ValueError, match="non-negative"):
        threading.set_inter_op_parallelism_threads(-2)


@pytest.mark.skipif(not blas_pool_sizes(), reason="no BLAS library that threadpoolctl sees")
def test_setting_resizes_the_blas_pool():
    threading.set_intra_op_parallelism_threads(2)
    assert set(blas_pool_sizes().values()) == {2}
    threading.set_intra_op_parallelism_threads(1)
    assert set(blas_pool_sizes().values()) == {1}


@pytest.mark.skipif(not blas_pool_sizes(), reason="no BLAS library that threadpoolctl sees")
def test_fluxions_choice_keeps_the_pool_at_one_thread_between_calls(monkeypatch):
    for name in blas_threads.NATIVE_ENV_VARS + (blas_threads.ENV_VAR,):
        monkeypatch.delenv(name, raising=False)
    threading.set_intra_op_parallelism_threads(0)
    assert set(blas_pool_sizes().values()) == {1}
    step = tf.function(lambda a: tf.matmul(a, a))
    a = tf.ones((64, 64))
    for _ in range(12):
        np.testing.assert_allclose(step(a).numpy(), np.full((64, 64), 64.0))
    assert set(blas_pool_sizes().values()) == {1}


def test_user_native_env_var_is_respected(monkeypatch):
    monkeypatch.delenv(blas_threads.ENV_VAR, raising=False)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    blas_threads._intra_op = None
    assert not blas_threads.chooses_threads()
    threading.set_intra_op_parallelism_threads(1)  # an explicit setting wins
    assert blas_threads.parallel_threads() == 1


def test_inter_op_setting_sizes_autotune_workers():
    from fluxion.data import workers

    threading.set_inter_op_parallelism_threads(3)
    assert workers.worker_count(tf.data.AUTOTUNE) == 3
    threading.set_inter_op_parallelism_threads(0)
    assert workers.worker_count(tf.data.AUTOTUNE) == blas_threads.usable_cpu_count()
    ds = tf.data.Dataset.range(8).map(lambda x: x * 2, num_parallel_calls=tf.data.AUTOTUNE)
    assert sorted(int(v) for v in ds) == [0, 2, 4, 6, 8, 10, 12, 14]


def _run(code: str, **env) -> str:
    full_env = {k: v for k, v in os.environ.items()
                if k not in blas_threads.NATIVE_ENV_VARS + (blas_threads.ENV_VAR,)}
    full_env.update(env, PYTHONPATH=ROOT)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=full_env, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


NUMPY_FIRST = """
import numpy as np, threadpoolctl
np.ones((4, 4)) @ np.ones((4, 4))      # NumPy (and its BLAS) loaded and used before Fluxion
import fluxion as tf
print(tf.config.threading.get_intra_op_parallelism_threads())
tf.matmul(tf.ones((8, 8)), tf.ones((8, 8)))   # the first kernel applies the settings
print(sorted({i["num_threads"] for i in threadpoolctl.threadpool_info()
              if i["user_api"] == "blas"}))
"""


@pytest.mark.skipif(not blas_pool_sizes(), reason="no BLAS library that threadpoolctl sees")
def test_environment_variable_applies_after_numpy_was_imported():
    lines = _run(NUMPY_FIRST, FLUXION_NUM_THREADS="2").splitlines()
    assert lines == ["2", "[2]"]


@pytest.mark.skipif(not blas_pool_sizes(), reason="no BLAS library that threadpoolctl sees")
def test_default_applies_one_thread_at_the_first_kernel():
    assert _run(NUMPY_FIRST).splitlines() == ["0", "[1]"]


def test_bad_environment_variable_is_named():
    with pytest.raises(AssertionError, match="FLUXION_NUM_THREADS must be a non-negative"):
        _run("import fluxion as tf; tf.config.threading.get_intra_op_parallelism_threads()",
             FLUXION_NUM_THREADS="many")


def test_openmp_runtimes_are_prepared_to_wait_passively(monkeypatch):
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    blas_threads.prepare_openmp_runtime()
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")  # the user's choice stays
    blas_threads.prepare_openmp_runtime()
    assert os.environ["OMP_WAIT_POLICY"] == "ACTIVE"


def test_first_kernel_removes_the_first_run_wrappers():
    code = """
import numpy as np
import fluxion as tf
from fluxion.core.primitive import REGISTRY
wrapped = sum(p.impl is not p.kernel for p in REGISTRY.values())
ufuncs_plain = all(p.impl is p.kernel for p in REGISTRY.values() if isinstance(p.kernel, np.ufunc))
tf.matmul(tf.ones((2, 2)), tf.ones((2, 2)))
print(wrapped > 100 and ufuncs_plain, all(p.impl is p.kernel for p in REGISTRY.values()))
"""
    assert _run(code) == "True True"


@pytest.mark.skipif(not os.environ.get("PYTEST_XDIST_WORKER"), reason="not an xdist worker")
@pytest.mark.skipif(not blas_pool_sizes(), reason="no BLAS library that threadpoolctl sees")
def test_xdist_workers_run_one_blas_thread():
    tf.matmul(tf.ones((4, 4)), tf.ones((4, 4)))
    expected = int(os.environ.get("FLUXION_NUM_THREADS", "1"))
    assert set(blas_pool_sizes().values()) == {expected}


class _FakeOpenMP:
    user_api = "openmp"

    def __init__(self):
        self.threads = 1

    def set_num_threads(self, count):
        self.threads = count


def test_a_forked_child_keeps_openmp_at_one_thread(monkeypatch):
    # GNU libgomp's pool does not survive fork(): more than one thread would wait forever
    pool = _FakeOpenMP()
    monkeypatch.setattr(blas_threads, "_controllers", [pool])
    monkeypatch.setattr(blas_threads, "_openmp_single_after_fork", False)
    blas_threads.set_pool_size(2)
    assert pool.threads == 2
    blas_threads._after_fork_in_child()
    assert pool.threads == 1
    blas_threads.set_pool_size(2)
    blas_threads.set_parallel(2)
    assert pool.threads == 1
