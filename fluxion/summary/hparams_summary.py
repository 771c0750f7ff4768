"""Hyperparameters in TensorBoard's HParams dashboard: ``hparams``, ``hparams_config``.

The summaries are TensorBoard's own (its ``hparams`` plugin's protos and helpers, which
need no TensorFlow): a run that calls ``hparams({...})`` at its start and
``hparams_end()`` at its end shows as one row of the dashboard's table, with the
run's scalar metrics beside the hyperparameters.  ``HParam``, ``Discrete``,
``IntInterval``, ``RealInterval`` and ``Metric`` are TensorBoard's classes, re-exported.
"""

from __future__ import annotations

import time

from fluxion.io import tensorboard_package
from fluxion.summary import writer as writers


def _write(summary, step: int = 0) -> bool:
    writer, _ = writers.default_writer_and_step()
    if writer is None or isinstance(writer, writers.NoopSummaryWriter):
        return False
    writer.add_summary(summary, step)
    return True


def hparams(hparams: dict, trial_id: str | None = None,
            start_time_secs: float | None = None) -> bool:
    """Records this run's hyperparameter values (a session start) to the default writer.

    Args:
      hparams: ``{name or HParam: value}``; values are bool, int, float or str.
      trial_id: the run's id in the table (default: a hash of the values).
    """
    summary = tensorboard_package.hparams_summary().hparams_pb(hparams, trial_id, start_time_secs)
    return _write(summary)


def hparams_config(hparams: list, metrics: list, time_created_secs: float | None = None) -> bool:
    """Records the experiment's hyperparameter domains and metrics (the table's columns)."""
    summary = tensorboard_package.hparams_summary().hparams_config_pb(hparams, metrics,
                                                               time_created_secs)
    return _write(summary)


def hparams_end(status: str = "STATUS_SUCCESS", end_time_secs: float | None = None) -> bool:
    """Records the end of this run (a session end) with ``status`` (``STATUS_SUCCESS``...)."""
    from tensorboard.plugins.hparams import api_pb2, metadata, plugin_data_pb2

    info = plugin_data_pb2.SessionEndInfo(
        status=api_pb2.Status.Value(status),
        end_time_secs=time.time() if end_time_secs is None else end_time_secs)
    summary_pb2 = tensorboard_package.protos().summary_pb2
    summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(
        tag=metadata.SESSION_END_INFO_TAG,
        metadata=metadata.create_summary_metadata(
            plugin_data_pb2.HParamsPluginData(session_end_info=info)),
        tensor=metadata.NULL_TENSOR)])
    return _write(summary)


def __getattr__(name):
    if name in ("HParam", "Discrete", "IntInterval", "RealInterval", "Metric"):
        return getattr(tensorboard_package.hparams_summary(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
