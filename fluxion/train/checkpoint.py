"""``fluxion.train.Checkpoint``: save and restore the state of a group of objects.

``Checkpoint(model=model, optimizer=optimizer, step=step)`` names its objects; saving
walks the object graph below them (``object_graph``) and writes every variable's value
under the path that reaches it (``model/layers/dense/kernel``) into a checkpoint in
TensorFlow's format (``checkpoint_file``), atomically.  Restoring walks the saved graph
and the live one side by side and matches values by path, so a new program that builds
the same objects gets them back, whatever their global names.

Restoring is all or nothing: the file is read and checked, and every matched value's
shape and dtype compared with its variable, before the first assignment.  A corrupt,
truncated or foreign file, or a value that does not fit, raises and leaves every object
as it was.
"""

from __future__ import annotations

import os

import numpy as np

from fluxion.core import context
from fluxion.core.variable import Variable, init_scope
from fluxion.train import checkpoint_file, checkpoint_state
from fluxion.train.object_graph import (
    GraphWalk,
    children_of,
    has_tensors,
    is_optimizer,
    is_trackable,
    optimizer_owner,
)

_RESERVED = frozenset({"save", "write", "read", "restore", "save_counter", "sync"})


class Checkpoint:
    """Groups trackable objects, saving and restoring their state (``tf.train.Checkpoint``).

    Args:
      root: an optional object whose children become the checkpoint's own.
      **kwargs: the objects to save, by name: variables, Keras layers, models and
        optimizers, other checkpoints, lists or dicts of these, or any object with a
        ``_checkpoint_children()`` method.

    >>> step = fluxion.Variable(0)
    >>> ckpt = Checkpoint(step=step)
    >>> path = ckpt.save("/tmp/doc/ckpt")          # "/tmp/doc/ckpt-1"
    >>> step.assign(5); _ = ckpt.restore(path).assert_consumed(); int(step)
    0
    """

    def __init__(self, root=None, **kwargs):
        object.__setattr__(self, "_children", {})
        object.__setattr__(self, "_save_counter", None)
        object.__setattr__(self, "_root", root)
        if root is not None:
            _check_trackable("root", root)
        for name, value in sorted(kwargs.items()):
            setattr(self, name, value)

    def __setattr__(self, name: str, value) -> None:
        if not name.startswith("_"):
            if name in _RESERVED:
                raise ValueError(f"Checkpoint: {name!r} is a reserved name (a method or "
                                 f"attribute of Checkpoint); pick another name for it.")
            _check_trackable(name, value)
            if self._root is not None:
                existing = _root_children(self._root).get(name)
                if existing is not None and existing is not value:
                    raise ValueError(f"Cannot create a Checkpoint with keyword argument {name} "
                                     f"if root.{name} already exists.")
            self._children[name] = value
        object.__setattr__(self, name, value)

    def _checkpoint_children(self) -> dict:
        children = _root_children(self._root) if self._root is not None else {}
        children.update(self._children)
        if self._save_counter is not None:
            children["save_counter"] = self._save_counter
        return children

    @property
    def save_counter(self) -> Variable:
        """An int64 variable, 0 at first, that ``save`` increments to number checkpoints."""
        if self._save_counter is None:
            with init_scope():
                counter = Variable(np.int64(0), trainable=False, name="save_counter")
            object.__setattr__(self, "_save_counter", counter)
        return self._save_counter

    # --- saving --------------------------------------------------------------------------------
    def save(self, file_prefix, options=None) -> str:
        """Saves a numbered checkpoint ``{file_prefix}-{n}`` and records it as the latest.

        Increments ``save_counter`` and updates the directory's ``checkpoint`` file that
        ``fluxion.train.latest_checkpoint`` reads.  Returns the checkpoint's path.
        """
        _require_eager("save")
        counter = self.save_counter
        counter.assign_add(1)
        path = self.write(f"{os.fspath(file_prefix)}-{int(counter.numpy())}")
        checkpoint_state.update_checkpoint_state(os.path.dirname(path) or ".", path,
                                                 all_model_checkpoint_paths=[path])
        return path

    def write(self, file_prefix, options=None) -> str:
        """Writes a checkpoint at ``file_prefix`` exactly (no numbering, no bookkeeping).

        Writes TensorFlow's files ``{file_prefix}.index`` and ``{file_prefix}.data-*``; an
        existing checkpoint of that name is replaced atomically.  Returns ``file_prefix``.
        """
        _require_eager("write")
        nodes, tensors = _serialize(self)
        return checkpoint_file.write(os.fspath(file_prefix), nodes, tensors)

    # --- restoring -----------------------------------------------------------------------------
    def restore(self, save_path, options=None):
        """Restores the checkpoint ``save_path`` (as ``save`` or ``latest_checkpoint`` give).

        Returns a status object: ``assert_consumed()``, ``assert_existing_objects_matched()``,
        ``assert_nontrivial_match()``, ``expect_partial()``.  ``save_path=None`` restores
        nothing (an ``InitializationOnlyStatus``).

        Raises:
          fluxion.errors.NotFoundError: no checkpoint at ``save_path``.
          fluxion.errors.DataLossError: the file is corrupt, truncated or of another kind.
          ValueError: a saved value does not fit its variable (shape or dtype).
          In every case no object has been changed.
        """
        self.save_counter  # noqa: B018 - created so that it is restored too
        if save_path is None:
            return InitializationOnlyStatus()
        return self.read(save_path)

    def read(self, save_path, options=None):
        """Restores a checkpoint written by ``write`` (or ``save``); see ``restore``."""
        if save_path is None:
            raise ValueError("Checkpoint.read needs a checkpoint path, got None.")
        path = os.fspath(save_path)
        nodes, tensors = checkpoint_file.read(path)
        with init_scope():
            return _restore(self, nodes, tensors, path)

    def sync(self) -> None:
        """Waits for outstanding saves (there are none: saving is synchronous)."""

    def __repr__(self) -> str:
        return f"<fluxion.train.Checkpoint of {', '.join(self._children) or 'nothing'}>"


# --- statuses ------------------------------------------------------------------------------------
class CheckpointLoadStatus:
    """What a ``restore`` matched; its assertions raise ``AssertionError`` on gaps."""

    def __init__(self, save_path: str, unused_values: list, unmatched_objects: list,
                 matched: int):
        self.save_path = save_path
        self.unused_values = unused_values          # paths in the file with no live object
        self.unmatched_objects = unmatched_objects  # live paths with no value in the file
        self.matched = matched
        self._expect_partial = False

    def assert_consumed(self) -> CheckpointLoadStatus:
        """Every value in the file, and every object in the graph, was matched."""
        if self.unused_values:
            raise AssertionError(
                f"Unresolved values in checkpoint {self.save_path!r} (no object of the program "
                f"has these paths): {_listing(self.unused_values)}")
        return self.assert_existing_objects_matched()

    def assert_existing_objects_matched(self) -> CheckpointLoadStatus:
        """Every object in the graph got a value (values with no object are allowed)."""
        if self.unmatched_objects:
            raise AssertionError(
                f"Some objects were not bound to checkpointed values, likely due to changes "
                f"in the program: {_listing(self.unmatched_objects)} (checkpoint "
                f"{self.save_path!r})")
        return self

    def assert_nontrivial_match(self) -> CheckpointLoadStatus:
        """At least one value was restored."""
        if not self.matched:
            raise AssertionError(f"Nothing except the root object matched a checkpointed "
                                 f"value in {self.save_path!r}.")
        return self

    def expect_partial(self) -> CheckpointLoadStatus:
        """Marks a partial restore as intended (Fluxion prints no warnings either way)."""
        self._expect_partial = True
        return self

    def run_restore_ops(self, session=None) -> None:
        """Values are assigned eagerly by ``restore``: nothing to run."""

    def initialize_or_restore(self, session=None) -> None:
        """Values are assigned eagerly by ``restore``: nothing to run."""


class InitializationOnlyStatus(CheckpointLoadStatus):
    """The status of ``restore(None)``: nothing was restored."""

    def __init__(self):
        super().__init__(None, [], [], 0)

    def _nothing(self):
        raise AssertionError("No checkpoint specified (save_path=None); nothing is being "
                             "restored.")

    def assert_consumed(self):
        self._nothing()

    def assert_existing_objects_matched(self):
        self._nothing()

    def assert_nontrivial_match(self):
        self._nothing()


# --- the work ------------------------------------------------------------------------------------
def _serialize(root) -> tuple[list, dict]:
    """The saved object graph of ``root`` (stateless branches left out) and its tensors."""
    walk = GraphWalk(root)
    keep = walk.stateful()
    keep[0] = True
    new_id = {}
    for node, kept in enumerate(keep):
        if kept:
            new_id[node] = len(new_id)
    nodes, tensors = [], {}
    for node, obj in enumerate(walk.objects):
        if not keep[node]:
            continue
        path = walk.paths[node]
        entry = {"class": f"{type(obj).__module__}.{type(obj).__qualname__}",
                 "children": {name: new_id[child] for name, child in walk.children[node].items()
                              if keep[child]}}
        if isinstance(obj, Variable):
            entry["variable"] = path
            entry["name"] = obj.name[:-2] if obj.name.endswith(":0") else obj.name
            tensors[path] = obj.numpy()
        elif has_tensors(obj):
            entry["tensors"] = {}
            for name, value in obj._serialize_to_tensors().items():
                key = f"{path}/.TENSORS/{name}"
                entry["tensors"][name] = key
                tensors[key] = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
        nodes.append(entry)
    return nodes, tensors


def _restore(root, nodes: list, tensors: dict, save_path: str) -> CheckpointLoadStatus:
    owners = {id(optimizer_owner(obj)): obj for obj in GraphWalk(root).objects
              if optimizer_owner(obj) is not None}
    bound = _match(root, nodes, owners)
    assignments, tensor_sets, problems = [], [], []
    for node_id, obj in bound.items():
        node = nodes[node_id]
        if "variable" in node:
            value = tensors.get(node["variable"])
            problem = _misfit(obj, value, _display(node["variable"]))
            if problem:
                problems.append(problem)
            else:
                assignments.append((obj, value))
        if "tensors" in node:
            if not has_tensors(obj):
                problems.append(f"{_path(node, node_id)}: the checkpoint holds tensors for "
                                f"a {type(obj).__name__}, which has no _restore_from_tensors")
            else:
                tensor_sets.append((obj, {name: tensors[key]
                                          for name, key in node["tensors"].items()}))
    if problems:
        raise ValueError(f"Cannot restore checkpoint {save_path!r}; nothing was changed. "
                         f"{len(problems)} value(s) do not fit: " + "; ".join(problems[:10]))
    for variable, value in assignments:  # everything checked: now assign
        variable.assign(value)
    for obj, values in tensor_sets:
        obj._restore_from_tensors(values)
    return _status(root, nodes, bound, save_path)


def _match(root, nodes: list, owners: dict) -> dict:
    """``{saved node id: live object}`` by walking both graphs from the root."""
    bound = {0: root}
    queue = [0]
    while queue:
        node_id = queue.pop(0)
        obj = bound[node_id]
        saved_children = nodes[node_id].get("children", {})
        if is_optimizer(obj) and not getattr(obj, "built", True) and saved_children:
            model = owners.get(id(obj))
            if model is not None and getattr(model, "built", False):
                obj.build(model.trainable_variables)  # creates the slots the file fills
        live = children_of(obj)
        for name, child_id in saved_children.items():
            if name in live and child_id not in bound:
                bound[child_id] = live[name]
                queue.append(child_id)
    return bound


def _misfit(variable, value, path: str) -> str | None:
    if not isinstance(variable, Variable):
        return f"{path}: the checkpoint holds a variable, the program a {type(variable).__name__}"
    if value is None:
        return f"{path}: its tensor is missing from the file"
    wanted = variable.dtype
    if wanted.np_dtype is not None and np.dtype(wanted.np_dtype) != value.dtype:
        return (f"{path}: dtype {value.dtype.name} in the checkpoint, {wanted.name} in the "
                f"variable")
    if not variable._shape.is_compatible_with(value.shape):
        return (f"{path}: shape {tuple(value.shape)} in the checkpoint, "
                f"{tuple(variable.shape)} in the variable")
    return None


def _status(root, nodes: list, bound: dict, save_path: str) -> CheckpointLoadStatus:
    unused = [_path(nodes[i], i) for i, node in enumerate(nodes)
              if i not in bound and ("variable" in node or "tensors" in node)]
    restored = {id(bound[i]) for i, node in enumerate(nodes)
                if i in bound and ("variable" in node or "tensors" in node)}
    optional = {id(root._save_counter)} if isinstance(root, Checkpoint) else set()
    walk = GraphWalk(root)
    unmatched = [walk.paths[i] for i, obj in enumerate(walk.objects)
                 if (isinstance(obj, Variable) or has_tensors(obj))
                 and id(obj) not in restored and id(obj) not in optional]
    return CheckpointLoadStatus(save_path, unused, unmatched, len(restored))


def _display(key: str) -> str:
    """A variable's key as an object path (without TF's ``/.ATTRIBUTES/...`` suffix)."""
    return key.split("/.ATTRIBUTES/", 1)[0]


def _path(node: dict, node_id: int) -> str:
    if "variable" in node:
        return _display(node["variable"])
    keys = list(node.get("tensors", {}).values())
    return keys[0].rsplit("/.TENSORS/", 1)[0] if keys else f"node {node_id}"


def _listing(paths: list) -> str:
    shown = ", ".join(paths[:20])
    return shown + (f" ... and {len(paths) - 20} more" if len(paths) > 20 else "")


def _root_children(root) -> dict:
    return children_of(root)


def _check_trackable(name: str, value) -> None:
    if not is_trackable(value) and not isinstance(value, (list, tuple, dict)):
        raise ValueError(f"`Checkpoint` was expecting {name} to be a trackable object (a "
                         f"fluxion.Variable, a Keras layer, model or optimizer, a Checkpoint, "
                         f"or an object with `_checkpoint_children()`), got {value!r}.")


def _require_eager(what: str) -> None:
    if context.tracer is not None:
        raise RuntimeError(f"Checkpoint.{what}() cannot run inside a traced function "
                           f"(fluxion.function): call it eagerly, outside the function.")
