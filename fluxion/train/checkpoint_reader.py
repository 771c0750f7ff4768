"""Reading checkpoint values without the objects: ``list_variables``, ``load_variable``.

Values are named by their keys in the checkpoint: in an object-based checkpoint a
variable's object path plus ``/.ATTRIBUTES/VARIABLE_VALUE``
(``model/layers/dense/kernel/.ATTRIBUTES/VARIABLE_VALUE``; the path alone is accepted
too), in a TF 1 ``Saver`` checkpoint the variable's name.
A directory stands for its latest checkpoint, as in TensorFlow.
"""

from __future__ import annotations

import os

import numpy as np

from fluxion.core.dtypes import as_dtype
from fluxion.core.errors import NotFoundError
from fluxion.train import checkpoint_file, checkpoint_state

VARIABLE_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE"


class CheckpointReader:
    """The values of one checkpoint file (``tf.train.load_checkpoint``)."""

    def __init__(self, save_path: str):
        self.save_path = save_path
        _, self._tensors = checkpoint_file.read(save_path)

    def _key(self, name: str) -> str:
        """``name``, or the key of the variable at object path ``name`` if that is stored."""
        if name not in self._tensors and name + VARIABLE_SUFFIX in self._tensors:
            return name + VARIABLE_SUFFIX
        return name

    def has_tensor(self, name: str) -> bool:
        return self._key(name) in self._tensors

    def get_tensor(self, name: str) -> np.ndarray:
        name = self._key(name)
        if name not in self._tensors:
            raise NotFoundError(f"Key {name} not found in checkpoint {self.save_path!r}; it "
                                f"holds: {', '.join(sorted(self._tensors))}")
        return self._tensors[name].copy()

    def get_variable_to_shape_map(self) -> dict:
        return {name: list(value.shape) for name, value in self._tensors.items()}

    def get_variable_to_dtype_map(self) -> dict:
        return {name: as_dtype("string" if value.dtype == object else value.dtype)
                for name, value in self._tensors.items()}


def load_checkpoint(ckpt_dir_or_file) -> CheckpointReader:
    """A ``CheckpointReader`` for a checkpoint, or a directory's latest checkpoint."""
    return CheckpointReader(_resolve(ckpt_dir_or_file))


def list_variables(ckpt_dir_or_file) -> list:
    """``[(name, shape)]`` of every value in the checkpoint, sorted by name."""
    shapes = load_checkpoint(ckpt_dir_or_file).get_variable_to_shape_map()
    return sorted(shapes.items())


def load_variable(ckpt_dir_or_file, name: str) -> np.ndarray:
    """The value saved under ``name`` (a path from ``list_variables``)."""
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)


class CheckpointOptions:
    """Options of ``save``/``restore`` (``tf.train.CheckpointOptions``); Fluxion saves on
    the local file system synchronously, so they change nothing."""

    def __init__(self, experimental_io_device=None, experimental_enable_async_checkpoint=False,
                 experimental_write_callbacks=None, enable_async=False,
                 experimental_sharding_callback=None, experimental_skip_slot_variables=False):
        self.experimental_io_device = experimental_io_device
        self.experimental_enable_async_checkpoint = experimental_enable_async_checkpoint
        self.experimental_write_callbacks = experimental_write_callbacks
        self.enable_async = enable_async
        self.experimental_sharding_callback = experimental_sharding_callback
        self.experimental_skip_slot_variables = experimental_skip_slot_variables


def _resolve(ckpt_dir_or_file) -> str:
    path = os.fspath(ckpt_dir_or_file)
    if os.path.isdir(path):
        latest = checkpoint_state.latest_checkpoint(path)
        if latest is None:
            raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given "
                             f"directory {path}")
        return latest
    return path
