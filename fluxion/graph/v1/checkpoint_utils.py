"""TF 1 checkpoint helpers (``tf.compat.v1.train``): existence, times and removal of a
checkpoint; its state proto; initializing variables from a checkpoint
(``init_from_checkpoint``, ``warm_start``); and small training-loop helpers.
"""

from __future__ import annotations

import glob
import os
import re

import numpy as np

from fluxion.core.errors import NotFoundError
from fluxion.train import tensor_bundle
from fluxion.train.checkpoint_reader import load_checkpoint
from fluxion.train.checkpoint_state import CheckpointState, _absolute


def checkpoint_exists(checkpoint_prefix) -> bool:
    """Whether a V2 checkpoint (its ``.index`` file) exists at ``checkpoint_prefix``."""
    return tensor_bundle.exists(os.fspath(checkpoint_prefix)) or \
        bool(glob.glob(os.fspath(checkpoint_prefix)))


def get_checkpoint_mtimes(checkpoint_prefixes) -> list:
    """The modification times (seconds) of the checkpoints ``checkpoint_prefixes``
    (missing ones are skipped)."""
    times = []
    for prefix in checkpoint_prefixes:
        index = tensor_bundle.index_file(os.fspath(prefix))
        if os.path.exists(index):
            times.append(os.path.getmtime(index))
    return times


def remove_checkpoint(checkpoint_prefix, checkpoint_format_version=2,
                      meta_graph_suffix="meta") -> None:
    """Deletes the checkpoint's index and data files (and its ``.meta`` file)."""
    prefix = os.fspath(checkpoint_prefix)
    for path in glob.glob(glob.escape(prefix) + ".data-*") + \
            [tensor_bundle.index_file(prefix), f"{prefix}.{meta_graph_suffix}"]:
        if os.path.exists(path):
            os.remove(path)


def generate_checkpoint_state_proto(save_dir, model_checkpoint_path,
                                    all_model_checkpoint_paths=None,
                                    all_model_checkpoint_timestamps=None,
                                    last_preserved_timestamp=None) -> CheckpointState:
    """The ``CheckpointState`` for ``model_checkpoint_path`` (relative paths made
    absolute against ``save_dir``; the latest path listed last)."""
    paths = list(all_model_checkpoint_paths or [])
    if not paths or paths[-1] != model_checkpoint_path:
        paths.append(model_checkpoint_path)
    return CheckpointState(
        model_checkpoint_path=_absolute(save_dir, model_checkpoint_path),
        all_model_checkpoint_paths=[_absolute(save_dir, p) for p in paths],
        all_model_checkpoint_timestamps=list(all_model_checkpoint_timestamps or []),
        last_preserved_timestamp=float(last_preserved_timestamp or 0.0))


def NewCheckpointReader(filepattern):  # noqa: N802 - TF's name
    """A reader of the checkpoint ``filepattern`` (``get_tensor``,
    ``get_variable_to_shape_map``...)."""
    return load_checkpoint(filepattern)


# --- initializing from a checkpoint --------------------------------------------------------
def _set_initial_value(variable, value) -> None:
    """Makes ``variable``'s initializer (in a v1 graph) or value (eagerly) ``value``."""
    from fluxion.core.tensor import Tensor, TensorRef
    from fluxion.graph.tracer import Tracer
    from fluxion.graph.v1.graph import Operation, get_default_graph

    value = np.asarray(value, dtype=variable.dtype.np_dtype)
    if not variable.shape.is_compatible_with(value.shape):
        raise ValueError(f"Shape of variable {variable.name} ({variable.shape}) doesn't "
                         f"match with shape of tensor in checkpoint {value.shape}")
    graph = get_default_graph()
    if not graph.is_v1_variable(variable):
        variable.assign(value)
        return
    from fluxion.core.primitives.state import assign_variable_p

    initial = Tensor(value)
    with graph.building():
        Tracer.bind(graph.builder, assign_variable_p, (initial,),
                    {"variable": TensorRef(variable)})
    node = graph.ir_graph.nodes[-1]
    graph.name_new_node(node)
    op = Operation(graph, (node,), graph.unique_name(variable.name[:-2] + "/Assign"),
                   "AssignVariableOp")
    graph._initial_values[id(variable)] = initial
    graph._initializers[id(variable)] = op
    try:
        variable.initializer = op
    except AttributeError:
        pass


def init_from_checkpoint(ckpt_dir_or_file, assignment_map) -> None:
    """Initializes variables from a checkpoint instead of their initializers.

    ``assignment_map`` maps checkpoint names (or scopes ending in ``/``) to variables,
    variable names or scopes: ``{"old_scope/": "new_scope/"}`` takes every variable of
    ``new_scope`` from the same name under ``old_scope``; ``{"/": "scope/"}`` from the
    checkpoint's root.
    """
    from fluxion.graph.v1.variables import global_variables

    reader = load_checkpoint(ckpt_dir_or_file)
    saved = reader.get_variable_to_shape_map()
    by_name = {v.name[:-2]: v for v in global_variables()}
    for source, target in dict(assignment_map).items():
        if not isinstance(target, str):
            name = source
            if name not in saved:
                raise ValueError(f"Tensor {name} is not found in {ckpt_dir_or_file} "
                                 f"checkpoint")
            for variable in (target if isinstance(target, (list, tuple)) else [target]):
                _set_initial_value(variable, reader.get_tensor(name))
            continue
        if not source.endswith("/") and source in saved:
            if target not in by_name:
                raise ValueError(f"Variable {target} not found in the graph")
            _set_initial_value(by_name[target], reader.get_tensor(source))
            continue
        if not source.endswith("/"):
            raise ValueError(f"Tensor {source} is not found in {ckpt_dir_or_file} checkpoint")
        old_scope = "" if source == "/" else source
        new_scope = target if target.endswith("/") or not target else target + "/"
        matched = False
        for name, variable in by_name.items():
            if not name.startswith(new_scope):
                continue
            saved_name = old_scope + name[len(new_scope):]
            if saved_name in saved:
                _set_initial_value(variable, reader.get_tensor(saved_name))
                matched = True
        if not matched:
            raise ValueError(f"Assignment map with scope only name {source} should map to "
                             f"scope only {target}; no variable of {target} in the checkpoint")


class VocabInfo:
    """How a vocabulary-indexed variable maps between old and new vocabularies for
    ``warm_start`` (``tf.compat.v1.train.VocabInfo``)."""

    def __init__(self, new_vocab, new_vocab_size, num_oov_buckets, old_vocab,
                 old_vocab_size=-1, backup_initializer=None, axis=0):
        if axis not in (0, 1):
            raise ValueError(f"The only supported values for the axis argument are 0 and 1. "
                             f"Provided axis: {axis}")
        self.new_vocab, self.new_vocab_size = new_vocab, new_vocab_size
        self.num_oov_buckets, self.old_vocab = num_oov_buckets, old_vocab
        self.old_vocab_size, self.backup_initializer = old_vocab_size, backup_initializer
        self.axis = axis

    def __repr__(self) -> str:
        return (f"VocabInfo(new_vocab={self.new_vocab!r}, new_vocab_size="
                f"{self.new_vocab_size}, num_oov_buckets={self.num_oov_buckets}, old_vocab="
                f"{self.old_vocab!r}, old_vocab_size={self.old_vocab_size}, axis={self.axis})")


def _read_vocab(path) -> list:
    with open(path, encoding="utf-8") as handle:
        return [line.rstrip("\n") for line in handle]


def _remap_rows(old_value, info: VocabInfo, new_shape) -> np.ndarray:
    """The old rows (or columns) rearranged for the new vocabulary; new words keep
    zeros (or the backup initializer's values)."""
    old_words = _read_vocab(info.old_vocab)
    if info.old_vocab_size > 0:
        old_words = old_words[:info.old_vocab_size]
    new_words = _read_vocab(info.new_vocab)[:info.new_vocab_size]
    position = {word: i for i, word in enumerate(old_words)}
    if info.backup_initializer is not None:
        result = np.asarray(info.backup_initializer(list(new_shape)), dtype=old_value.dtype)
    else:
        result = np.zeros(new_shape, old_value.dtype)
    moved = np.moveaxis(result, info.axis, 0)
    old = np.moveaxis(old_value, info.axis, 0)
    for row, word in enumerate(new_words):
        if word in position:
            moved[row] = old[position[word]]
    return np.moveaxis(moved, 0, info.axis)


def warm_start(ckpt_to_initialize_from, vars_to_warm_start=".*", var_name_to_vocab_info=None,
               var_name_to_prev_var_name=None) -> None:
    """Initializes the trainable variables matching ``vars_to_warm_start`` (a regex, or
    a list of regexes or variables) from a checkpoint, by name (or the name in
    ``var_name_to_prev_var_name``); vocabulary-indexed ones are remapped with
    ``var_name_to_vocab_info``."""
    from fluxion.graph.v1.variables import global_variables, trainable_variables

    reader = load_checkpoint(ckpt_to_initialize_from)
    if isinstance(vars_to_warm_start, str) or vars_to_warm_start is None:
        pattern = re.compile(vars_to_warm_start or "$^")
        chosen = [v for v in trainable_variables() if pattern.match(v.name[:-2])]
    else:
        chosen = []
        for item in vars_to_warm_start:
            if isinstance(item, str):
                pattern = re.compile(item)
                chosen += [v for v in global_variables() if pattern.match(v.name[:-2])]
            else:
                chosen.append(item)
    renamed = dict(var_name_to_prev_var_name or {})
    vocab = dict(var_name_to_vocab_info or {})
    for variable in chosen:
        name = variable.name[:-2]
        saved = renamed.get(name, name)
        if not reader.has_tensor(saved):
            raise NotFoundError(f"warm_start: {saved} is not in checkpoint "
                                f"{ckpt_to_initialize_from}")
        value = reader.get_tensor(saved)
        if name in vocab:
            value = _remap_rows(value, vocab[name], variable.shape.as_list())
        _set_initial_value(variable, value)


# --- training-loop helpers ----------------------------------------------------------------
def assert_global_step(global_step_tensor) -> None:
    """``TypeError`` unless ``global_step_tensor`` is an integer scalar variable or
    tensor (what a global step must be)."""
    if not (hasattr(global_step_tensor, "_read_for_op") or
            hasattr(global_step_tensor, "dtype")):
        raise TypeError(f"Existing \"global_step\" must be a Variable or Tensor: "
                        f"{global_step_tensor}.")
    if not global_step_tensor.dtype.is_integer:
        raise TypeError(f"Existing \"global_step\" does not have integer type: "
                        f"{global_step_tensor.dtype.name}")
    shape = global_step_tensor.shape
    if shape.rank is not None and shape.rank != 0:
        raise TypeError(f"Existing \"global_step\" is not scalar: {shape}")


def basic_train_loop(supervisor, train_step_fn, args=None, kwargs=None, master="") -> None:
    """Calls ``train_step_fn(session, *args, **kwargs)`` in ``supervisor``'s managed
    session until it should stop."""
    with supervisor.managed_session(master) as session:
        while not supervisor.should_stop():
            train_step_fn(session, *(args or ()), **(kwargs or {}))


def replica_device_setter(ps_tasks=0, ps_device="/job:ps", worker_device="/job:worker",
                          merge_devices=True, cluster=None, ps_ops=None, ps_strategy=None):
    """A device function placing variables on parameter-server tasks round-robin and
    other ops on ``worker_device``; None when there are no ps tasks."""
    if cluster is not None:
        jobs = cluster.as_dict() if hasattr(cluster, "as_dict") else dict(cluster)
        ps_tasks = len(jobs.get("ps", []))
    if not ps_tasks:
        return None
    variable_ops = set(ps_ops or ("Variable", "VariableV2", "VarHandleOp", "AutoReloadVariable",
                                  "MutableHashTable", "MutableHashTableV2"))
    state = {"next": 0}

    def choose(op) -> str:
        current = getattr(op, "device", "") or ""
        if merge_devices and current:
            return current
        if getattr(op, "type", None) in variable_ops:
            task = ps_strategy(op) if ps_strategy else state["next"] % ps_tasks
            state["next"] += 1
            return f"{ps_device}/task:{task}"
        return worker_device or ""

    return choose
