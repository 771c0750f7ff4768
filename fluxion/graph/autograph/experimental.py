"""``fluxion.autograph.experimental``: per-function and per-loop AutoGraph controls."""

from __future__ import annotations

import enum

from fluxion.graph.autograph.conversion import do_not_convert


class Feature(enum.Enum):
    """Optional conversion features (``tf.autograph.experimental.Feature``).

    Accepted for compatibility: Fluxion always converts lists appended to in loops and
    the builtins with a tensor meaning, and never the others.
    """

    ALL = "ALL"
    AUTO_CONTROL_DEPS = "AUTO_CONTROL_DEPS"
    ASSERT_STATEMENTS = "ASSERT_STATEMENTS"
    BUILTIN_FUNCTIONS = "BUILTIN_FUNCTIONS"
    EQUALITY_OPERATORS = "EQUALITY_OPERATORS"
    LISTS = "LISTS"
    NAME_SCOPES = "NAME_SCOPES"


def set_loop_options(parallel_iterations=None, swap_memory=None, maximum_iterations=None,
                     shape_invariants=None) -> None:
    """Options for the loop this call is the first statement of (in converted code).

    AutoGraph moves the call before the loop and applies it to the ``while_loop`` the
    loop becomes: ``maximum_iterations`` bounds it, ``shape_invariants`` (a list of
    ``(variable, shape)`` pairs) lets a variable's shape change across iterations.
    Outside converted code, or on a Python loop, it does nothing (as in TF).

    >>> import fluxion as tf
    >>> @tf.function
    ... def grow(n):
    ...     x = tf.zeros([1])
    ...     for _ in tf.range(n):
    ...         tf.autograph.experimental.set_loop_options(
    ...             shape_invariants=[(x, tf.TensorShape([None]))])
    ...         x = tf.concat([x, x], 0)
    ...     return x
    >>> int(tf.size(grow(tf.constant(3))))
    8
    """


__all__ = ["Feature", "do_not_convert", "set_loop_options"]
