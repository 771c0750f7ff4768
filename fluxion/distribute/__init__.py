"""``fluxion.distribute``: data-parallel training over MPI ranks (``tf.distribute``).

    strategy = fluxion.distribute.MultiWorkerMirroredStrategy()
    with strategy.scope():
        model = build_and_compile()
    model.fit(x, y, batch_size=GLOBAL_BATCH)   # mpiexec -n 4 python train.py

The extra ``fluxion[mpi]`` installs mpi4py and MPICH; without ``mpiexec`` the same
script runs as one worker.
"""

from fluxion.distribute import experimental
from fluxion.distribute.strategy import (
    ClusterResolver,
    InputContext,
    MirroredStrategy,
    MultiWorkerMirroredStrategy,
    OneDeviceStrategy,
    ReduceOp,
    Strategy,
    get_strategy,
    has_strategy,
    in_cross_replica_context,
)

__all__ = ["experimental", "ClusterResolver", "InputContext", "MirroredStrategy",
           "MultiWorkerMirroredStrategy", "OneDeviceStrategy", "ReduceOp", "Strategy",
           "get_strategy", "has_strategy", "in_cross_replica_context"]
