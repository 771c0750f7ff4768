"""Which names a piece of Python code assigns, and which it reads.

The transformer turns each ``if``/``while``/``for`` into functions that take and return
the variables the statement may change ("state"): the names it *assigns* anywhere in
its body, nested statements included, but not inside nested function, lambda, class
or comprehension scopes (those names belong to the inner scope).
"""

from __future__ import annotations

import ast

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp,
           ast.SetComp, ast.DictComp, ast.GeneratorExp)


def target_names(target: ast.AST) -> list[str]:
    """The names bound by an assignment target (``a``, ``a, (b, *c)``)."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in target_names(element)]
    if isinstance(target, ast.Starred):
        return target_names(target.value)
    return []  # attributes and subscripts bind no name


def is_list_append(node: ast.stmt) -> bool:
    """Whether ``node`` is a statement ``name.append(value)``."""
    if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        return False
    call, func = node.value, node.value.func
    return (isinstance(func, ast.Attribute) and func.attr == "append"
            and isinstance(func.value, ast.Name) and len(call.args) == 1
            and not call.keywords and not isinstance(call.args[0], ast.Starred))


class _AssignedNames(ast.NodeVisitor):
    def __init__(self, appendable):
        self.names: list[str] = []
        self.appendable = appendable

    def add(self, names) -> None:
        for name in names:
            if name not in self.names:
                self.names.append(name)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self.add(target_names(target))
        self.visit(node.value)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.add(target_names(node.target))
        self.visit(node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.add(target_names(node.target))
            self.visit(node.value)

    def visit_Expr(self, node: ast.Expr) -> None:
        # `items.append(x)` is rewritten as `items = ag__.list_append(items, x)`.
        if is_list_append(node) and node.value.func.value.id in self.appendable:
            self.add([node.value.func.value.id])
        self.generic_visit(node)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.add(target_names(node.target))
        self.visit(node.value)

    def visit_For(self, node: ast.For) -> None:
        self.add(target_names(node.target))
        self.generic_visit(node)

    visit_AsyncFor = visit_For

    def visit_withitem(self, node: ast.withitem) -> None:
        if node.optional_vars is not None:
            self.add(target_names(node.optional_vars))
        self.visit(node.context_expr)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.add([node.name])
        for statement in node.body:
            self.visit(statement)

    def visit_Import(self, node: ast.Import) -> None:
        self.add([(alias.asname or alias.name).split(".")[0] for alias in node.names])

    visit_ImportFrom = visit_Import

    def visit_FunctionDef(self, node) -> None:
        self.add([node.name])  # the body is another scope

    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

    def visit_Lambda(self, node) -> None:
        """Names bound inside a lambda or a comprehension stay there: not this scope's."""

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_Lambda


def assigned_names(statements: list[ast.stmt], appendable=frozenset()) -> list[str]:
    """The names the statements assign, in first-assignment order.

    ``appendable``: local list variables whose ``name.append(x)`` statements count as
    assignments (the transformer rewrites them so).
    """
    visitor = _AssignedNames(appendable)
    for statement in statements:
        visitor.visit(statement)
    return visitor.names


def declared_names(function: ast.AST) -> set[str]:
    """Names a function declares ``global`` or ``nonlocal`` (not its own locals)."""
    found: set[str] = set()

    def walk(node):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Global, ast.Nonlocal)):
                found.update(child.names)
            elif not isinstance(child, _SCOPES):
                walk(child)

    walk(function)
    return found


def all_names(tree: ast.AST) -> set[str]:
    """Every identifier in ``tree`` (to pick generated names that collide with none)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def contains(statements, kinds: tuple, stop_at_loops: bool) -> bool:
    """Whether any statement holds a node of ``kinds`` in this function's scope.

    With ``stop_at_loops``, nested loops are not searched (``break`` and ``continue``
    there belong to the inner loop).
    """
    def search(node) -> bool:
        if isinstance(node, kinds):
            return True
        if isinstance(node, _SCOPES):
            return False
        if stop_at_loops and isinstance(node, (ast.For, ast.While, ast.AsyncFor)):
            # The loop's else clause runs in the enclosing loop's context.
            return any(search(s) for s in node.orelse)
        return any(search(child) for child in ast.iter_child_nodes(node))

    return any(search(statement) for statement in statements)
