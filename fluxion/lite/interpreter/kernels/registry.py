"""The kernel table: builtin operator name -> the function computing it.

A kernel is ``kernel(call) -> output`` (an array, or a tuple with one array per output);
``call`` is the ``OperatorCall`` of one operator (its input arrays, the file's records of
its tensors, its options).  The kernel modules register themselves on import; the
table is filled on first use, so ``import fluxion.lite`` stays light.
"""

from __future__ import annotations

import importlib

import numpy as np

KERNELS: dict = {}
_MODULES = ("activation", "control_flow", "conv", "dense", "elementwise", "pool",
            "quantization", "recurrent", "reduce", "resize", "shape", "slicing",
            "space_batch")
_loaded = False


def kernel(*opcodes: str):
    """Registers the decorated function as the kernel of ``opcodes``."""
    def register(function):
        for opcode in opcodes:
            KERNELS[opcode] = function
        return function
    return register


def kernel_table() -> dict:
    global _loaded
    if not _loaded:
        for module in _MODULES:
            importlib.import_module(f"fluxion.lite.interpreter.kernels.{module}")
        _loaded = True
    return KERNELS


class OperatorCall:
    """One operator being run: its input arrays (None for omitted optional inputs),
    the file's ``TensorInfo`` of its inputs and outputs, and its options."""

    __slots__ = ("op", "inputs", "input_infos", "output_infos", "runner")

    def __init__(self, op, inputs, input_infos, output_infos, runner):
        self.op = op
        self.inputs = inputs
        self.input_infos = input_infos
        self.output_infos = output_infos
        self.runner = runner  # runs subgraphs and writes variable tensors

    def option(self, field: str, default=None):
        return self.op.options.get(field, default)

    def is_quantized(self, position: int = 0) -> bool:
        """Whether input ``position`` holds integers standing for reals."""
        info = self.input_infos[position]
        return info is not None and info.quantization is not None and \
            info.dtype.kind in "iu"

    def assign(self, position: int, value: np.ndarray) -> None:
        """Writes ``value`` into input ``position`` (a variable tensor: a recurrent state)."""
        self.runner.assign(self.op.inputs[position], value)

    def run_subgraph(self, index: int, arrays: list) -> list:
        return self.runner.run_subgraph(index, arrays)

    def error(self, reason: str) -> ValueError:
        return ValueError(f"operator {self.op.index} ({self.op.opcode}): {reason}")
