"""Rewriting expressions: calls, ``and``/``or``/``not``, conditional expressions.

- ``f(a, k=b)`` -> ``ag__.converted_call(f, (a,), {'k': b})``: user functions called
  from converted code are converted too, and builtins with a tensor meaning
  (``print``, ``len``, ``range``, ``int``...) get it;
- ``a and b`` -> ``ag__.and_(lambda: a, lambda: b)`` (lazy, as in Python; a tensor
  operand makes it a ``logical_and`` whose second half runs under ``cond``);
- ``not a`` -> ``ag__.not_(a)``; ``a if c else b`` -> ``ag__.if_exp(c, lambda: a,
  lambda: b)``;
- zero-argument ``super()`` -> ``super(__class__, self)``, since the converted body
  runs in nested functions whose first argument is not ``self``.
"""

from __future__ import annotations

import ast

from fluxion.graph.autograph.jumps import ag_call, name

# Calls that read or change the calling frame: wrapping them would change the frame.
_FRAME_CALLS = frozenset({"locals", "globals", "vars", "eval", "exec", "dir", "super"})


def _lambda(body: ast.expr) -> ast.Lambda:
    arguments = ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[],
                              kw_defaults=[], kwarg=None, defaults=[])
    return ast.Lambda(args=arguments, body=body)


def is_ag_call(node: ast.AST) -> bool:
    func = node.func if isinstance(node, ast.Call) else None
    while isinstance(func, ast.Attribute):
        func = func.value
    return isinstance(func, ast.Name) and func.id == "ag__"


class ExpressionConverter(ast.NodeTransformer):
    """Rewrites the expressions of one function scope (not nested function bodies)."""

    def __init__(self, self_name: str | None):
        self.self_name = self_name  # the first parameter, for super()

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        func = node.func
        if isinstance(func, ast.Name) and func.id == "super" and not node.args \
                and self.self_name is not None:
            node.args = [name("__class__"), name(self.self_name)]
            return node
        if isinstance(func, ast.Name) and func.id in _FRAME_CALLS or is_ag_call(node):
            return node
        keywords = None
        if node.keywords:
            keywords = ast.Dict(keys=[None if k.arg is None else ast.Constant(k.arg)
                                      for k in node.keywords],
                                values=[k.value for k in node.keywords])
        call = ag_call("converted_call", func, ast.Tuple(elts=node.args, ctx=ast.Load()),
                       keywords if keywords is not None else ast.Constant(None))
        return ast.copy_location(call, node)

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        function = "and_" if isinstance(node.op, ast.And) else "or_"
        return ast.copy_location(ag_call(function, *[_lambda(v) for v in node.values]), node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            return ast.copy_location(ag_call("not_", node.operand), node)
        return node

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        self.generic_visit(node)
        call = ag_call("if_exp", node.test, _lambda(node.body), _lambda(node.orelse))
        return ast.copy_location(call, node)

    # Nested scopes are converted by the statement converter, which knows their names.
    def visit_FunctionDef(self, node):
        return node

    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef
