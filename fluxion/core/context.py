"""The interpreter state that ``bind`` consults on every op application, per thread.

- ``tapes``: the ``GradientTape`` objects currently recording, innermost last;
- ``tracer``: the graph tracer of ``fluxion.function`` (or a TF1 graph) while a trace is
  running, else ``None`` (the graph package installs it; eager code never looks further);
- ``device_stack``: device scopes opened with ``fluxion.device``;
- ``name_scopes``: the enclosing name scopes, outermost first (a Keras layer's call
  opens one named after the layer), recorded on traced graph nodes.

Each thread has its own values, as in TensorFlow: a ``Dataset`` map running in a worker
thread must not land in a graph the main thread is tracing.  The module replaces
itself with a ``threading.local`` object, so ``context.tracer`` stays one attribute
lookup on the hot path.  ``run_functions_eagerly`` is a class attribute: one switch
for every thread (``fluxion.config.run_functions_eagerly``).
"""

from __future__ import annotations

import sys
import threading


class _Context(threading.local):
    run_functions_eagerly = False  # shared by all threads; see fluxion.config

    def __init__(self):
        self.tapes: list = []
        self.tracer = None
        self.device_stack: list[str] = []
        self.name_scopes: list[str] = []  # enclosing name scopes (Keras layers...)

    @classmethod
    def set_run_functions_eagerly(cls, value: bool) -> None:
        cls.run_functions_eagerly = bool(value)


sys.modules[__name__] = _Context()
