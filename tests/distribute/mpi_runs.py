"""Running programs on several MPI ranks for the distribute tests: ``mpiexec`` (the tests
skip without it or mpi4py), the repository on ``PYTHONPATH``, one thread a rank, and a
time limit on every run."""

import os
import shutil
import subprocess

import pytest

pytest.importorskip("mpi4py")
MPIEXEC = shutil.which("mpiexec")
needs_mpiexec = pytest.mark.skipif(MPIEXEC is None, reason="mpiexec not installed")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def run(command, extra_env=None, timeout=240) -> subprocess.CompletedProcess:
    """``command`` with Fluxion importable and one thread a process, bounded in time."""
    env = dict(os.environ, PYTHONPATH=ROOT, FLUXION_NUM_THREADS="1", **(extra_env or {}))
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
