"""Keras 3's HDF5 weight layout: where each layer's and the optimizer's variables live.

Keras 3 does not address state by layer *name* (names are generated, so they differ
between two builds of the same model) but by *attribute path*: starting from the model,
it visits every attribute that holds a layer or an optimizer, and every list, tuple or
dict that holds some.  Each object visited gets a group ``<path>/vars`` (``vars`` for
the model itself) with a ``name`` attribute and one dataset per variable, ``"0"``,
``"1"``...  The rules, which this module follows exactly so files move both ways:

- ``Functional`` and ``Sequential`` models visit ``layers`` first (Sequential's
  ``layers`` leave out the ``InputLayer``).
- Then every attribute in ``dir()`` order, private (``_x``) ones last, except those a bare
  ``Layer`` also has (its own machinery).  So a subclassed model's ``self.dense_a``
  lives at ``dense_a/vars``, and the model's ``optimizer`` at ``optimizer/vars``.
- An object reached a second time is skipped (a shared layer is stored once).
- Inside a container, items are named by their class in snake case, numbered on
  repeats: ``layers/dense``, ``layers/dense_1``, ``layers/batch_normalization``;
  nested containers are ``container``, ``container_1``...

Every object visited has its ``save_own_variables`` / ``load_own_variables`` called, even
one with no variables (a lookup layer keeps its ``idf_weights`` that way), and layers held
by other layers are visited too (a ``TextVectorization``'s ``_lookup_layer``).

Loading walks the model being loaded the same way and reads each path.  It reads and
checks everything first and assigns only when all of it is good, so a bad file leaves
the model as it was.

Assets (``save_assets(dir)`` / ``load_assets(dir)``, e.g. a lookup layer's
``vocabulary.txt``) follow the same paths: the object at ``layers/string_lookup`` writes
into ``<assets dir>/layers/string_lookup/``; a ``.keras`` file stores them under
``assets/`` (``keras_archive``).
"""

from __future__ import annotations

import os
import warnings

import numpy as np

from fluxion.core.snake_case import to_snake_case
from fluxion.keras.saving import h5_safety

H5_INSTALL_HINT = "pip install h5py"


def require_h5py():
    """The ``h5py`` module, or an ImportError that says how to install it."""
    try:
        import h5py
    except ImportError as error:
        raise ImportError(
            f"Keras weight files (.keras, .weights.h5, .h5) are HDF5 files, which need h5py, "
            f"a required dependency of Fluxion (the fluxion-ml distribution) that is missing "
            f"from this environment. Install it with `{H5_INSTALL_HINT}`.") from error
    return h5py


# --- the walk -------------------------------------------------------------------------------
def _is_saveable(obj) -> bool:
    from fluxion.keras.layers.layer import Layer
    from fluxion.keras.optimizers.base_optimizer import Optimizer

    return isinstance(obj, (Layer, Optimizer))


def _obj_type(obj) -> str:
    """The kind Keras writes for ``obj`` in a weights file: models tell theirs
    (``weights_file_kind``: ``Functional``, ``Sequential``), optimizers and layers are named
    here."""
    from fluxion.keras.optimizers.base_optimizer import Optimizer

    kind = getattr(obj, "weights_file_kind", None)
    if kind is not None:
        return kind
    if isinstance(obj, Optimizer):
        return "Optimizer"
    return "Layer"


_SKIPSETS: dict = {}


def _skipset(obj_type: str) -> frozenset:
    """Attribute names never walked: those of a bare ``Layer`` (Keras's rule)."""
    if obj_type not in _SKIPSETS:
        from fluxion.keras.layers.layer import Layer

        base = set(dir(Layer(name="skipset_probe")))
        if obj_type == "Sequential":  # Keras's Sequential never visits its InputLayer
            base |= {"_input_layer", "_stack"}
        if obj_type == "Functional":
            base |= {"_functional_layers", "_nodes"}
        _SKIPSETS[obj_type] = frozenset(base)
    return _SKIPSETS[obj_type]


def _name_key(name: str) -> str:
    return f"~{name}" if name.startswith("_") else name


def _children(obj):
    """(attribute, value) pairs of ``obj`` in the order Keras 3 visits them."""
    kind = _obj_type(obj)
    if kind == "Optimizer":  # its state is its own variables; it holds no layers
        return
    if kind in ("Functional", "Sequential"):
        yield "layers", obj.layers
    skip = _skipset(kind)
    for name in sorted(dir(obj), key=_name_key):
        if name.startswith("__") or name in skip:
            continue
        try:
            value = getattr(obj, name)
        except Exception:  # noqa: BLE001 - a property that cannot answer holds no state
            continue
        if _is_saveable(value) or isinstance(value, (list, tuple, dict)):
            yield name, value


def _join(path: str, name: str) -> str:
    return f"{path}/{name}" if path else name


def walk_saveables(root, skip=None) -> list:
    """``(path, object)`` for ``root`` and every layer/optimizer under it, as Keras 3 walks.

    Objects in ``skip`` (and what only they hold) are left out.
    """
    found: list = []
    _visit(root, "", found, {id(obj) for obj in skip or ()})
    return found


def _visit(obj, path: str, found: list, visited: set) -> None:
    if id(obj) in visited:
        return
    visited.add(id(obj))
    found.append((path, obj))
    for name, child in _children(obj):
        if _is_saveable(child):
            _visit(child, _join(path, name), found, visited)
        else:
            _visit_container(child, _join(path, name), found, visited, set())


def _visit_container(container, path: str, found: list, visited: set, seen: set) -> None:
    if id(container) in seen:
        return
    seen.add(id(container))
    used: dict = {}
    items = list(container.values()) if isinstance(container, dict) else list(container)
    for item in items:
        if _is_saveable(item):
            _visit(item, _join(path, _unique(_weights_name(item), used)), found, visited)
        elif isinstance(item, (list, tuple, dict)):
            _visit_container(item, _join(path, _unique("container", used)), found, visited,
                             seen)


def _weights_name(item) -> str:
    """The group name Keras 3 gives an object: its Python class's name in snake case.

    A class exported under another name than Keras's Python class (GroupQueryAttention is
    Keras's GroupedQueryAttention) says so with ``keras_class_name``.
    """
    return to_snake_case(getattr(type(item), "keras_class_name", type(item).__name__))


def _unique(name: str, used: dict) -> str:
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


# --- writing ------------------------------------------------------------------------------------
def write_state(root, h5_file) -> None:
    """Writes the variables of ``root`` (a model, layer or optimizer) into an open HDF5 file."""
    for path, saveable in walk_saveables(root):
        store: dict = {}
        saveable.save_own_variables(store)
        group = h5_file.create_group(f"{path}/vars" if path else "vars")
        name = getattr(saveable, "name", None)
        if isinstance(name, str):
            group.attrs["name"] = name
        for key, value in store.items():
            group[key] = np.asarray(value)


# --- reading ------------------------------------------------------------------------------------
def _read_group(h5_file, path: str) -> dict:
    """The datasets of ``<path>/vars``, checked but not read yet ({} when there is none).

    Their shapes are compared with the variables' before a byte is read (a crafted file
    may declare gigabytes it does not hold); see ``h5_safety``.
    """
    key = f"{path}/vars" if path else "vars"
    if not h5_safety.contains(h5_file, key):
        return {}
    group = h5_safety.child(h5_file, key)
    return {name: h5_safety.dataset(group, name) for name in group.keys()}


def _own_variables(saveable) -> list:
    return list(saveable._trainable_variables) + list(saveable._non_trainable_variables)


def _check_layer_store(layer, store: dict) -> None:
    """Keras's checks of a layer's stored variables: the count, then each shape."""
    variables = _own_variables(layer)
    if len(store) != len(variables):
        if not variables and not layer.built:
            raise ValueError(
                f"Layer '{layer.name}' was never built and thus it doesn't have any "
                f"variables. However the weights file lists {len(store)} variables for this "
                f"layer. Build it in `build()` (a parent's `build()` must build its "
                f"children), or implement `build_from_config()` so loading can rebuild it.")
        raise ValueError(f"Layer '{layer.name}' expected {len(variables)} variables, but "
                         f"received {len(store)} variables during loading. Expected: "
                         f"{[v.name for v in variables]}")
    for i, variable in enumerate(variables):
        value = store.get(str(i))
        if value is None:
            raise ValueError(f"Layer '{layer.name}': the weights file has no variable '{i}' "
                             f"(found {sorted(store)}).")
        if tuple(value.shape) != tuple(variable.shape):
            raise ValueError(f"Layer '{layer.name}' weight '{variable.name}' has shape "
                             f"{tuple(variable.shape)}, but the saved value has shape "
                             f"{tuple(value.shape)}.")


def _check_optimizer_store(optimizer, store: dict) -> bool:
    """False (with Keras's warning) when the saved optimizer state does not fit."""
    variables = optimizer.variables
    if len(store) != len(variables):
        msg = (f"Skipping variable loading for optimizer '{optimizer.name}', because it has "
               f"{len(variables)} variables whereas the saved optimizer has {len(store)} "
               f"variables. ")
        if not variables:
            msg += "This is likely because the optimizer has not been called/built yet."
        warnings.warn(msg, stacklevel=4)
        return False
    for i, variable in enumerate(variables):
        value = store.get(str(i))
        if value is None or tuple(value.shape) != tuple(variable.shape):
            raise ValueError(f"Optimizer '{optimizer.name}' variable {variable.path} has shape "
                             f"{tuple(variable.shape)}; the saved value "
                             f"{'is missing' if value is None else f'has {value.shape}'}.")
    return True


def read_state(root, h5_file, skip_mismatch: bool = False, skip=None) -> None:
    """Loads ``root``'s variables from an open HDF5 file in Keras 3's layout.

    Everything is read and checked before any variable changes; objects that do not fit
    raise Keras's "could not be loaded" error (a warning, with those objects left as they
    are, when ``skip_mismatch``).  Should an assignment still fail, every variable is put
    back, so the model is never left half loaded.
    """
    from fluxion.keras.layers.layer import Layer
    from fluxion.keras.optimizers.base_optimizer import Optimizer

    staged, errors = [], {}
    for path, saveable in walk_saveables(root, skip):
        try:
            store = _read_group(h5_file, path)
        except h5_safety.UnsafeWeightsFileError:
            raise
        except Exception as error:  # noqa: BLE001 - a damaged group is a damaged file
            raise ValueError(f"The weights file is damaged: could not read '{path or 'vars'}'"
                             f" ({error}).") from error
        try:
            if isinstance(saveable, Optimizer):
                if not _check_optimizer_store(saveable, store):
                    continue
            elif type(saveable).load_own_variables is Layer.load_own_variables:
                _check_layer_store(saveable, store)
        except ValueError as error:
            errors[id(saveable)] = (saveable, error)
            continue
        staged.append((saveable, {name: value.read() for name, value in store.items()}))
    if errors:
        _report_failures(errors, warn_only=skip_mismatch)
    _assign_all(staged)


def _assign_all(staged: list) -> None:
    backup = [(v, v.numpy()) for saveable, _ in staged for v in _state_variables(saveable)]
    try:
        for saveable, store in staged:
            saveable.load_own_variables(store)
    except Exception:
        for variable, value in backup:
            variable.assign(value)
        raise


def _state_variables(saveable) -> list:
    from fluxion.keras.optimizers.base_optimizer import Optimizer

    if isinstance(saveable, Optimizer):
        return saveable.variables
    return _own_variables(saveable)


# --- assets ---------------------------------------------------------------------------------------
def _asset_dir(directory: str, path: str) -> str:
    return os.path.join(directory, *path.split("/")) if path else directory


def write_assets(root, directory: str) -> None:
    """Calls ``save_assets`` of every object under ``root`` that has one, each with its own
    folder ``<directory>/<path>`` (created first), as Keras 3 lays out ``assets/``."""
    for path, saveable in walk_saveables(root):
        if hasattr(saveable, "save_assets"):
            target = _asset_dir(directory, path)
            os.makedirs(target, exist_ok=True)
            saveable.save_assets(target)


def read_assets(root, directory: str) -> None:
    """Calls ``load_assets(<directory>/<path>)`` of every object under ``root`` that has one.

    Objects whose assets cannot be read raise Keras's "could not be loaded" error, which
    names them all (a missing folder reads as a missing file inside it).
    """
    errors: dict = {}
    for path, saveable in walk_saveables(root):
        if not hasattr(saveable, "load_assets"):
            continue
        try:
            saveable.load_assets(_asset_dir(directory, path))
        except Exception as error:  # noqa: BLE001 - reported below with every other failure
            errors[id(saveable)] = (saveable, error)
    if errors:
        _report_failures(errors, warn_only=False)


def _report_failures(errors: dict, warn_only: bool) -> None:
    saveable, error = next(iter(errors.values()))
    msg = (f"A total of {len(errors)} objects could not be loaded. Example error message for "
           f"object {saveable}:\n\n{error}\n\nList of objects that could not be loaded:\n"
           f"{[obj for obj, _ in errors.values()]}")
    if not warn_only:
        raise ValueError(msg)
    warnings.warn(msg, stacklevel=3)
