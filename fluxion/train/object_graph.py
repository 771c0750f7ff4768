"""The object graph a checkpoint saves: which objects hold state, and under what names.

A checkpoint names every value by the path of attribute names that reaches it from the
root, as TensorFlow's object-based checkpoints do, so a value finds its way back into a
new program that builds the same objects, whatever their global names are.  This module
says what the children of an object are:

- ``fluxion.Variable``: a leaf holding one tensor.
- an object with ``_checkpoint_children()`` (a ``Checkpoint`` itself, or any user
  class): the dict it returns.  An object may also hold plain arrays through
  ``_serialize_to_tensors() -> {name: array}`` and ``_restore_from_tensors(dict)``.
- a Keras layer or model: its own weights by their names (``kernel``, ``bias``), its
  sub-layers by attribute name (``self.encoder``) or, for those only in its layer list,
  as Keras 3 names them in weight files (``layers/dense``, ``layers/dense_1``), and its
  public attributes that hold state (``optimizer``, ``seed_generator``).
- a Keras optimizer: its variables in creation order (``vars/0``, ``vars/1``, ...), as
  Keras 3 lays them out in weight files.
- lists, tuples and dicts given to a ``Checkpoint``: their items by index or key.
- any other object: its attributes that are variables or hold variables.

Nothing here imports Keras: layers and optimizers are recognised by their shape.
"""

from __future__ import annotations

from fluxion.core.snake_case import to_snake_case
from fluxion.core.variable import Variable


def children_of(obj) -> dict:
    """``{name: child}`` of the stateful children of ``obj``."""
    if isinstance(obj, Variable):
        return {}
    method = getattr(obj, "_checkpoint_children", None)
    if callable(method):
        return dict(method())
    if isinstance(obj, dict):
        return {str(key): value for key, value in obj.items() if is_trackable(value)}
    if isinstance(obj, (list, tuple)):
        return {str(i): value for i, value in enumerate(obj) if is_trackable(value)}
    if is_layer(obj):
        return _layer_children(obj)
    if is_optimizer(obj):
        return {f"vars/{i}": variable for i, variable in enumerate(obj.variables)}
    return _attribute_children(obj, include_private=True)


def is_trackable(obj) -> bool:
    """Whether ``obj`` holds (or may come to hold) state a checkpoint saves."""
    if isinstance(obj, Variable):
        return True
    if isinstance(obj, type) or obj is None or isinstance(obj, (str, bytes, int, float)):
        return False
    if callable(getattr(obj, "_checkpoint_children", None)) or has_tensors(obj):
        return True
    if isinstance(obj, (list, tuple)):
        return any(is_trackable(item) for item in obj)
    if isinstance(obj, dict):
        return any(is_trackable(item) for item in obj.values())
    return is_layer(obj) or is_optimizer(obj) or _holds_variables(obj)


def has_tensors(obj) -> bool:
    return callable(getattr(obj, "_serialize_to_tensors", None)) and \
        callable(getattr(obj, "_restore_from_tensors", None)) and not isinstance(obj, type)


def is_layer(obj) -> bool:
    attributes = getattr(obj, "__dict__", None)
    return attributes is not None and "_layers" in attributes and \
        "_trainable_variables" in attributes and "_non_trainable_variables" in attributes


def is_optimizer(obj) -> bool:
    attributes = getattr(obj, "__dict__", None)
    return attributes is not None and "_variables" in attributes and \
        callable(getattr(obj, "apply_gradients", None)) and callable(getattr(obj, "build", None))


def optimizer_owner(obj):
    """The optimizer a Keras model trains with, if ``obj`` is such a model."""
    if not is_layer(obj):
        return None
    optimizer = obj.__dict__.get("optimizer")
    return optimizer if is_optimizer(optimizer) else None


def _holds_variables(obj) -> bool:
    attributes = getattr(obj, "__dict__", None)
    if not attributes:
        return False
    for value in attributes.values():
        if isinstance(value, Variable):
            return True
        if isinstance(value, (list, tuple)) and value and \
                all(isinstance(item, Variable) for item in value):
            return True
    return False


def _attribute_children(obj, include_private: bool) -> dict:
    children = {}
    for name, value in getattr(obj, "__dict__", {}).items():  # __slots__ objects: none
        if name.startswith("__") or (name.startswith("_") and not include_private):
            continue
        if isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                if is_trackable(item):
                    children[f"{name}/{i}"] = item
        elif isinstance(value, dict):
            for key, item in value.items():
                if is_trackable(item):
                    children[f"{name}/{key}"] = item
        elif is_trackable(value):
            children[name] = value
    return children


def _layer_children(layer) -> dict:
    children = {}
    own = list(layer._trainable_variables) + list(layer._non_trainable_variables)
    for variable in own:
        children[_unique(children, _short_name(variable))] = variable
    owned = {id(v) for v in own}
    public = {name: value for name, value in vars(layer).items() if not name.startswith("_")}
    by_attribute = {}
    for name, value in public.items():
        if is_layer(value):
            by_attribute.setdefault(id(value), name)
        elif isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                if is_layer(item):
                    by_attribute.setdefault(id(item), f"{name}/{i}")
    for sublayer in layer._layers:
        name = by_attribute.get(id(sublayer))
        if name is None:
            name = _unique(children, "layers/" + to_snake_case(type(sublayer).__name__))
        children[name] = sublayer
    placed = {id(child) for child in children.values()}
    for name, value in public.items():
        if id(value) in placed or id(value) in owned or is_layer(value):
            continue
        if isinstance(value, (list, tuple, dict)):
            continue  # lists of layers are placed above; other containers hold no state here
        if is_trackable(value):
            children[name] = value
    return children


def _short_name(variable) -> str:
    name = str(variable.name)
    return name[:-2] if name.endswith(":0") else name


def _unique(taken: dict, name: str) -> str:
    if name not in taken:
        return name
    count = 1
    while f"{name}_{count}" in taken:
        count += 1
    return f"{name}_{count}"


class GraphWalk:
    """The live object graph from a root, breadth first: objects and their paths.

    Shared objects appear once, at the first (shortest) path that reaches them; cycles
    are harmless.  ``objects`` keeps every object alive while the walk is in use, so
    ``id`` values stay unique.
    """

    def __init__(self, root):
        self.objects = [root]
        self.paths = ["(root)"]
        self.children = []
        self.index = {id(root): 0}
        position = 0
        while position < len(self.objects):
            obj = self.objects[position]
            named = {}
            for name, child in children_of(obj).items():
                if id(child) not in self.index:
                    self.index[id(child)] = len(self.objects)
                    self.objects.append(child)
                    prefix = "" if position == 0 else self.paths[position] + "/"
                    self.paths.append(prefix + name)
                named[name] = self.index[id(child)]
            self.children.append(named)
            position += 1

    def stateful(self) -> list:
        """Per node: whether it, or anything below it, holds a value."""
        holds = [isinstance(obj, Variable) or has_tensors(obj) for obj in self.objects]
        changed = True
        while changed:  # a fixpoint, as the graph may have cycles
            changed = False
            for node, named in enumerate(self.children):
                if not holds[node] and any(holds[child] for child in named.values()):
                    holds[node] = changed = True
        return holds
