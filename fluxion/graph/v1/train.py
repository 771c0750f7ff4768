"""``tf.compat.v1.train``: the TF 1 optimizers, ``Saver``, learning-rate schedules and the
global step.  Every other name (``Checkpoint``, ``latest_checkpoint``, ``Example``...)
is ``fluxion.train``'s."""

from __future__ import annotations

from fluxion.graph.v1.adaptive_optimizers import (  # noqa: F401 - re-exported
    AdadeltaOptimizer,
    AdagradOptimizer,
    RMSPropOptimizer,
)
from fluxion.graph.v1.global_step import (  # noqa: F401 - re-exported
    create_global_step,
    get_global_step,
    get_or_create_global_step,
    global_step,
)
from fluxion.graph.v1.learning_rate_decay import (  # noqa: F401 - re-exported
    cosine_decay,
    exponential_decay,
    inverse_time_decay,
    natural_exp_decay,
    piecewise_constant,
    polynomial_decay,
)
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
from fluxion.graph.v1.saver import Saver  # noqa: F401 - re-exported


def __getattr__(name: str):
    """Any other name is ``fluxion.train``'s (``tf.compat.v1.train.Example``...)."""
    import fluxion.train

    if name.startswith("__"):
        raise AttributeError(name)
    try:
        return getattr(fluxion.train, name)
    except AttributeError:
        raise AttributeError(f"module 'tf.compat.v1.train' has no attribute {name!r}") from None
