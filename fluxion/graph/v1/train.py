"""``tf.compat.v1.train``: the TF 1 optimizers, ``Saver``, learning-rate schedules and the
global step.  Every other name (``Checkpoint``, ``latest_checkpoint``, ``Example``...)
is ``fluxion.train``'s."""

from __future__ import annotations

import importlib

from fluxion.graph.v1.adaptive_optimizers import (  # noqa: F401 - re-exported
    AdadeltaOptimizer,
    AdagradOptimizer,
    RMSPropOptimizer,
)
from fluxion.graph.v1.checkpoint_utils import (  # noqa: F401 - re-exported
    NewCheckpointReader,
    VocabInfo,
    assert_global_step,
    basic_train_loop,
    checkpoint_exists,
    generate_checkpoint_state_proto,
    get_checkpoint_mtimes,
    init_from_checkpoint,
    remove_checkpoint,
    replica_device_setter,
    warm_start,
)
from fluxion.graph.v1.global_step import (  # noqa: F401 - re-exported
    create_global_step,
    get_global_step,
    get_or_create_global_step,
    global_step,
)
from fluxion.graph.v1.input_producers import (  # noqa: F401 - re-exported
    batch,
    batch_join,
    input_producer,
    limit_epochs,
    maybe_batch,
    maybe_batch_join,
    maybe_shuffle_batch,
    maybe_shuffle_batch_join,
    range_input_producer,
    shuffle_batch,
    shuffle_batch_join,
    slice_input_producer,
    string_input_producer,
)
from fluxion.graph.v1.learning_rate_decay import (  # noqa: F401 - re-exported
    cosine_decay,
    cosine_decay_restarts,
    exponential_decay,
    inverse_time_decay,
    linear_cosine_decay,
    natural_exp_decay,
    noisy_linear_cosine_decay,
    piecewise_constant,
    piecewise_constant_decay,
    polynomial_decay,
)
from fluxion.graph.v1.meta_graph import export_meta_graph  # noqa: F401 - re-exported
from fluxion.graph.v1.meta_graph_import import import_meta_graph  # noqa: F401 - re-exported
from fluxion.graph.v1.monitored_session import (  # noqa: F401 - re-exported
    CheckpointSaverHook,
    MonitoredSession,
    MonitoredTrainingSession,
    SessionRunArgs,
    SessionRunContext,
    SessionRunHook,
    SessionRunValues,
    StopAtStepHook,
)
from fluxion.graph.v1.optimizers import (  # noqa: F401 - re-exported
    AdamOptimizer,
    GradientDescentOptimizer,
    MomentumOptimizer,
    Optimizer,
)
from fluxion.graph.v1.proximal_optimizers import (  # noqa: F401 - re-exported
    AdagradDAOptimizer,
    FtrlOptimizer,
    ProximalAdagradOptimizer,
    ProximalGradientDescentOptimizer,
)
from fluxion.graph.v1.queue_runner import (  # noqa: F401 - re-exported
    QueueRunner,
    add_queue_runner,
    start_queue_runners,
)
from fluxion.graph.v1.saver import Saver  # noqa: F401 - re-exported
from fluxion.graph.v1.session_creators import (  # noqa: F401 - re-exported
    ChiefSessionCreator,
    Scaffold,
    SessionCreator,
    SessionManager,
    SingularMonitoredSession,
    WorkerSessionCreator,
)
from fluxion.graph.v1.session_hooks import (  # noqa: F401 - re-exported
    CheckpointSaverListener,
    FeedFnHook,
    FinalOpsHook,
    GlobalStepWaiterHook,
    LoggingTensorHook,
    NanLossDuringTrainingError,
    NanTensorHook,
    ProfilerHook,
    SecondOrStepTimer,
    StepCounterHook,
    SummarySaverHook,
)
from fluxion.train.coordinator import Coordinator, LooperThread  # noqa: F401 - re-exported


def __getattr__(name: str):
    """``SaverDef`` (a protobuf message class, built on first use), then the aliases
    and ``fluxion.train``'s names."""
    if name == "SaverDef":
        from fluxion.graph.v1.meta_graph_proto import messages

        return messages()["SaverDef"]
    return _other_name(name)


def summary_iterator(path: str):
    """The ``Event`` protos of the event file ``path``, in order."""
    from fluxion.summary.v1 import summary_iterator as events

    return events(path)


# TF 1 names that are TF 2 objects elsewhere (see fluxion.compat.v1_aliases).
ALIASES = {
    "ClusterSpec": "train.ClusterSpec",
    "ExponentialMovingAverage": "train.ExponentialMovingAverage",
    "checkpoints_iterator": "train.checkpoints_iterator",
    "match_filenames_once": "io.match_filenames_once", "write_graph": "io.write_graph",
}


def _other_name(name: str):
    """Any other name is ``fluxion.train``'s (``tf.compat.v1.train.Example``...)."""
    import fluxion.train

    if name.startswith("__"):
        raise AttributeError(name)
    try:
        if name in ALIASES:
            module_name, _, attribute = ALIASES[name].rpartition(".")
            return getattr(importlib.import_module("fluxion." + module_name), attribute)
        return getattr(fluxion.train, name)
    except AttributeError:
        raise AttributeError(f"module 'tf.compat.v1.train' has no attribute {name!r}") from None
