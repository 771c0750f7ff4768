"""Looking at object graphs: ``tf.train.CheckpointView`` (the graph a checkpoint file
saved) and ``tf.train.TrackableView`` (the live graph below an object).

Nodes of a saved graph are numbered breadth first from the root (node 0), as in
TensorFlow's ``TrackableObjectGraph``; children are named as ``Checkpoint`` names them
(attribute names, list indices, dict keys).
"""

from __future__ import annotations

import os

from fluxion.train import checkpoint_file
from fluxion.train.object_graph import GraphWalk, children_of


class CheckpointView:
    """The object graph of the checkpoint ``save_path`` (``tf.train.CheckpointView``).

    >>> view = CheckpointView(fluxion.train.latest_checkpoint("/tmp/run"))
    >>> view.children(0)
    {'model': 1, 'optimizer': 2, 'save_counter': 3}
    """

    def __init__(self, save_path):
        path = os.fspath(save_path)
        self._nodes, _ = checkpoint_file.read(path)
        self._save_path = path

    def children(self, node_id: int) -> dict:
        """``{name: node id}`` of the children of node ``node_id``."""
        if not 0 <= node_id < len(self._nodes):
            raise ValueError(f"CheckpointView: node {node_id} does not exist; the "
                             f"checkpoint has nodes 0..{len(self._nodes) - 1}")
        return dict(self._nodes[node_id].get("children", {}))

    def descendants(self) -> list:
        """The ids of every node reachable from the root, breadth first (root first)."""
        seen, queue = [0], [0]
        while queue:
            for child in self._nodes[queue.pop(0)].get("children", {}).values():
                if child not in seen:
                    seen.append(child)
                    queue.append(child)
        return seen

    def match(self, obj) -> dict:
        """``{node id: live object}`` for the saved nodes ``obj``'s graph has at the same
        path (same names from the root)."""
        bound, queue = {0: obj}, [0]
        while queue:
            node_id = queue.pop(0)
            live = children_of(bound[node_id])
            for name, child_id in self._nodes[node_id].get("children", {}).items():
                if name in live and child_id not in bound:
                    bound[child_id] = live[name]
                    queue.append(child_id)
        return bound

    def diff(self, obj) -> tuple:
        """``(match(obj), node ids only in the checkpoint, objects only in obj's graph)``."""
        matched = self.match(obj)
        only_saved = [node for node in self.descendants() if node not in matched]
        matched_ids = {id(value) for value in matched.values()}
        only_live = [value for value in GraphWalk(obj).objects if id(value) not in matched_ids]
        return matched, only_saved, only_live


class TrackableView:
    """The live object graph below ``root`` (``tf.train.TrackableView``)."""

    def __init__(self, root):
        self._root = root

    @property
    def root(self):
        return self._root

    @classmethod
    def children(cls, obj, save_type=None, **kwargs) -> dict:
        """``{name: child}`` of the objects ``obj`` holds that a checkpoint would save."""
        return dict(children_of(obj))

    def descendants(self) -> list:
        """Every object reachable from the root, breadth first, each once (root first)."""
        return list(GraphWalk(self._root).objects)
