"""``fluxion.train``: checkpoints (``tf.train.Checkpoint``, ``CheckpointManager``, views,
polling), moving averages, thread coordination, cluster specs and ``Example`` protos.

>>> ckpt = fluxion.train.Checkpoint(model=model, optimizer=optimizer)
>>> manager = fluxion.train.CheckpointManager(ckpt, "/tmp/run", max_to_keep=3)
>>> manager.restore_or_initialize(); ...; manager.save()
"""

from fluxion.train.checkpoint import (
    Checkpoint,
    CheckpointLoadStatus,
    InitializationOnlyStatus,
)
from fluxion.train.checkpoint_manager import CheckpointManager
from fluxion.train.checkpoint_polling import checkpoints_iterator, wait_for_new_checkpoint
from fluxion.train.checkpoint_reader import (
    CheckpointOptions,
    list_variables,
    load_checkpoint,
    load_variable,
)
from fluxion.train.checkpoint_state import (
    CheckpointState,
    get_checkpoint_state,
    latest_checkpoint,
    update_checkpoint_state,
)
from fluxion.train.cluster import ClusterSpec
from fluxion.train.coordinator import Coordinator
from fluxion.train.moving_averages import ExponentialMovingAverage
from fluxion.train.object_views import CheckpointView, TrackableView

__all__ = [
    "Checkpoint", "CheckpointLoadStatus", "CheckpointManager", "CheckpointOptions",
    "CheckpointState", "InitializationOnlyStatus", "get_checkpoint_state", "latest_checkpoint",
    "list_variables", "load_checkpoint", "load_variable", "update_checkpoint_state",
    "CheckpointView", "ClusterSpec", "Coordinator", "ExponentialMovingAverage", "TrackableView",
    "checkpoints_iterator", "wait_for_new_checkpoint",
]


def __getattr__(name: str):
    # tf.train.Example and its sibling messages live with the TFRecord code (fluxion.io),
    # built with protobuf on first use.
    from fluxion.io import example_proto
    from fluxion.train import cluster

    if name in example_proto.MESSAGE_NAMES:
        return getattr(example_proto, name)
    if name in cluster.MESSAGE_NAMES:  # ClusterDef, JobDef, ServerDef
        return cluster.message_classes()[name]
    raise AttributeError(f"module 'fluxion.train' has no attribute {name!r}")
