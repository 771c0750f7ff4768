"""How monitored sessions get their session (``tf.compat.v1.train``): ``Scaffold``
(the init op, saver, ready ops of a training graph), ``SessionManager`` (restores from
a checkpoint or initializes), the chief and worker ``SessionCreator`` s, and
``SingularMonitoredSession``.
"""

from __future__ import annotations

import time

import numpy as np

from fluxion.graph.v1.graph import get_default_graph, group
from fluxion.graph.v1.monitored_session import MonitoredSession
from fluxion.graph.v1.saver import Saver
from fluxion.graph.v1.session import Session
from fluxion.graph.v1.variables import global_variables_initializer, local_variables


class Scaffold:
    """The pieces that make a training graph runnable: ``init_op`` (default: every
    global variable's initializer), ``local_init_op``, ``ready_op`` (names of
    uninitialized variables; empty when ready), ``saver``, ``summary_op``.
    ``finalize()`` fills in the defaults and freezes the graph."""

    def __init__(self, init_op=None, init_feed_dict=None, init_fn=None, ready_op=None,
                 ready_for_local_init_op=None, local_init_op=None, summary_op=None,
                 saver=None, copy_from_scaffold=None, local_init_feed_dict=None):
        if copy_from_scaffold is not None:
            init_op = init_op or copy_from_scaffold.init_op
            init_fn = init_fn or copy_from_scaffold._init_fn
            local_init_op = local_init_op or copy_from_scaffold.local_init_op
            saver = saver or copy_from_scaffold.saver
        self._init_op, self._init_feed_dict, self._init_fn = init_op, init_feed_dict, init_fn
        self._ready_op, self._ready_for_local_init_op = ready_op, ready_for_local_init_op
        self._local_init_op, self._local_init_feed_dict = local_init_op, local_init_feed_dict
        self._summary_op, self._saver = summary_op, saver

    def finalize(self):
        """Makes the default ops and finalizes the graph; returns the scaffold."""
        from fluxion.graph.v1.variables import variables_initializer

        graph = get_default_graph()
        if self._init_op is None:
            self._init_op = global_variables_initializer()
        if self._ready_op is None:
            self._ready_op = _report_uninitialized()
        if self._local_init_op is None:
            self._local_init_op = group(variables_initializer(local_variables()),
                                        *graph.get_collection("table_initializer"))
        if self._summary_op is None:
            from fluxion.summary import v1 as summary_v1

            self._summary_op = summary_v1.merge_all()
        if self._saver is None:
            savers = graph.get_collection("savers")
            self._saver = savers[0] if savers else Saver()
        graph.finalize()
        return self

    init_op = property(lambda self: self._init_op)
    init_fn = property(lambda self: self._init_fn)
    init_feed_dict = property(lambda self: self._init_feed_dict)
    ready_op = property(lambda self: self._ready_op)
    ready_for_local_init_op = property(lambda self: self._ready_for_local_init_op)
    local_init_op = property(lambda self: self._local_init_op)
    local_init_feed_dict = property(lambda self: self._local_init_feed_dict)
    summary_op = property(lambda self: self._summary_op)
    saver = property(lambda self: self._saver)

    @staticmethod
    def default_local_init_op():
        from fluxion.graph.v1.variables import variables_initializer

        return variables_initializer(local_variables())


def _report_uninitialized():
    """A string tensor naming the graph's uninitialized variables (in the session
    running it)."""
    from fluxion.core import dtypes
    from fluxion.graph.v1.session import running_session
    from fluxion.graph.v1.variables import global_variables
    from fluxion.ops.script_ops import numpy_function

    def report():
        session = running_session()
        names = [v.name[:-2].encode() for v in global_variables() + local_variables()
                 if session is not None and id(v) not in session._initialized]
        return np.asarray(names, dtype=object).reshape(-1)

    return numpy_function(report, [], dtypes.string)


class SessionManager:
    """Creates sessions that are ready to run: restored from the latest checkpoint when
    there is one, else initialized (``prepare_session``); or waits for another task to
    make them ready (``wait_for_session``)."""

    def __init__(self, local_init_op=None, ready_op=None, ready_for_local_init_op=None,
                 graph=None, recovery_wait_secs=30, local_init_run_options=None,
                 local_init_feed_dict=None):
        self._graph = graph if graph is not None else get_default_graph()
        self._local_init_op, self._ready_op = local_init_op, ready_op
        self._local_init_feed_dict = local_init_feed_dict
        self._recovery_wait_secs = recovery_wait_secs

    def _restore_checkpoint(self, saver, checkpoint_dir=None, checkpoint_filename_with_path=None,
                            config=None):
        from fluxion.train.checkpoint_state import latest_checkpoint

        session = Session(graph=self._graph, config=config)
        path = checkpoint_filename_with_path or \
            (latest_checkpoint(checkpoint_dir) if checkpoint_dir else None)
        if path is None or saver is None:
            return session, False
        saver.restore(session, path)
        return session, True

    def prepare_session(self, master="", init_op=None, saver=None, checkpoint_dir=None,
                        checkpoint_filename_with_path=None, wait_for_checkpoint=False,
                        max_wait_secs=7200, config=None, init_feed_dict=None, init_fn=None):
        """A session restored from ``checkpoint_dir`` (or the given file), else with
        ``init_op`` and ``init_fn`` run; then the local init op; checked ready."""
        session, restored = self._restore_checkpoint(saver, checkpoint_dir,
                                                     checkpoint_filename_with_path, config)
        if not restored:
            if init_op is None and init_fn is None and self._local_init_op is None:
                raise RuntimeError("Model is not initialized and no init_op or init_fn or "
                                   "local_init_op was given")
            if init_op is not None:
                session.run(init_op, feed_dict=init_feed_dict)
            if init_fn is not None:
                init_fn(session)
        self._local_init(session)
        not_ready = self._not_ready(session)
        if not_ready:
            raise RuntimeError(f"Init operations did not make model ready.  Not ready: "
                               f"{not_ready}")
        return session

    def recover_session(self, master="", saver=None, checkpoint_dir=None,
                        checkpoint_filename_with_path=None, wait_for_checkpoint=False,
                        max_wait_secs=7200, config=None):
        """(session, whether it was restored from a checkpoint and is ready)."""
        session, restored = self._restore_checkpoint(saver, checkpoint_dir,
                                                     checkpoint_filename_with_path, config)
        if not restored:
            return session, False
        self._local_init(session)
        return session, not self._not_ready(session)

    def wait_for_session(self, master="", config=None, max_wait_secs=float("inf")):
        """A session once the model is ready (another task initializes it)."""
        deadline = time.time() + max_wait_secs
        while True:
            session = Session(graph=self._graph, config=config)
            self._local_init(session)
            if not self._not_ready(session):
                return session
            session.close()
            if time.time() + self._recovery_wait_secs > deadline:
                from fluxion.core.errors import DeadlineExceededError

                raise DeadlineExceededError(None, None, "Session was not ready after "
                                                        f"waiting {max_wait_secs} secs.")
            time.sleep(self._recovery_wait_secs)

    def _local_init(self, session) -> None:
        if self._local_init_op is not None:
            session.run(self._local_init_op, feed_dict=self._local_init_feed_dict)

    def _not_ready(self, session) -> list:
        if self._ready_op is None:
            return []
        names = np.asarray(session.run(self._ready_op)).reshape(-1)
        return [n.decode() if isinstance(n, bytes) else str(n) for n in names]


class SessionCreator:
    """Base class: ``create_session()`` returns a ready session."""

    def create_session(self):
        raise TypeError(f"{type(self).__name__} must define create_session()")


class ChiefSessionCreator(SessionCreator):
    """Creates the chief's session: restores ``checkpoint_dir``'s latest checkpoint or
    initializes the variables (through the scaffold)."""

    def __init__(self, scaffold=None, master="", config=None, checkpoint_dir=None,
                 checkpoint_filename_with_path=None):
        self._scaffold = scaffold or Scaffold()
        self._config, self._checkpoint_dir = config, checkpoint_dir
        self._checkpoint_path = checkpoint_filename_with_path

    def create_session(self):
        self._scaffold.finalize()
        manager = SessionManager(local_init_op=self._scaffold.local_init_op,
                                 ready_op=self._scaffold.ready_op,
                                 local_init_feed_dict=self._scaffold.local_init_feed_dict)
        return manager.prepare_session(
            saver=self._scaffold.saver, checkpoint_dir=self._checkpoint_dir,
            checkpoint_filename_with_path=self._checkpoint_path, config=self._config,
            init_op=self._scaffold.init_op, init_feed_dict=self._scaffold.init_feed_dict,
            init_fn=self._scaffold.init_fn)


class WorkerSessionCreator(SessionCreator):
    """Creates a worker's session: waits until the chief has made the model ready."""

    def __init__(self, scaffold=None, master="", config=None, max_wait_secs=30 * 60):
        self._scaffold = scaffold or Scaffold()
        self._config, self._max_wait_secs = config, max_wait_secs

    def create_session(self):
        self._scaffold.finalize()
        manager = SessionManager(local_init_op=self._scaffold.local_init_op,
                                 ready_op=self._scaffold.ready_op, recovery_wait_secs=0.1)
        return manager.wait_for_session(config=self._config,
                                        max_wait_secs=self._max_wait_secs)


class SingularMonitoredSession(MonitoredSession):
    """A ``MonitoredSession`` of one process (the chief), with ``raw_session()``."""

    def __init__(self, hooks=None, scaffold=None, master="", config=None, checkpoint_dir=None,
                 stop_grace_period_secs=120, checkpoint_filename_with_path=None):
        creator = ChiefSessionCreator(scaffold=scaffold, config=config,
                                      checkpoint_dir=checkpoint_dir,
                                      checkpoint_filename_with_path=checkpoint_filename_with_path)
        super().__init__(session_creator=creator, hooks=hooks,
                         stop_grace_period_secs=stop_grace_period_secs)

    def raw_session(self):
        return self._session
