"""Distribution strategies: ``MultiWorkerMirroredStrategy`` (one replica per MPI rank),
``MirroredStrategy`` and ``OneDeviceStrategy`` (one process), and the default.

Data parallelism as TF does it: every worker holds the same variables (broadcast from
the chief before training), computes gradients on its share of each global batch,
and the gradients are averaged across workers *inside* the compiled step, so every
worker ends the step with the same weights, bit for bit.  Workers on one host average
through its shared memory (``node_memory``; hosts' sums added by MPI between one
leader per host), and with Adam each worker of a host updates only its part of the
parameters, held in that shared memory (``sharded_update``); ``CommunicationOptions(
bytes_per_pack=...)`` asks for MPI's ``Iallreduce`` in buckets instead (``collectives``).
"""

from __future__ import annotations

import contextlib
import enum
import threading

import numpy as np

from fluxion.distribute import mpi_comm
from fluxion.ops.array_ops import cast, concat, convert_to_tensor
from fluxion.ops.creation_ops import shape
from fluxion.ops.reduce_ops import reduce_sum

_state = threading.local()


class ReduceOp(enum.Enum):
    SUM = "SUM"
    MEAN = "MEAN"


_global_stack: list = []  # keras.distribution.set_distribution's, under every thread's


def _stack() -> list:
    if not hasattr(_state, "stack"):
        _state.stack = []
    return _global_stack + _state.stack


class InputContext:
    """What an input function needs to know to shard (``tf.distribute.InputContext``)."""

    def __init__(self, num_input_pipelines: int = 1, input_pipeline_id: int = 0,
                 num_replicas_in_sync: int = 1):
        self.num_input_pipelines = num_input_pipelines
        self.input_pipeline_id = input_pipeline_id
        self.num_replicas_in_sync = num_replicas_in_sync

    def get_per_replica_batch_size(self, global_batch_size: int) -> int:
        if global_batch_size % self.num_replicas_in_sync:
            raise ValueError(f"The global batch size {global_batch_size} is not divisible by "
                             f"num_replicas_in_sync {self.num_replicas_in_sync}")
        return global_batch_size // self.num_replicas_in_sync


class ClusterResolver:
    """The worker's place in the cluster (``task_type``, ``task_id``)."""

    def __init__(self, task_id: int, num_workers: int):
        self.task_type = "worker"
        self.task_id = task_id
        self.num_workers = num_workers

    def cluster_spec(self) -> dict:
        return {"worker": [f"rank:{i}" for i in range(self.num_workers)]}


class Strategy:
    """The base: one replica in this process, nothing to communicate."""

    def __init__(self):
        self.cluster_resolver = ClusterResolver(self._rank(), self._workers())
        self.extended = self

    # --- where this process stands -------------------------------------------------------
    def _rank(self) -> int:
        return 0

    def _workers(self) -> int:
        return 1

    @property
    def num_replicas_in_sync(self) -> int:
        return self._workers()

    @property
    def should_checkpoint(self) -> bool:
        return self._rank() == 0

    @property
    def is_chief(self) -> bool:
        return self._rank() == 0

    # --- scope ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def scope(self):
        """Objects made inside (models, optimizers, variables) belong to this strategy."""
        _stack()  # makes the thread's own stack
        _state.stack.append(self)
        try:
            yield self
        finally:
            _state.stack.pop()

    # --- running and reducing -------------------------------------------------------------
    def run(self, fn, args=(), kwargs=None, options=None):
        """Runs ``fn`` on this worker's replica (one per process)."""
        return fn(*args, **(kwargs or {}))

    def reduce(self, reduce_op, value, axis=None):
        """``value`` summed or averaged over replicas (and over ``axis`` if given)."""
        op = ReduceOp(reduce_op.upper() if isinstance(reduce_op, str) else reduce_op.value)
        tensor = convert_to_tensor(value)
        count = None
        if axis is not None:
            count = cast(shape(tensor)[axis], tensor.dtype)
            tensor = reduce_sum(tensor, axis=axis)
        total = self._all_sum(tensor)
        if op is ReduceOp.MEAN:
            denominator = self._all_sum(count) if count is not None else \
                cast(self.num_replicas_in_sync, total.dtype)
            return total / denominator
        return total

    def gather(self, value, axis: int = 0):
        """The per-replica values concatenated along ``axis`` (same shapes)."""
        tensor = convert_to_tensor(value)
        if self._workers() == 1:
            return tensor
        stacked = mpi_comm.allgather(tensor.numpy())
        return concat(list(stacked), axis=axis)

    def experimental_local_results(self, value) -> tuple:
        return (value,)

    def _all_sum(self, tensor):
        if self._workers() == 1:
            return tensor
        from fluxion.distribute.collectives import all_reduce

        return all_reduce(tensor, "sum")

    # --- input ------------------------------------------------------------------------------
    def experimental_distribute_dataset(self, dataset, options=None):
        """This worker's part of ``dataset`` (batched by the global batch size), split as
        the pipeline's ``options().experimental_distribute.auto_shard_policy`` says
        (``fluxion.distribute.auto_shard``): by files, by data, or not at all."""
        if self._workers() == 1:
            return dataset
        if getattr(dataset, "_distributed_for", None) == (self._workers(), self._rank()):
            return dataset  # distributed already (passed to fit by the user, say)
        from fluxion.distribute.auto_shard import auto_shard

        part = auto_shard(dataset, self._workers(), self._rank())
        part._distributed_for = (self._workers(), self._rank())
        return part

    def distribute_datasets_from_function(self, dataset_fn, options=None):
        """``dataset_fn(InputContext)`` on each worker (it shards and batches per worker)."""
        return dataset_fn(InputContext(self._workers(), self._rank(),
                                       self.num_replicas_in_sync))

    # --- training hooks (used by Keras's fit and optimizers) --------------------------------
    def _local_batch(self, data):
        """This worker's share of a global batch (``fit`` on arrays)."""
        if self._workers() == 1:
            return data
        from fluxion.distribute.sharding import share_of_batch

        return share_of_batch(data, self._rank(), self._workers())

    def _batches_in_lockstep(self, batches):
        """``(step, batch)`` pairs while every worker has a batch, for epochs of unknown
        length: where the workers' pipelines differ in length (files of different
        sizes), the epoch ends on all of them when the first runs out, instead of one
        worker waiting in a collective the others never start."""
        if self._workers() == 1:
            yield from batches
            return
        iterator = iter(batches)
        while True:
            item = next(iterator, None)
            have = mpi_comm.allreduce(np.array([item is not None], np.int32), "min")
            if not have[0]:
                return
            yield item

    def _average_gradients(self, grads: list) -> list:
        """The mean over workers of each gradient: through the hosts' shared memory
        (``fluxion.distribute.node_memory``), or, where ``communication_options`` set
        ``bytes_per_pack``, in buckets of that size reduced by MPI's ``Iallreduce``
        (started inside the backward pass)."""
        if self._workers() == 1:
            return grads
        options = getattr(self, "_communication_options", None)
        if options is not None and options.bytes_per_pack:
            from fluxion.distribute.collectives import all_reduce_bucket

            return all_reduce_bucket(grads, options.bytes_per_pack)
        if len({g.dtype for g in grads}) == 1 and grads[0].dtype.np_dtype.kind == "f":
            from fluxion.distribute.sharded_update import shared_mean

            return shared_mean(grads)
        from fluxion.distribute.collectives import all_reduce_bucket

        return all_reduce_bucket(grads)

    def _update_sharded(self, optimizer, grads: list, variables: list) -> bool:
        """Averages ``grads`` and applies ``optimizer``'s update with each worker of a
        host updating its part of the parameters (``sharded_update``); False, doing
        nothing, where that does not apply (one worker, several hosts, buckets asked
        for, an optimizer other than Adam's fused update)."""
        options = getattr(self, "_communication_options", None)
        if self._workers() == 1 or (options is not None and options.bytes_per_pack):
            return False
        from fluxion.distribute.sharded_update import update_sharded

        return update_sharded(optimizer, grads, variables)

    def _sync_variables(self, variables) -> None:
        """Makes every worker's copy of ``variables`` the chief's (before training)."""
        if self._workers() == 1 or not variables:
            return
        arrays = [np.asarray(v.numpy()) for v in variables]
        flat = np.concatenate([a.reshape(-1).astype(np.float64) for a in arrays]) \
            if arrays else np.zeros(0)
        flat = mpi_comm.broadcast(flat, root=0)
        offset = 0
        for variable, array in zip(variables, arrays):
            size = array.size
            variable.assign(flat[offset:offset + size].reshape(array.shape).astype(array.dtype))
            offset += size

    def _mean_logs(self, logs: dict) -> dict:
        """Logged metrics averaged over workers (what the chief prints)."""
        if self._workers() == 1 or not logs:
            return logs
        keys = sorted(k for k, v in logs.items() if np.ndim(v) == 0)
        values = mpi_comm.allreduce(np.array([float(logs[k]) for k in keys]), "mean")
        return {**logs, **dict(zip(keys, values.tolist()))}


class MultiWorkerMirroredStrategy(Strategy):
    """One replica per MPI rank (``mpiexec -n N python train.py``); with one process, a
    one-replica strategy (so the same script runs alone)."""

    def __init__(self, cluster_resolver=None, communication_options=None):
        del cluster_resolver  # MPI knows the cluster
        from fluxion.distribute.experimental import CommunicationOptions

        if communication_options is None:
            communication_options = CommunicationOptions()
        if not isinstance(communication_options, CommunicationOptions):
            raise TypeError(f"communication_options must be a tf.distribute.experimental."
                            f"CommunicationOptions, got "
                            f"{type(communication_options).__name__}.")
        self._communication_options = communication_options
        mpi_comm.set_timeout_option(communication_options.timeout_seconds)
        self._comm = mpi_comm.world()
        if self._comm is not None and self._comm.Get_size() > 1:
            mpi_comm.share_cpus_between_local_ranks(self._comm)
        super().__init__()

    def _rank(self) -> int:
        return 0 if self._comm is None else self._comm.Get_rank()

    def _workers(self) -> int:
        return 1 if self._comm is None else self._comm.Get_size()


class MirroredStrategy(Strategy):
    """Replicas over this process's devices: one replica on the CPU."""

    def __init__(self, devices=None, cross_device_ops=None):
        self.devices = tuple(devices) if devices else ("/device:CPU:0",)
        super().__init__()


class OneDeviceStrategy(Strategy):
    """Everything on one device."""

    def __init__(self, device: str = "/device:CPU:0"):
        self.device = device
        super().__init__()


_DEFAULT = None


def get_strategy() -> Strategy:
    """The strategy whose ``scope()`` is open, else the default one-replica strategy."""
    global _DEFAULT
    stack = _stack()
    if stack:
        return stack[-1]
    if _DEFAULT is None:
        _DEFAULT = Strategy()
    return _DEFAULT


def has_strategy() -> bool:
    return bool(_stack())


def in_cross_replica_context() -> bool:
    return True
