"""Object-based checkpoints in TensorFlow's layout: the object graph as a protocol buffer.

``fluxion.train.Checkpoint`` describes what it saves as a list of nodes (node 0 the
root): each names its children (``{"name": node id}``) and the tensor key of its value
(``"variable"``) or of its named tensors (``"tensors"``).  TensorFlow stores the same
graph as a ``TrackableObjectGraph`` under the key ``_CHECKPOINTABLE_OBJECT_GRAPH``, and
each value under its object path plus ``/.ATTRIBUTES/<name>`` (a variable's name is
``VARIABLE_VALUE``), with ``.`` and ``/`` inside a local name escaped as ``..`` and
``.S``.  ``to_bundle`` and ``from_bundle`` convert between the two, so a checkpoint
moves between TensorFlow and Fluxion whenever their objects have the same structure.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.errors import DataLossError
from fluxion.train.bundle_proto import message_classes
from fluxion.train.tensor_bundle import OBJECT_GRAPH_KEY

VARIABLE_VALUE = "VARIABLE_VALUE"


def escape(local_name: str) -> str:
    """A child's name as it appears in a checkpoint key."""
    return local_name.replace(".", "..").replace("/", ".S")


def _paths(nodes: list) -> list:
    """Each node's escaped path from the root, breadth first (the first path found)."""
    paths = [None] * len(nodes)
    paths[0] = ""
    queue = [0]
    while queue:
        node_id = queue.pop(0)
        for name, child in nodes[node_id].get("children", {}).items():
            if paths[child] is None:
                prefix = paths[node_id]
                paths[child] = f"{prefix}/{escape(name)}" if prefix else escape(name)
                queue.append(child)
    return paths


def to_bundle(nodes: list, tensors: dict) -> dict:
    """``{checkpoint key: array}`` in TensorFlow's layout, the object graph included."""
    graph = message_classes()["TrackableObjectGraph"]()
    out = {}
    for node, path in zip(nodes, _paths(nodes)):
        proto = graph.nodes.add()
        for name, child in node.get("children", {}).items():
            proto.children.add(node_id=child, local_name=name)
        named = {}
        if "variable" in node:
            named[VARIABLE_VALUE] = node["variable"]
        named.update(node.get("tensors", {}))
        for name, key in named.items():
            checkpoint_key = f"{path}/.ATTRIBUTES/{name}"
            proto.attributes.add(name=name, full_name=node.get("name", ""),
                                 checkpoint_key=checkpoint_key)
            out[checkpoint_key] = tensors[key]
    serialized = np.empty((), dtype=object)
    serialized[()] = graph.SerializeToString()
    out[OBJECT_GRAPH_KEY] = serialized
    return out


def from_bundle(tensors: dict, where: str) -> list:
    """The nodes of a TensorFlow object-based checkpoint's graph (keys as in the file).

    A name-based checkpoint (``tf.compat.v1.train.Saver``) has no object graph: its
    root has no children, so nothing is matched by object path.
    """
    if OBJECT_GRAPH_KEY not in tensors:
        return [{"children": {}}]
    try:
        graph = message_classes()["TrackableObjectGraph"].FromString(
            bytes(tensors[OBJECT_GRAPH_KEY].item()))
    except Exception as error:  # noqa: BLE001 - protobuf raises its own DecodeError
        raise DataLossError(f"{where}: the checkpoint's object graph cannot be parsed "
                            f"({error})") from None
    nodes = []
    for proto in graph.nodes:
        node = {"children": {}}
        for child in proto.children:
            if not 0 <= child.node_id < len(graph.nodes):
                raise DataLossError(f"{where}: the object graph refers to node "
                                    f"{child.node_id}, of {len(graph.nodes)}")
            node["children"][child.local_name] = child.node_id
        for attribute in proto.attributes:
            if attribute.checkpoint_key not in tensors:
                raise DataLossError(f"{where}: the object graph names the tensor "
                                    f"{attribute.checkpoint_key!r}, missing from the file")
            if attribute.name == VARIABLE_VALUE:
                node["variable"] = attribute.checkpoint_key
            else:
                node.setdefault("tensors", {})[attribute.name] = attribute.checkpoint_key
        nodes.append(node)
    return nodes or [{"children": {}}]
