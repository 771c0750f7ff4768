"""ONNX for the elementwise primitives: arithmetic, comparisons, logic, unary math,
``cast``, ``select`` (Where) and ``fill_like``.

ONNX's elementwise operators broadcast as NumPy does, so most primitives are one node.
Operands are brought to the dtype the primitive computes in (a constant is stored in
it, a run-time tensor of another dtype gets a Cast), because ONNX, unlike Fluxion's
weakly typed scalars, requires equal input types.
"""

from __future__ import annotations

import numpy as np

from fluxion.onnx.mappings import lowers

_ARITHMETIC = {"add": "Add", "sub": "Sub", "mul": "Mul", "div": "Div", "maximum": "Max",
               "minimum": "Min", "pow": "Pow", "bitwise_and": "BitwiseAnd",
               "bitwise_or": "BitwiseOr", "bitwise_xor": "BitwiseXor"}
_COMPARISONS = {"equal": "Equal", "less": "Less", "less_equal": "LessOrEqual",
                "greater": "Greater", "greater_equal": "GreaterOrEqual",
                "logical_and": "And", "logical_or": "Or", "logical_xor": "Xor"}
_UNARY = {"neg": "Neg", "abs": "Abs", "sign": "Sign", "exp": "Exp", "log": "Log",
          "sqrt": "Sqrt", "reciprocal": "Reciprocal", "sin": "Sin", "cos": "Cos",
          "tan": "Tan", "asin": "Asin", "acos": "Acos", "atan": "Atan", "sinh": "Sinh",
          "cosh": "Cosh", "tanh": "Tanh", "asinh": "Asinh", "acosh": "Acosh",
          "atanh": "Atanh", "erf": "Erf", "floor": "Floor", "ceil": "Ceil",
          "round": "Round", "logical_not": "Not", "is_nan": "IsNaN"}


def _operand_dtype(node) -> np.dtype:
    """The dtype a binary primitive computes in: its first run-time operand's."""
    for value in node.inputs:
        if not value.is_constant:
            return value.aval.dtype.np_dtype
    return node.inputs[0].aval.dtype.np_dtype


@lowers(*_ARITHMETIC)
def lower_arithmetic(ctx, node):
    dtype = ctx.dtype()
    if node.prim.name.startswith("bitwise") and ctx.opset < 18:
        raise ctx.unsupported("needs ONNX's bitwise operators, from opset 18 (export with "
                              "opset=18 or later)")
    return ctx.emit(_ARITHMETIC[node.prim.name], ctx.inputs(dtype))


@lowers(*_COMPARISONS)
def lower_comparison(ctx, node):
    return ctx.emit(_COMPARISONS[node.prim.name], ctx.inputs(_operand_dtype(node)))


@lowers("not_equal")
def lower_not_equal(ctx, node):
    return ctx.emit("Not", [ctx.emit("Equal", ctx.inputs(_operand_dtype(node)))])


@lowers("floordiv", "floormod")
def lower_floor_division(ctx, node):
    """Python's floor division and modulo (the remainder takes the divisor's sign)."""
    dtype = ctx.dtype()
    a, b = ctx.inputs(dtype)
    if np.issubdtype(dtype, np.integer):
        remainder = ctx.emit("Mod", [a, b], "remainder", fmod=0)  # the divisor's sign
        if node.prim.name == "floormod":
            return remainder
        return ctx.emit("Div", [ctx.emit("Sub", [a, remainder]), b])  # exact
    quotient = ctx.emit("Floor", [ctx.emit("Div", [a, b])])
    if node.prim.name == "floordiv":
        return quotient
    return ctx.emit("Sub", [a, ctx.emit("Mul", [quotient, b])])


@lowers(*_UNARY)
def lower_unary(ctx, node):
    return ctx.emit(_UNARY[node.prim.name], ctx.inputs())


@lowers("square")
def lower_square(ctx, node):
    x = ctx.name(node.inputs[0])
    return ctx.emit("Mul", [x, x])


@lowers("rsqrt")
def lower_rsqrt(ctx, node):
    return ctx.emit("Reciprocal", [ctx.emit("Sqrt", ctx.inputs())])


@lowers("expm1", "log1p")
def lower_expm1_log1p(ctx, node):
    """exp(x) - 1 and log(1 + x): ONNX has neither as one operator."""
    one = ctx.constant(np.asarray(1, ctx.dtype()), "one")
    x = ctx.name(node.inputs[0])
    if node.prim.name == "expm1":
        return ctx.emit("Sub", [ctx.emit("Exp", [x]), one])
    return ctx.emit("Log", [ctx.emit("Add", [x, one])])


@lowers("invert")
def lower_invert(ctx, node):
    if ctx.opset < 18:
        raise ctx.unsupported("needs ONNX's BitwiseNot, from opset 18 (export with "
                              "opset=18 or later)")
    return ctx.emit("BitwiseNot", ctx.inputs())


@lowers("is_inf")
def lower_is_inf(ctx, node):
    return ctx.emit("IsInf", ctx.inputs())


@lowers("is_finite")
def lower_is_finite(ctx, node):
    x = ctx.name(node.inputs[0])
    not_finite = ctx.emit("Or", [ctx.emit("IsInf", [x]), ctx.emit("IsNaN", [x])])
    return ctx.emit("Not", [not_finite])


@lowers("identity", "stop_gradient")
def lower_identity(ctx, node):
    return ctx.name(node.inputs[0])


@lowers("cast")
def lower_cast(ctx, node):
    return ctx.cast(ctx.name(node.inputs[0]), ctx.dtype())


@lowers("select")
def lower_select(ctx, node):
    condition, x, y = node.inputs
    dtype = ctx.dtype()
    return ctx.emit("Where", [ctx.name(condition, np.bool_), ctx.name(x, dtype),
                              ctx.name(y, dtype)])


@lowers("fill_like")
def lower_fill_like(ctx, node):
    """A tensor shaped like the input, every element ``value``: ConstantOfShape over the
    input's Shape (the batch stays dynamic)."""
    from onnx import numpy_helper

    shape = ctx.emit("Shape", [ctx.name(node.inputs[0])])
    value = numpy_helper.from_array(np.asarray([node.attrs["value"]], ctx.dtype()))
    return ctx.emit("ConstantOfShape", [shape], value=value)
