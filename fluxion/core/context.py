"""The interpreter state that ``bind`` consults on every op application.

Kept in one tiny module so the hot path reads plain module attributes:

- ``tapes``: the ``GradientTape`` objects currently recording, innermost last;
- ``tracer``: the graph tracer of ``fluxion.function`` while a trace is running, else
  ``None`` (the graph package installs it; eager code never looks further);
- ``device_stack``: device scopes opened with ``fluxion.device``.
"""

from __future__ import annotations

tapes: list = []
tracer = None
device_stack: list[str] = []

# fluxion.config.run_functions_eagerly(True): fluxion.function calls its Python function.
run_functions_eagerly = False
