"""More TF 1 session hooks (``tf.compat.v1.train``): logging, NaN checks, step rate and
summaries, feeds, final ops, waiting for a global step, profiling; and the timer and
checkpoint listener they use.  See ``fluxion.graph.v1.monitored_session`` for the hook
protocol (``begin``, ``after_create_session``, ``before_run``, ``after_run``, ``end``).
"""

from __future__ import annotations

import json
import logging
import os
import time

import numpy as np

from fluxion.graph.v1.monitored_session import SessionRunArgs, SessionRunHook, _global_step

_log = logging.getLogger("fluxion")


class SecondOrStepTimer:
    """Says when something is due: every ``every_secs`` seconds or every ``every_steps``
    steps (exactly one of them)."""

    def __init__(self, every_secs=None, every_steps=None):
        if (every_secs is None) == (every_steps is None):
            raise ValueError("exactly one of every_secs and every_steps should be provided.")
        self._every_secs, self._every_steps = every_secs, every_steps
        self.reset()

    def reset(self) -> None:
        self._last_time = self._last_step = None

    def should_trigger_for_step(self, step: int) -> bool:
        if self._last_step is None:
            return True
        if step == self._last_step:
            return False
        if self._every_secs is not None:
            return time.time() >= self._last_time + self._every_secs
        return step >= self._last_step + self._every_steps

    def update_last_triggered_step(self, step: int):
        """Marks ``step`` as triggered: (seconds, steps) since the previous trigger."""
        now = time.time()
        elapsed = (None, None) if self._last_time is None else \
            (now - self._last_time, step - self._last_step)
        self._last_time, self._last_step = now, step
        return elapsed

    def last_triggered_step(self):
        return self._last_step


class LoggingTensorHook(SessionRunHook):
    """Logs the values of ``tensors`` (a list or a dict of tensors or names) every N
    steps or seconds, and at the end if ``at_end``."""

    def __init__(self, tensors, every_n_iter=None, every_n_secs=None, at_end=False,
                 formatter=None):
        only_log_at_end = at_end and every_n_iter is None and every_n_secs is None
        if not only_log_at_end and (every_n_iter is None) == (every_n_secs is None):
            raise ValueError("either at_end and/or exactly one of every_n_iter and "
                             "every_n_secs must be provided.")
        if every_n_iter is not None and every_n_iter <= 0:
            raise ValueError(f"invalid every_n_iter={every_n_iter}.")
        self._tensors = tensors if isinstance(tensors, dict) else \
            {getattr(t, "name", t): t for t in tensors}
        self._timer = None if only_log_at_end else \
            SecondOrStepTimer(every_secs=every_n_secs, every_steps=every_n_iter)
        self._at_end, self._formatter = at_end, formatter
        self.logged: list = []  # the lines logged, for inspection

    def begin(self) -> None:
        self._iter = 0

    def before_run(self, run_context):
        self._should_log = self._timer is not None and \
            self._timer.should_trigger_for_step(self._iter)
        return SessionRunArgs(self._tensors) if self._should_log else None

    def _log_values(self, values: dict) -> None:
        if self._formatter is not None:
            line = self._formatter(values)
        else:
            line = ", ".join(f"{tag} = {np.asarray(values[tag])}" for tag in self._tensors)
        self.logged.append(line)
        _log.info(line)

    def after_run(self, run_context, run_values) -> None:
        if self._should_log:
            self._timer.update_last_triggered_step(self._iter)
            self._log_values(run_values.results)
        self._iter += 1

    def end(self, session) -> None:
        if self._at_end:
            self._log_values(session.run(self._tensors))


class NanLossDuringTrainingError(RuntimeError):
    def __str__(self) -> str:
        return "NaN loss during training."


class NanTensorHook(SessionRunHook):
    """Stops training (raising ``NanLossDuringTrainingError`` if ``fail_on_nan_loss``,
    else requesting a stop) when ``loss_tensor`` is NaN."""

    def __init__(self, loss_tensor, fail_on_nan_loss=True):
        self._loss_tensor, self._fail = loss_tensor, fail_on_nan_loss

    def before_run(self, run_context):
        return SessionRunArgs(self._loss_tensor)

    def after_run(self, run_context, run_values) -> None:
        if np.isnan(run_values.results):
            if self._fail:
                raise NanLossDuringTrainingError
            _log.error("Model diverged with loss = NaN.")
            run_context.request_stop()


class StepCounterHook(SessionRunHook):
    """Measures global steps per second every N steps or seconds; logs it and writes a
    ``global_step/sec`` summary when given an ``output_dir`` or ``summary_writer``."""

    def __init__(self, every_n_steps=100, every_n_secs=None, output_dir=None,
                 summary_writer=None):
        if (every_n_steps is None) == (every_n_secs is None):
            raise ValueError("exactly one of every_n_steps and every_n_secs should be "
                             "provided.")
        self._timer = SecondOrStepTimer(every_steps=every_n_steps, every_secs=every_n_secs)
        self._output_dir, self._writer = output_dir, summary_writer
        self.rates: list = []  # (global step, steps per second)

    def begin(self) -> None:
        if self._writer is None and self._output_dir:
            from fluxion.summary.v1 import FileWriterCache

            self._writer = FileWriterCache.get(self._output_dir)
        self._step = _global_step()

    def before_run(self, run_context):
        return SessionRunArgs(self._step)

    def after_run(self, run_context, run_values) -> None:
        step = int(run_values.results) + 1
        if self._timer.should_trigger_for_step(step):
            seconds, steps = self._timer.update_last_triggered_step(step)
            if seconds:
                rate = steps / seconds
                self.rates.append((step, rate))
                _log.info("global_step/sec: %g", rate)
                if self._writer is not None:
                    from fluxion.summary.v1 import Summary

                    summary = Summary(value=[Summary.Value(tag="global_step/sec",
                                                           simple_value=rate)])
                    self._writer.add_summary(summary, step)


class SummarySaverHook(SessionRunHook):
    """Runs ``summary_op`` (default: ``merge_all()``) every N steps or seconds and
    writes it to ``output_dir`` (or ``summary_writer``)."""

    def __init__(self, save_steps=None, save_secs=None, output_dir=None, summary_writer=None,
                 scaffold=None, summary_op=None):
        if (scaffold is None) == (summary_op is None):
            if scaffold is None:
                summary_op = None  # merge_all() at begin()
            else:
                raise ValueError("Exactly one of scaffold or summary_op should be set.")
        self._summary_op, self._scaffold = summary_op, scaffold
        self._timer = SecondOrStepTimer(every_secs=save_secs, every_steps=save_steps)
        self._output_dir, self._writer = output_dir, summary_writer

    def begin(self) -> None:
        from fluxion.summary import v1 as summary_v1

        if self._writer is None and self._output_dir:
            self._writer = summary_v1.FileWriterCache.get(self._output_dir)
        if self._summary_op is None:
            self._summary_op = self._scaffold.summary_op if self._scaffold is not None \
                else summary_v1.merge_all()
        self._step = _global_step()
        self._next_step = None

    def before_run(self, run_context):
        self._request = self._next_step is None or \
            self._timer.should_trigger_for_step(self._next_step)
        fetches = {"global_step": self._step}
        if self._request and self._summary_op is not None:
            fetches["summary"] = self._summary_op
        return SessionRunArgs(fetches)

    def after_run(self, run_context, run_values) -> None:
        step = int(run_values.results["global_step"])
        if self._next_step is None:
            self._timer.update_last_triggered_step(step)
        if "summary" in run_values.results and self._writer is not None:
            self._timer.update_last_triggered_step(step)
            self._writer.add_summary(run_values.results["summary"], step)
        self._next_step = step + 1

    def end(self, session) -> None:
        if self._writer is not None:
            self._writer.flush()


class FeedFnHook(SessionRunHook):
    """Adds ``feed_fn()``'s feed dict to every run."""

    def __init__(self, feed_fn):
        self.feed_fn = feed_fn

    def before_run(self, run_context):
        return SessionRunArgs(fetches=None, feed_dict=self.feed_fn())


class FinalOpsHook(SessionRunHook):
    """Runs ``final_ops`` when the session ends; their values are ``final_ops_values``."""

    def __init__(self, final_ops, final_ops_feed_dict=None):
        self._final_ops, self._feed_dict = final_ops, final_ops_feed_dict
        self._final_ops_values = None

    @property
    def final_ops_values(self):
        return self._final_ops_values

    def end(self, session) -> None:
        if self._final_ops is not None:
            self._final_ops_values = session.run(self._final_ops, feed_dict=self._feed_dict)


class GlobalStepWaiterHook(SessionRunHook):
    """Delays the first run until the global step reaches ``wait_until_step`` (other
    workers advance it)."""

    def __init__(self, wait_until_step):
        self._wait_until_step = wait_until_step

    def begin(self) -> None:
        self._worker_is_started = self._wait_until_step <= 0
        self._step = _global_step()

    def before_run(self, run_context):
        while not self._worker_is_started:
            if int(run_context.session.run(self._step)) >= self._wait_until_step:
                self._worker_is_started = True
                break
            time.sleep(0.5)
        return None


class ProfilerHook(SessionRunHook):
    """Every N steps or seconds, writes ``timeline-<step>.json`` to ``output_dir``: a
    Chrome trace (``chrome://tracing``) of that ``run`` (its wall time)."""

    def __init__(self, save_steps=None, save_secs=None, output_dir="", show_dataflow=True,
                 show_memory=False):
        self._output_dir = output_dir
        self._timer = SecondOrStepTimer(every_secs=save_secs, every_steps=save_steps)

    def begin(self) -> None:
        self._next_step = None
        self._step = _global_step()

    def before_run(self, run_context):
        self._request = self._next_step is not None and \
            self._timer.should_trigger_for_step(self._next_step)
        self._started = time.perf_counter()
        return SessionRunArgs(self._step)

    def after_run(self, run_context, run_values) -> None:
        step = int(run_values.results)
        if self._next_step is None:
            self._timer.update_last_triggered_step(step)
        elif self._request:
            self._timer.update_last_triggered_step(step)
            micros = (time.perf_counter() - self._started) * 1e6
            trace = {"traceEvents": [{"name": "Session.run", "ph": "X", "pid": 0, "tid": 0,
                                      "ts": 0, "dur": micros, "args": {"step": step}}]}
            os.makedirs(self._output_dir or ".", exist_ok=True)
            path = os.path.join(self._output_dir, f"timeline-{step}.json")
            with open(path, "w") as handle:
                json.dump(trace, handle)
        self._next_step = step + 1


class CheckpointSaverListener:
    """Called by ``CheckpointSaverHook`` around each save: ``begin``, ``before_save``,
    ``after_save`` (returning True stops training) and ``end``."""

    def begin(self) -> None:
        pass

    def before_save(self, session, global_step_value) -> None:
        pass

    def after_save(self, session, global_step_value):
        pass

    def end(self, session, global_step_value) -> None:
        pass
