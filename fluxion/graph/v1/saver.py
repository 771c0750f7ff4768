"""``tf.compat.v1.train.Saver``: name-based checkpoints of a TF 1 graph's variables.

``Saver().save(sess, "dir/model.ckpt")`` writes each variable's value in the session
under its name (``"layer/w"``, the variable's name without ``:0``) in TensorFlow's V2
format (``fluxion.train.tensor_bundle``: ``model.ckpt.index`` and
``model.ckpt.data-*``), and records it in the directory's ``checkpoint`` state file,
so ``tf.train.latest_checkpoint`` finds it and TensorFlow's own ``Saver`` restores it.
``restore(sess, path)`` assigns the saved values and marks the variables initialized
in that session; it also reads checkpoints TensorFlow's ``Saver`` wrote.

No ``.meta`` graph file is written (``write_meta_graph`` is accepted and ignored):
a Fluxion graph is rebuilt by running the program that defines it.
"""

from __future__ import annotations

import os
import time

import numpy as np

from fluxion.core.errors import NotFoundError
from fluxion.graph.v1.graph import GraphKeys, get_default_graph
from fluxion.train import checkpoint_state, tensor_bundle


def _name_of(variable) -> str:
    name = variable.name
    return name[:-2] if name.endswith(":0") else name


def _by_name(var_list) -> dict:
    """``{checkpoint name: variable}`` from a list, a dict or None (all global variables)."""
    if var_list is None:
        var_list = get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES)
    if isinstance(var_list, dict):
        return dict(var_list)
    named: dict = {}
    for variable in var_list:
        name = _name_of(variable)
        if name in named and named[name] is not variable:
            raise ValueError(f"At least two variables have the same name: {name}")
        named[name] = variable
    return named


class Saver:
    """Saves and restores variables by name (``tf.compat.v1.train.Saver``).

    Args:
      var_list: the variables to save: a list (saved under their names), a dict
        ``{name: variable}``, or None for every global variable of the default graph.
      max_to_keep: how many recent checkpoints to keep (older ones are deleted);
        None or 0 keeps all.
      keep_checkpoint_every_n_hours: also keep one checkpoint every that many hours.

    >>> saver = Saver()  # doctest: +SKIP
    >>> path = saver.save(sess, "/tmp/model.ckpt", global_step=100)  # doctest: +SKIP
    >>> saver.restore(sess, path)  # doctest: +SKIP
    """

    def __init__(self, var_list=None, reshape=False, sharded=False, max_to_keep=5,
                 keep_checkpoint_every_n_hours=10000.0, name=None, restore_sequentially=False,
                 saver_def=None, builder=None, defer_build=False, allow_empty=False,
                 write_version=2, pad_step_number=False, save_relative_paths=False,
                 filename=None):
        self._var_list = var_list
        self._variables = _by_name(var_list) if not defer_build else None
        if self._variables is not None and not self._variables and not allow_empty:
            raise ValueError("No variables to save")
        self._max_to_keep = max_to_keep
        self._keep_hours = keep_checkpoint_every_n_hours
        self._pad_step_number = pad_step_number
        self._last_checkpoints: list[tuple[str, float]] = []
        self._last_kept = time.time()

    def build(self) -> None:
        if self._variables is None:
            self._variables = _by_name(self._var_list)

    @property
    def last_checkpoints(self) -> list:
        return [path for path, _ in self._last_checkpoints]

    def save(self, sess, save_path, global_step=None, latest_filename=None,
             meta_graph_suffix="meta", write_meta_graph=True, write_state=True,
             strip_default_attrs=False, save_debug_info=False) -> str:
        """Saves the variables' values in ``sess``; returns the checkpoint's path prefix.

        ``global_step`` (an int or a variable/tensor) is appended as ``-<step>``.
        """
        self.build()
        save_path = os.fspath(save_path)
        if global_step is not None:
            if not isinstance(global_step, (int, np.integer)):
                global_step = int(sess.run(global_step))
            step = f"{global_step:08d}" if self._pad_step_number else str(global_step)
            save_path = f"{save_path}-{step}"
        names = sorted(self._variables)
        values = sess.run([self._variables[name] for name in names]) if names else []
        tensor_bundle.write(save_path, dict(zip(names, values)))
        if write_state:
            self._record(save_path, latest_filename)
        if write_meta_graph:  # the graph, for import_meta_graph
            from fluxion.graph.v1.meta_graph import export_meta_graph

            export_meta_graph(f"{save_path}.{meta_graph_suffix}", graph=sess.graph,
                              saver_def=self.as_saver_def())
        return save_path

    def _record(self, save_path: str, latest_filename) -> None:
        now = time.time()
        self._last_checkpoints = [(p, t) for p, t in self._last_checkpoints if p != save_path]
        self._last_checkpoints.append((save_path, now))
        while self._max_to_keep and len(self._last_checkpoints) > self._max_to_keep:
            oldest, stamp = self._last_checkpoints.pop(0)
            if stamp - self._keep_hours * 3600.0 >= self._last_kept:
                self._last_kept = stamp
                continue
            tensor_bundle.remove(oldest)
        checkpoint_state.update_checkpoint_state(
            os.path.dirname(save_path) or ".", save_path,
            all_model_checkpoint_paths=self.last_checkpoints, latest_filename=latest_filename)

    def restore(self, sess, save_path) -> None:
        """Assigns the values saved at ``save_path`` to the variables, in ``sess``.

        Raises:
          ValueError: ``save_path`` is None.
          fluxion.errors.NotFoundError: no checkpoint there, or a variable's name is
            missing from it.
        """
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        self.build()
        save_path = os.fspath(save_path)
        if not tensor_bundle.exists(save_path):
            raise NotFoundError(f"Failed to find any matching files for {save_path}: "
                                f"no {tensor_bundle.index_file(save_path)!r}.")
        saved = tensor_bundle.read(save_path)
        missing = sorted(name for name in self._variables if name not in saved)
        if missing:
            raise NotFoundError(f"Key {missing[0]} not found in checkpoint {save_path!r} "
                                f"({len(missing)} variable(s) missing: {missing[:10]})")
        for name, variable in self._variables.items():
            value = saved[name]
            if not variable._shape.is_compatible_with(value.shape):
                raise ValueError(f"Cannot restore {name}: shape {value.shape} in the "
                                 f"checkpoint, {variable.shape} in the variable")
        for name, variable in self._variables.items():
            sess.load_variable_value(variable, saved[name])

    def set_last_checkpoints_with_time(self, last_checkpoints_with_time) -> None:
        self._last_checkpoints = list(last_checkpoints_with_time)

    def recover_last_checkpoints(self, checkpoint_paths) -> None:
        self._last_checkpoints = [(p, time.time()) for p in checkpoint_paths]

    def as_saver_def(self):
        """This saver's ``SaverDef`` (TensorFlow's tensor and op names for saving and
        restoring, V2 format), as written in ``.meta`` files."""
        from fluxion.graph.v1.meta_graph_proto import messages

        return messages()["SaverDef"](
            filename_tensor_name="save/Const:0", save_tensor_name="save/control_dependency:0",
            restore_op_name="save/restore_all", max_to_keep=self._max_to_keep or 0,
            sharded=False, keep_checkpoint_every_n_hours=float(self._keep_hours), version=2)
