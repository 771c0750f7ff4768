"""The global step of a TF 1 graph: a non-trainable int64 variable in the graph's
``GLOBAL_STEP`` collection (``tf.compat.v1.train.get_or_create_global_step``...)."""

from __future__ import annotations

import numpy as np

from fluxion.core.tensor import Tensor
from fluxion.core.variable import Variable
from fluxion.graph.v1.graph import GraphKeys, get_default_graph


def get_global_step(graph=None) -> Variable | None:
    """The graph's global step variable, or None if it has none."""
    steps = (graph or get_default_graph()).get_collection(GraphKeys.GLOBAL_STEP)
    return steps[0] if steps else None


def create_global_step(graph=None) -> Variable:
    """Creates the global step: a non-trainable int64 scalar variable starting at 0."""
    graph = graph or get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError("'global_step' already exists.")
    with graph.building(), graph.exact_variable_names():
        step = Variable(Tensor(np.zeros((), dtype=np.int64)), trainable=False,
                        name="global_step")
    graph.add_to_collection(GraphKeys.GLOBAL_STEP, step)
    return step


def get_or_create_global_step(graph=None) -> Variable:
    """The graph's global step, created if it does not exist yet."""
    step = get_global_step(graph)
    return step if step is not None else create_global_step(graph)


def global_step(sess, global_step_tensor) -> int:
    """The value of the global step in ``sess`` (``tf.compat.v1.train.global_step``)."""
    return int(sess.run(global_step_tensor))
