"""``keras.distribution``: Keras 3's spelling of data parallelism, on ``fluxion.distribute``.

``set_distribution(DataParallel())`` makes every model and optimizer created afterwards
train data-parallel over the MPI ranks (as under ``MultiWorkerMirroredStrategy().scope()``).
"""

from __future__ import annotations

from fluxion import config

_current = [None]


class DataParallel:
    """Data parallelism over the workers (``mpiexec -n N``); ``devices`` is accepted."""

    def __init__(self, device_mesh=None, devices=None, auto_shard_dataset: bool = True):
        from fluxion.distribute import MultiWorkerMirroredStrategy

        self.devices = devices
        self.auto_shard_dataset = auto_shard_dataset
        self._strategy = MultiWorkerMirroredStrategy()

    def scope(self):
        return self._strategy.scope()

    def distribute_dataset(self, dataset):
        return self._strategy.experimental_distribute_dataset(dataset)


def set_distribution(value) -> None:
    """Makes ``value`` (a ``DataParallel``, or None) the distribution of new objects."""
    from fluxion.distribute import strategy as strategy_module

    stack = strategy_module._global_stack
    if _current[0] is not None and _current[0]._strategy in stack:
        stack.remove(_current[0]._strategy)
    _current[0] = value
    if value is not None:
        stack.append(value._strategy)


def distribution():
    """The distribution set with ``set_distribution``, or None."""
    return _current[0]


def list_devices(device_type=None) -> list:
    return [d.name for d in config.list_logical_devices(device_type)]
