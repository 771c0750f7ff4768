"""Who reads each value of a graph: a helper of the rewrites declared by primitive families.

Rewrites declared in ``core/primitives`` (``conv_rewrites``, ``pool_rewrites``, ``lstm``)
read graphs by their attributes only (``nodes``, ``inputs``, ``outputs``), so they
need nothing from the graph package above; this is the one question they all ask.
"""

from __future__ import annotations


def readers(graph) -> dict[int, list]:
    """For each value id, its readers as ``(node, input position)``; a graph output is
    read by ``(None, -1)``."""
    users: dict[int, list] = {}
    for node in graph.nodes:
        for position, value in enumerate(node.inputs):
            users.setdefault(value.id, []).append((node, position))
    for value in graph.outputs:
        users.setdefault(value.id, []).append((None, -1))
    return users
