"""The ``fluxion`` namespace, as ``compat`` reaches it.

``tf.compat.v2`` *is* the root namespace and ``tf.compat.v1`` extends it: an unknown name
falls through to ``fluxion.<name>``.  The root, for its part, exposes ``compat``; so if compat
imported the root, the two would import each other.  Instead compat reads the root from
``sys.modules``: Python loads a package before any of its subpackages, so the root is there
(fully initialised) whenever a compat function runs, and no import edge points upward.
"""

from __future__ import annotations

import sys
import types


def root() -> types.ModuleType:
    """The loaded ``fluxion`` package (``tf`` in user code)."""
    return sys.modules[__name__.split(".", 1)[0]]
