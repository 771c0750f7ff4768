"""``keras.ops.linalg``: decompositions, solves, inverses, norms."""

from fluxion.keras.ops.linalg_ops import *  # noqa: F403
