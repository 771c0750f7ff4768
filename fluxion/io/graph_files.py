"""``tf.io.write_graph``: a graph written as a ``GraphDef`` file (text or binary).

It takes a ``GraphDef`` proto (anything with ``SerializeToString``), a TF 1 style
``fluxion.Graph``, a traced graph (``fluxion.graph.ir.Graph``) or a ``fluxion.function``
(its latest trace); Fluxion graphs become ``GraphDef`` s as TensorBoard draws them
(``fluxion.io.graph_def``, which needs the optional ``tensorboard`` package).
"""

from __future__ import annotations

import os

from fluxion.core.atomic_file import write_bytes


def _graph_def(graph_or_graph_def):
    if hasattr(graph_or_graph_def, "SerializeToString"):
        return graph_or_graph_def
    from fluxion.io.graph_def import to_graph_def

    graph = graph_or_graph_def
    if hasattr(graph, "ir_graph"):  # fluxion.Graph (TF 1 style)
        graph = graph.ir_graph
    elif hasattr(graph, "graph"):  # fluxion.function (its latest trace), ConcreteFunction
        graph = graph.graph
    if not hasattr(graph, "nodes"):
        raise TypeError(f"write_graph: expected a GraphDef, a fluxion Graph or a traced "
                        f"function, got {type(graph_or_graph_def).__name__}")
    return to_graph_def(graph)


def write_graph(graph_or_graph_def, logdir, name, as_text: bool = True) -> str:
    """Writes the graph to ``logdir/name`` (text format when ``as_text``); returns the path.

    The file is replaced atomically: a crash leaves the old file or the new one whole.
    """
    graph_def = _graph_def(graph_or_graph_def)
    logdir = os.fspath(logdir)
    os.makedirs(logdir, exist_ok=True)
    path = os.path.join(logdir, os.fspath(name))
    if as_text:
        from google.protobuf import text_format

        data = text_format.MessageToString(graph_def).encode("utf-8")
    else:
        data = graph_def.SerializeToString(deterministic=True)  # map fields sorted
    write_bytes(path, data)
    return path
