"""The ``tf`` export slot: the TensorFlow op type a node of each primitive shows.

A TF 1 graph (``fluxion.graph.v1``) names each node's op after it (``MatMul``,
``ReadVariableOp``; Python operators keep TensorFlow's lower-case names: ``add``,
``truediv``), and ``Operation.type`` returns it.  Primitives not listed here show their
name in CamelCase.  The TF 1 surface is part of the engine, so the engine fills this
slot itself, here, the way an exporter package fills its own format's slot.
"""

from __future__ import annotations

from fluxion.core.primitive import register_export

TF_OP_TYPES = {
    "add": "add", "sub": "sub", "mul": "mul", "div": "truediv", "floordiv": "floordiv",
    "pow": "pow", "neg": "Neg", "matmul": "MatMul", "getitem": "strided_slice",
    "less": "Less", "greater": "Greater", "less_equal": "LessEqual",
    "greater_equal": "GreaterEqual", "equal": "Equal", "not_equal": "NotEqual",
    "logical_and": "LogicalAnd", "logical_or": "LogicalOr", "logical_not": "LogicalNot",
    "abs": "Abs", "exp": "Exp", "log": "Log", "sqrt": "Sqrt", "square": "Square",
    "tanh": "Tanh", "relu": "Relu", "reduce_sum": "Sum",
    "reduce_max": "Max", "reduce_min": "Min", "reduce_prod": "Prod", "argmax": "ArgMax",
    "argmin": "ArgMin", "cast": "Cast", "reshape": "Reshape", "transpose": "transpose",
    "read_variable": "ReadVariableOp",
    "assign_variable": "AssignVariableOp",
}


for _name, _op_type in TF_OP_TYPES.items():
    register_export("tf", _name, _op_type)
