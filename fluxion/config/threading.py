"""``fluxion.config.threading`` (``tf.config.threading``): how many threads Fluxion uses.

Unlike TensorFlow, both settings may change at any time, also after the first op ran;
they take effect at once (through ``threadpoolctl``, whichever of NumPy and Fluxion was
imported first).  ``FLUXION_NUM_THREADS`` in the environment gives the intra-op setting
its starting value.  See ``fluxion.core.blas_threads`` for how Fluxion chooses when the
setting is 0.
"""

from __future__ import annotations

from fluxion.core import blas_threads


def get_intra_op_parallelism_threads() -> int:
    """Threads one op (a matrix product, a convolution) may use; 0: Fluxion chooses.

    Returns:
        The setting, else ``FLUXION_NUM_THREADS``, else 0 (the default).
    """
    return blas_threads.intra_op_setting()


def set_intra_op_parallelism_threads(num_threads: int) -> None:
    """Sets the threads one op may use; 0 restores Fluxion's choice.

    With ``n > 0`` every native thread pool (BLAS, OpenMP) is sized to ``n``.  With 0,
    Fluxion keeps the pools at one thread and lets a compiled function (a training step)
    use one thread per usable CPU only where that measured faster; see
    ``fluxion.core.thread_choice``.

    Args:
        num_threads: a non-negative integer.

    Example:
        >>> import fluxion as tf
        >>> tf.config.threading.set_intra_op_parallelism_threads(1)
        >>> tf.config.threading.get_intra_op_parallelism_threads()
        1
        >>> tf.config.threading.set_intra_op_parallelism_threads(0)
    """
    blas_threads.set_intra_op(num_threads)


def get_inter_op_parallelism_threads() -> int:
    """Threads for independent work run side by side; 0: one per usable CPU."""
    return blas_threads.inter_op_setting()


def set_inter_op_parallelism_threads(num_threads: int) -> None:
    """Sets the threads for independent work run side by side; 0: one per usable CPU.

    Fluxion runs a graph's nodes in order on the calling thread; the setting bounds the
    input pipeline's parallelism where it is ``AUTOTUNE`` (the worker threads of
    ``Dataset.map`` and ``interleave`` with ``num_parallel_calls=AUTOTUNE``).

    Args:
        num_threads: a non-negative integer.
    """
    blas_threads.set_inter_op(num_threads)


__all__ = ["get_inter_op_parallelism_threads", "get_intra_op_parallelism_threads",
           "set_inter_op_parallelism_threads", "set_intra_op_parallelism_threads"]
