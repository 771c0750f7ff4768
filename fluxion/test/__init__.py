"""``fluxion.test``: TensorFlow's test helpers (``tf.test``) on ``unittest``.

``TestCase`` adds TensorFlow's array assertions (``assertAllClose``,
``assertAllEqual``...), ``evaluate`` (tensors to NumPy) and ``get_temp_dir``;
``main()`` runs the tests of ``__main__``; ``Benchmark`` records
``report_benchmark`` results (its ``benchmark*`` methods run only when asked, as in
TensorFlow); the device questions answer for Fluxion's CPU backend.
"""

from __future__ import annotations

import os
import sys
import tempfile
import unittest

import numpy as np

from fluxion.core import nest
from fluxion.core.tape import GradientTape
from fluxion.ops.array_ops import reshape
from fluxion.ops.creation_ops import constant

__all__ = ["Benchmark", "TestCase", "assert_equal_graph_def", "benchmark_config",
           "compute_gradient", "disable_with_predicate",
           "experimental", "gpu_device_name", "is_built_with_cuda",
           "is_built_with_gpu_support", "is_built_with_rocm", "is_built_with_xla",
           "is_gpu_available", "main", "with_eager_op_as_function"]


def _numpy(value):
    if hasattr(value, "numpy"):
        return np.asarray(value.numpy())
    if isinstance(value, (list, tuple)):
        return np.asarray([_numpy(v) for v in value])
    return value if isinstance(value, dict) else np.asarray(value)


class TestCase(unittest.TestCase):
    """``unittest.TestCase`` with TensorFlow's assertions on tensors and arrays."""

    _temp_dir = None

    def get_temp_dir(self) -> str:
        """A temporary directory for this test case (removed with the process)."""
        if TestCase._temp_dir is None:
            TestCase._temp_dir = tempfile.mkdtemp(prefix="fluxion-test-")
        return TestCase._temp_dir

    def evaluate(self, tensors):
        """The NumPy values of ``tensors`` (a tensor, or a nested structure)."""
        return nest.map_structure(lambda t: _numpy(t), tensors)

    def assertAllClose(self, a, b, rtol=1e-6, atol=1e-6, msg=None):  # noqa: N802
        np.testing.assert_allclose(_numpy(a), _numpy(b), rtol=rtol, atol=atol,
                                   err_msg=msg or "")

    def assertAllEqual(self, a, b, msg=None):  # noqa: N802
        np.testing.assert_array_equal(_numpy(a), _numpy(b), err_msg=msg or "")

    def assertNotAllClose(self, a, b, rtol=1e-6, atol=1e-6, msg=None):  # noqa: N802
        if np.allclose(_numpy(a), _numpy(b), rtol=rtol, atol=atol):
            raise AssertionError(msg or "The two values are close at all elements")

    def assertAllGreater(self, a, comparison_target):  # noqa: N802
        self.assertTrue(np.all(_numpy(a) > comparison_target))

    def assertAllLess(self, a, comparison_target):  # noqa: N802
        self.assertTrue(np.all(_numpy(a) < comparison_target))

    def assertAllInRange(self, target, lower_bound, upper_bound, open_lower_bound=False,  # noqa: N802
                         open_upper_bound=False):
        values = _numpy(target)
        low = values > lower_bound if open_lower_bound else values >= lower_bound
        high = values < upper_bound if open_upper_bound else values <= upper_bound
        self.assertTrue(np.all(low & high),
                        f"values outside [{lower_bound}, {upper_bound}]: {values}")

    def assertNear(self, f1, f2, err, msg=None):  # noqa: N802
        self.assertTrue(abs(float(f1) - float(f2)) <= err,
                        msg or f"{f1} != {f2} +/- {err}")

    def assertShapeEqual(self, input_a, input_b, msg=None):  # noqa: N802
        self.assertEqual(tuple(np.shape(_numpy(input_a))), tuple(input_b.shape.as_list()), msg)

    def assertDTypeEqual(self, target, expected_dtype):  # noqa: N802
        self.assertEqual(np.asarray(_numpy(target)).dtype, np.dtype(expected_dtype))

    def assertArrayNear(self, farray1, farray2, err, msg=None):  # noqa: N802
        np.testing.assert_allclose(farray1, farray2, atol=err, rtol=0, err_msg=msg or "")


class Benchmark:
    """A benchmark's base (``tf.test.Benchmark``): ``report_benchmark`` records what a
    ``benchmark*`` method measured (in ``reported``) and prints it."""

    reported: list = []

    def report_benchmark(self, iters=None, cpu_time=None, wall_time=None, throughput=None,
                         extras=None, name=None, metrics=None):
        entry = {"name": name or type(self).__name__, "iters": iters,
                 "wall_time": None if wall_time is None else float(_numpy(wall_time)),
                 "cpu_time": cpu_time, "throughput": throughput, "extras": extras or {},
                 "metrics": metrics or []}
        Benchmark.reported.append(entry)
        print(f"benchmark {entry['name']}: {entry}")
        return entry

    def evaluate(self, tensors):
        return nest.map_structure(lambda t: _numpy(t), tensors)


def main(argv=None):
    """Runs the ``TestCase`` tests of ``__main__`` (``tf.test.main``); exits with their
    status."""
    unittest.main(module="__main__", argv=[sys.argv[0]] if argv is None else argv)


def is_gpu_available(cuda_only=False, min_cuda_compute_capability=None) -> bool:
    """Whether a GPU backend is usable (Fluxion's default backend is the CPU)."""
    return False


def gpu_device_name() -> str:
    return ""


def is_built_with_cuda() -> bool:
    return False


def is_built_with_rocm() -> bool:
    return False


def is_built_with_gpu_support() -> bool:
    return False


def is_built_with_xla() -> bool:
    return False


def compute_gradient(f, x, delta=None):
    """(theoretical, numerical) Jacobians of ``f`` at the tensors ``x``: by autodiff
    and by central differences (``tf.test.compute_gradient``)."""
    xs = [np.asarray(_numpy(v), np.float64) for v in x]
    delta = delta or 1e-3
    theoretical, numerical = [], []
    for index, point in enumerate(xs):
        tensors = [constant(v) for v in xs]
        with GradientTape(persistent=True) as tape:
            tape.watch(tensors[index])
            y = reshape(f(*tensors), [-1])
        size_y = int(y.shape[0])
        rows = [np.reshape(_numpy(tape.jacobian(y, tensors[index])), (size_y, -1))]
        theoretical.append(rows[0].T)
        columns = []
        for k in range(point.size):
            step = np.zeros(point.size)
            step[k] = delta
            plus = [v.copy() for v in xs]
            minus = [v.copy() for v in xs]
            plus[index] = (point.reshape(-1) + step).reshape(point.shape)
            minus[index] = (point.reshape(-1) - step).reshape(point.shape)
            up = np.reshape(_numpy(f(*[constant(v) for v in plus])), -1)
            down = np.reshape(_numpy(f(*[constant(v) for v in minus])), -1)
            columns.append((up - down) / (2 * delta))
        numerical.append(np.stack(columns))
    return theoretical, numerical


def benchmark_config():
    """The session config TensorFlow's benchmarks use (a plain ``ConfigProto``)."""
    from fluxion.compat.v1_session_config import ConfigProto

    return ConfigProto()


def assert_equal_graph_def(expected, actual) -> None:
    """Raises ``AssertionError`` unless the two ``GraphDef`` s hold the same nodes."""
    if sorted(n.SerializeToString() for n in expected.node) != \
            sorted(n.SerializeToString() for n in actual.node):
        raise AssertionError("GraphDefs differ")


def disable_with_predicate(pred, skip_message):
    """A test decorator skipping the test when ``pred()`` is true."""
    def decorator(func):
        return unittest.skipIf(pred(), skip_message)(func)
    return decorator


def with_eager_op_as_function(cls=None, only_as_function=False):
    """A class decorator TensorFlow uses to run tests twice; one run here."""
    return cls if cls is not None else (lambda c: c)


class experimental:  # noqa: N801 - TF's namespace name
    """``tf.test.experimental``: sync devices (nothing to wait for on the CPU)."""

    @staticmethod
    def sync_devices() -> None:
        return None


os.environ.setdefault("TEST_TMPDIR", tempfile.gettempdir())
