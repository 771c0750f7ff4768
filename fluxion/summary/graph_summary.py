"""Graphs in TensorBoard: ``graph``, and ``trace_on`` / ``trace_export`` for functions.

``trace_on()`` starts recording the graph of every compiled function that runs;
``trace_export(name, step)`` writes them to the default writer as one ``GraphDef``
(functions side by side, each under its own name scope) and stops recording, as TF
2 does.  ``graph(g)`` writes a graph given directly: a ``ConcreteFunction``, a traced
``fluxion.function`` (its latest trace), a ``fluxion.graph.ir.Graph`` or a ``GraphDef``.
"""

from __future__ import annotations

import warnings

from fluxion.io import tensorboard_package
from fluxion.io.graph_def import to_graph_def
from fluxion.summary import writer as writers

_recorded: dict = {}  # id(concrete function) -> concrete function, in call order
_observer: list = []


def _record(concrete) -> None:
    _recorded.setdefault(id(concrete), concrete)


def trace_on(graph: bool = True, profiler: bool = False, profiler_outdir=None) -> None:
    """Starts recording the graphs of the compiled functions that run (``tf.summary``).

    ``profiler`` is accepted; Fluxion has no profiler trace to record yet, and says so.
    """
    from fluxion.graph import concrete

    del profiler_outdir
    if profiler:
        warnings.warn("fluxion.summary.trace_on: profiler traces are not recorded; only "
                      "graphs are", RuntimeWarning, stacklevel=2)
    if graph and not _observer:
        _observer.append(_record)
        concrete.call_observers.append(_record)


def trace_off() -> None:
    """Stops recording and forgets what was recorded."""
    from fluxion.graph import concrete

    for observer in _observer:
        if observer in concrete.call_observers:
            concrete.call_observers.remove(observer)
    _observer.clear()
    _recorded.clear()


def _as_ir_graph(graph_data):
    from fluxion.graph.concrete import ConcreteFunction
    from fluxion.graph.ir import Graph

    if isinstance(graph_data, ConcreteFunction):
        return graph_data.raw_graph
    if isinstance(graph_data, Graph):
        return graph_data
    traces = getattr(graph_data, "_traces", None)
    if traces:  # a fluxion.function: its latest trace
        return traces[-1][1].raw_graph
    raise TypeError(f"fluxion.summary.graph takes a ConcreteFunction, a traced "
                    f"fluxion.function, a graph or a GraphDef, got {type(graph_data).__name__}")


def _write_graph_def(graph_def, step) -> bool:
    writer, default_step = writers.default_writer_and_step()
    if writer is None or isinstance(writer, writers.NoopSummaryWriter):
        return False
    step = step if step is not None else (default_step or 0)
    event_pb2 = tensorboard_package.protos().event_pb2
    writer.add_event(event_pb2.Event(graph_def=graph_def.SerializeToString(), step=int(step)))
    return True


def graph(graph_data, step=None) -> bool:
    """Writes ``graph_data``'s graph to the default writer (``tf.summary.graph``)."""
    graph_pb2 = tensorboard_package.protos().graph_pb2
    if isinstance(graph_data, graph_pb2.GraphDef):
        return _write_graph_def(graph_data, step)
    return _write_graph_def(to_graph_def(_as_ir_graph(graph_data)), step)


def trace_export(name: str, step=None, profiler_outdir=None) -> bool:
    """Writes the graphs recorded since ``trace_on`` under ``name``, then stops recording."""
    del profiler_outdir
    graph_pb2 = tensorboard_package.protos().graph_pb2
    merged = graph_pb2.GraphDef()
    for concrete in _recorded.values():
        part = to_graph_def(concrete.raw_graph)
        prefix = f"{name}/{concrete.name}"
        for node in part.node:
            node.name = f"{prefix}/{node.name}"
            node.input[:] = [f"{prefix}/{i}" for i in node.input]
        merged.node.extend(part.node)
    written = _write_graph_def(merged, step) if _recorded else False
    trace_off()
    return written
