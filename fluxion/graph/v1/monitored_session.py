"""``MonitoredTrainingSession`` and session hooks (``tf.compat.v1.train``), the basics.

A monitored session creates a ``Session``, initializes the variables or restores the
latest checkpoint of ``checkpoint_dir``, and runs hooks around every ``run``: each hook
may add fetches (``before_run`` returns ``SessionRunArgs``), sees their values
(``after_run``) and may ask to stop (``run_context.request_stop()``), which
``should_stop()`` reports.  ``StopAtStepHook`` stops at a global step;
``CheckpointSaverHook`` (added by ``MonitoredTrainingSession`` when ``checkpoint_dir``
is set) saves every N steps or seconds and when the session closes.

>>> with MonitoredTrainingSession(checkpoint_dir="/tmp/run",  # doctest: +SKIP
...                               hooks=[StopAtStepHook(last_step=100)]) as sess:
...     while not sess.should_stop():
...         sess.run(train_op)
"""

from __future__ import annotations

import collections
import time

from fluxion.graph.v1.global_step import get_global_step
from fluxion.graph.v1.graph import get_default_graph
from fluxion.graph.v1.saver import Saver
from fluxion.graph.v1.session import Session
from fluxion.graph.v1.variables import global_variables_initializer, local_variables

SessionRunArgs = collections.namedtuple("SessionRunArgs", ["fetches", "feed_dict", "options"])
SessionRunArgs.__new__.__defaults__ = (None, None)
SessionRunValues = collections.namedtuple("SessionRunValues",
                                          ["results", "options", "run_metadata"])


class SessionRunContext:
    """What a hook sees of one ``run``: its arguments, the session, stop requests."""

    def __init__(self, original_args: SessionRunArgs, session):
        self.original_args = original_args
        self.session = session
        self._stop_requested = False

    def request_stop(self) -> None:
        self._stop_requested = True

    @property
    def stop_requested(self) -> bool:
        return self._stop_requested


class SessionRunHook:
    """Base class of hooks: every method does nothing unless overridden."""

    def begin(self) -> None:
        pass

    def after_create_session(self, session, coord) -> None:
        pass

    def before_run(self, run_context):
        return None

    def after_run(self, run_context, run_values) -> None:
        pass

    def end(self, session) -> None:
        pass


def _global_step():
    step = get_global_step()
    if step is None:
        raise RuntimeError("This hook needs a global step: create it with "
                           "tf.compat.v1.train.get_or_create_global_step().")
    return step


class StopAtStepHook(SessionRunHook):
    """Requests a stop once the global step reaches ``last_step`` (or ``num_steps`` more)."""

    def __init__(self, num_steps=None, last_step=None):
        if (num_steps is None) == (last_step is None):
            raise ValueError("One of num_steps or last_step must be specified.")
        self._num_steps, self._last_step = num_steps, last_step

    def begin(self) -> None:
        self._step = _global_step()

    def after_create_session(self, session, coord) -> None:
        if self._last_step is None:
            self._last_step = int(session.run(self._step)) + self._num_steps

    def before_run(self, run_context):
        return SessionRunArgs(self._step)

    def after_run(self, run_context, run_values) -> None:
        if int(run_values.results) + 1 >= self._last_step:
            # the step has been read before this run's update: it is now one more
            step = int(run_context.session.run(self._step))
            if step >= self._last_step:
                run_context.request_stop()


class CheckpointSaverHook(SessionRunHook):
    """Saves a checkpoint every ``save_steps`` steps or ``save_secs`` seconds, and at end."""

    def __init__(self, checkpoint_dir, save_secs=None, save_steps=None, saver=None,
                 checkpoint_basename="model.ckpt", scaffold=None, listeners=None):
        if (save_secs is None) == (save_steps is None):
            raise ValueError("exactly one of save_secs or save_steps must be set")
        self._path = f"{checkpoint_dir.rstrip('/')}/{checkpoint_basename}"
        self._secs, self._steps, self._saver = save_secs, save_steps, saver
        self._scaffold = scaffold
        self._listeners = list(listeners or [])
        self._last_step = self._last_time = None

    def begin(self) -> None:
        self._step = _global_step()
        if self._saver is None and self._scaffold is not None:
            self._saver = self._scaffold.saver
        self._saver = self._saver or Saver()
        for listener in self._listeners:
            listener.begin()

    def after_create_session(self, session, coord) -> None:
        self._save(session, int(session.run(self._step)))

    def before_run(self, run_context):
        return SessionRunArgs(self._step)

    def after_run(self, run_context, run_values) -> None:
        step = int(run_context.session.run(self._step))
        due = (self._steps is not None and step >= self._last_step + self._steps) or \
            (self._secs is not None and time.time() >= self._last_time + self._secs)
        if due:
            self._save(run_context.session, step, run_context)

    def end(self, session) -> None:
        step = int(session.run(self._step))
        if step != self._last_step:
            self._save(session, step)
        for listener in self._listeners:
            listener.end(session, step)

    def _save(self, session, step: int, run_context=None) -> None:
        for listener in self._listeners:
            listener.before_save(session, step)
        self._saver.save(session, self._path, global_step=step)
        self._last_step, self._last_time = step, time.time()
        stop = False
        for listener in self._listeners:
            stop = bool(listener.after_save(session, step)) or stop
        if stop and run_context is not None:
            run_context.request_stop()


class MonitoredSession:
    """A session that initializes or restores, and runs hooks around each ``run``."""

    def __init__(self, session_creator=None, hooks=None, stop_grace_period_secs=120,
                 checkpoint_dir=None, config=None):
        self._hooks = list(hooks or [])
        for hook in self._hooks:
            hook.begin()
        if session_creator is not None:  # it prepares the session (scaffold, restore)
            self._session = session_creator.create_session()
            self._session.__enter__()
            self._stop = False
            for hook in self._hooks:
                hook.after_create_session(self._session, None)
            return
        graph = get_default_graph()
        self._init = global_variables_initializer()
        from fluxion.graph.v1.variables import variables_initializer

        self._local_init = variables_initializer(local_variables())
        graph.finalize()
        self._session = Session(graph=graph, config=config)
        self._session.__enter__()
        self._stop = False
        self._restore_or_initialize(checkpoint_dir)
        for hook in self._hooks:
            hook.after_create_session(self._session, None)

    def _restore_or_initialize(self, checkpoint_dir) -> None:
        from fluxion.train import checkpoint_state

        latest = checkpoint_state.latest_checkpoint(checkpoint_dir) if checkpoint_dir else None
        if latest is not None:
            Saver().restore(self._session, latest)
        else:
            self._session.run(self._init)
        self._session.run(self._local_init)

    @property
    def graph(self):
        return self._session.graph

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Runs ``fetches`` plus the hooks' fetches; returns the values of ``fetches``."""
        if self._stop:
            raise RuntimeError("Run called even after should_stop requested.")
        context = SessionRunContext(SessionRunArgs(fetches, feed_dict), self._session)
        extra, feeds = [], dict(feed_dict or {})
        for hook in self._hooks:
            args = hook.before_run(context)
            extra.append(None if args is None else args.fetches)
            if args is not None and args.feed_dict:
                feeds.update(args.feed_dict)
        asked = [i for i, fetch in enumerate(extra) if fetch is not None]
        results = self._session.run([fetches, [extra[i] for i in asked]],
                                    feed_dict=feeds or None)
        values = dict(zip(asked, results[1]))
        for index, hook in enumerate(self._hooks):
            hook.after_run(context, SessionRunValues(values.get(index), options, run_metadata))
        self._stop = self._stop or context.stop_requested
        return results[0]

    def should_stop(self) -> bool:
        return self._stop

    def close(self) -> None:
        if self._session is None:
            return
        for hook in self._hooks:
            hook.end(self._session)
        self._session.__exit__(None, None, None)
        self._session = None
        get_default_graph()._finalized = False

    def __enter__(self) -> MonitoredSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def MonitoredTrainingSession(master="", is_chief=True, checkpoint_dir=None,  # noqa: N802
                             scaffold=None, hooks=None, chief_only_hooks=None,
                             save_checkpoint_secs=600, save_summaries_steps=100,
                             save_summaries_secs=None, config=None,
                             stop_grace_period_secs=120, log_step_count_steps=100,
                             max_wait_secs=7200, save_checkpoint_steps=None,
                             summary_dir=None, save_graph_def=True):
    """A ``MonitoredSession`` for training: with ``checkpoint_dir``, it restores the
    latest checkpoint there and saves every ``save_checkpoint_steps`` steps (else every
    ``save_checkpoint_secs`` seconds) and at the end."""
    hooks = list(hooks or []) + (list(chief_only_hooks or []) if is_chief else [])
    if checkpoint_dir and is_chief and (save_checkpoint_steps or save_checkpoint_secs):
        hooks.append(CheckpointSaverHook(
            checkpoint_dir, save_steps=save_checkpoint_steps,
            save_secs=None if save_checkpoint_steps else save_checkpoint_secs))
    return MonitoredSession(hooks=hooks, checkpoint_dir=checkpoint_dir, config=config)
