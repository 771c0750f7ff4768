"""Suite-wide settings: every pytest-xdist worker runs its native pools with one thread.

``pytest -n 2`` on a 2-core machine starts two workers; with BLAS pools of one thread
per CPU in each, four spinning threads fight for two cores and a test that needs ~5 s
of CPU took 68 s.  One thread per worker keeps the workers from slowing each other down.
The variables are set before any test imports Fluxion (or NumPy loads a native
library), and subprocesses started by tests inherit them; a value the user exported
is kept.
"""

import os

# NumPy's kernels are CI's default backend (oneDNN's, the default where the library is
# installed, are tested against them in tests/backend); a value the user exported is kept.
os.environ.setdefault("FLUXION_BACKEND", "numpy")

ONE_THREAD = ("FLUXION_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
              "MKL_NUM_THREADS")


def pytest_configure(config):
    if os.environ.get("PYTEST_XDIST_WORKER"):
        for name in ONE_THREAD:
            os.environ.setdefault(name, "1")
