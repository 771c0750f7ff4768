"""ONNX for reading a variable: the file stores the variable's value at export time as
an initializer named after the variable's path (``dense/kernel``), so the operators
reading it see a constant and fold with it (a layout change of a kernel is done here,
not in the file)."""

from __future__ import annotations

from fluxion.onnx.lowering import Known
from fluxion.onnx.mappings import lowers


@lowers("read_variable")
def lower_read_variable(ctx, node):
    variable = node.attrs["variable"].deref()
    path = getattr(variable, "path", None) or getattr(variable, "name", None)
    return Known(variable.numpy(), str(path).split(":")[0] if path else None)
