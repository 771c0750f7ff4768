"""fluxion.test (tf.test): TestCase assertions, main, Benchmark, compute_gradient."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import fluxion as tf

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class _Case(tf.test.TestCase):
    def runTest(self):  # noqa: N802 - unittest's name
        pass


def test_assertions():
    case = _Case()
    case.assertAllClose(tf.constant([1.0, 2.0]), [1.0, 2.0 + 1e-8])
    case.assertAllEqual(tf.constant([1, 2]), np.array([1, 2]))
    case.assertNotAllClose([1.0], [2.0])
    case.assertAllInRange(tf.constant([0.5, 1.0]), 0.0, 1.0)
    case.assertNear(1.0, 1.05, 0.1)
    case.assertAllGreater([2, 3], 1)
    case.assertAllLess([2, 3], 4)
    case.assertShapeEqual(np.zeros((2, 3)), tf.zeros([2, 3]))
    with pytest.raises(AssertionError):
        case.assertAllClose([1.0], [1.1])
    with pytest.raises(AssertionError):
        case.assertAllInRange([2.0], 0.0, 1.0)
    assert case.evaluate({"a": tf.constant(3)})["a"] == 3
    assert case.get_temp_dir()
    assert not tf.test.is_gpu_available() and tf.test.gpu_device_name() == ""


def test_main_runs_the_programs_tests(tmp_path):
    program = tmp_path / "prog_test.py"
    program.write_text(textwrap.dedent("""
        import fluxion as tf

        class T(tf.test.TestCase):
            def test_ok(self):
                self.assertAllEqual(tf.constant([1]), [1])

            def test_bad(self):
                self.assertAllEqual(tf.constant([1]), [2])

        if __name__ == "__main__":
            tf.test.main()
    """))
    done = subprocess.run([sys.executable, str(program)], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=REPOSITORY), cwd=str(tmp_path))
    assert done.returncode == 1 and "Ran 2 tests" in done.stderr and "FAILED" in done.stderr


def test_benchmark_and_compute_gradient():
    class B(tf.test.Benchmark):
        pass

    entry = B().report_benchmark(wall_time=tf.constant(1.5), iters=3, name="b")
    assert entry["wall_time"] == 1.5 and tf.test.Benchmark.reported[-1] is entry
    theoretical, numerical = tf.test.compute_gradient(lambda x: x * x, [np.array([1.0, 3.0])])
    np.testing.assert_allclose(theoretical[0], numerical[0], atol=1e-4)
    np.testing.assert_allclose(theoretical[0], np.diag([2.0, 6.0]), atol=1e-6)
