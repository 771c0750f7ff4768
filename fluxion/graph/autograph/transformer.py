"""The source transformer: a function's AST in, its AutoGraph form out.

After jumps are lowered (``jumps``), each ``if``, ``while`` and ``for`` becomes a call
of a runtime operator (``operators``) with the statement's parts as functions of the
variables the statement may change, its *state*::

    if x > 0:                          def if_body_1(y):
        y = x                              y = x
    else:                      ->          return (y,)
        y = -x                         def else_body_1(y):
                                           y = -x
                                           return (y,)
                                       y = ag__.Undefined('y')
                                       (y,) = ag__.if_stmt(x > 0, if_body_1, else_body_1,
                                                           (y,), ('y',))

The operator runs the statement as Python when the condition is a Python value (or a
concrete tensor) and builds ``cond`` / ``while_loop`` when it is a traced tensor.  A
state variable not yet assigned gets an ``Undefined`` placeholder, which names the
variable if it is used while still undefined.  Every generated node carries the line
of the user's statement it came from, so tracebacks and errors name the user's line.
"""

from __future__ import annotations

import ast

from fluxion.graph.autograph.expressions import ExpressionConverter
from fluxion.graph.autograph.jumps import ag_call, assign, lower_function, name
from fluxion.graph.autograph.scopes import (
    all_names,
    assigned_names,
    is_list_append,
    target_names,
)


class Namer:
    """Fresh identifiers that collide with no name in the function."""

    def __init__(self, taken: set[str]):
        self.taken = set(taken)
        self.counts: dict[str, int] = {}

    def __call__(self, base: str) -> str:
        candidate = base
        while candidate in self.taken:
            self.counts[base] = self.counts.get(base, 0) + 1
            candidate = f"{base}_{self.counts[base]}"
        self.taken.add(candidate)
        return candidate


def _arguments(names: list[str]) -> ast.arguments:
    return ast.arguments(posonlyargs=[], args=[ast.arg(arg=n) for n in names], vararg=None,
                         kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])


def _tuple(names: list[str], store: bool = False) -> ast.Tuple:
    return ast.Tuple(elts=[name(n, store) for n in names],
                     ctx=ast.Store() if store else ast.Load())


def _strings(names: list[str]) -> ast.Tuple:
    return ast.Tuple(elts=[ast.Constant(n) for n in names], ctx=ast.Load())


def _is_loop_options(statement: ast.stmt) -> bool:
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return False
    func = statement.value.func
    return (isinstance(func, ast.Attribute) and func.attr == "set_loop_options") or \
        (isinstance(func, ast.Name) and func.id == "set_loop_options")


class FunctionConverter:
    """Converts one function definition (and the functions nested in it)."""

    def __init__(self, namer: Namer):
        self.namer = namer
        self.declared: dict[str, str] = {}  # name -> "global" / "nonlocal"
        self.self_name: str | None = None
        self.locals: set[str] = set()  # the function's own variables (append rewrites them)

    # --- functions ---------------------------------------------------------------------------
    def function(self, node: ast.FunctionDef) -> ast.FunctionDef:
        saved = self.declared, self.self_name
        self.declared = {}
        for statement in ast.walk(node):
            if isinstance(statement, (ast.Global, ast.Nonlocal)):
                kind = "global" if isinstance(statement, ast.Global) else "nonlocal"
                self.declared.update(dict.fromkeys(statement.names, kind))
        positional = node.args.posonlyargs + node.args.args
        self.self_name = positional[0].arg if positional else None
        params = [a.arg for a in positional + node.args.kwonlyargs]
        params += [a.arg for a in (node.args.vararg, node.args.kwarg) if a is not None]
        lower_function(node, self.namer)
        saved_locals = self.locals
        self.locals = (set(params) | set(assigned_names(node.body))) - set(self.declared)
        self._expressions(node.args)
        node.decorator_list = [self._expressions(d) for d in node.decorator_list]
        node.body = self.block(node.body, set(params)) or [ast.Pass()]
        self.declared, self.self_name = saved
        self.locals = saved_locals
        return node

    def _expressions(self, node):
        return ExpressionConverter(self.self_name).visit(node)

    # --- blocks ------------------------------------------------------------------------------
    def block(self, statements: list[ast.stmt], bound: set[str]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for statement in statements:
            new = self.statement(statement, bound)
            for item in new:
                ast.copy_location(item, statement)
                for child in ast.walk(item):
                    if not hasattr(child, "lineno") and "lineno" in child._attributes:
                        ast.copy_location(child, statement)
            out.extend(new)
        return out

    def statement(self, node: ast.stmt, bound: set[str]) -> list[ast.stmt]:
        if isinstance(node, ast.If):
            return self.if_statement(node, bound)
        if isinstance(node, ast.While):
            return self.while_statement(node, bound)
        if isinstance(node, ast.For):
            return self.for_statement(node, bound)
        if isinstance(node, (ast.FunctionDef,)):
            bound.add(node.name)
            return [self.function(node)]
        if isinstance(node, (ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
            return [node]
        if isinstance(node, ast.With):
            for item in node.items:
                item.context_expr = self._expressions(item.context_expr)
            bound.update(assigned_names([ast.With(items=node.items, body=[])]))
            node.body = self.block(node.body, bound) or [ast.Pass()]
            return [node]
        if isinstance(node, ast.Try):
            node.body = self.block(node.body, bound) or [ast.Pass()]
            for handler in node.handlers:
                if handler.type is not None:
                    handler.type = self._expressions(handler.type)
                if handler.name:
                    bound.add(handler.name)
                handler.body = self.block(handler.body, bound) or [ast.Pass()]
            node.orelse = self.block(node.orelse, bound)
            node.finalbody = self.block(node.finalbody, bound)
            return [node]
        if isinstance(node, ast.Return) and node.value is not None:
            node.value = ag_call("return_value", self._expressions(node.value))
            return [node]
        append = self._list_append(node)
        if append is not None:
            node = append
        bound.update(assigned_names([node], self.locals))
        return [self._expressions(node)]

    def _list_append(self, node: ast.stmt) -> ast.stmt | None:
        """``items.append(x)`` -> ``items = ag__.list_append(items, x)`` for local ``items``.

        A list from outside the function (a closure, a global) is appended to as is.
        """
        if not is_list_append(node) or node.value.func.value.id not in self.locals:
            return None
        target = node.value.func.value.id
        return assign(target, ag_call("list_append", name(target), node.value.args[0]))

    # --- state --------------------------------------------------------------------------------
    def _state(self, statements: list[ast.stmt]) -> list[str]:
        return [n for n in assigned_names(statements, self.locals) if n not in self.declared]

    def _undefined(self, state: list[str], bound: set[str]) -> list[ast.stmt]:
        inits = [assign(n, ag_call("Undefined", ast.Constant(n))) for n in state
                 if n not in bound]
        bound.update(state)
        return inits

    def _state_function(self, function_name: str, params: list[str], body: list[ast.stmt],
                        returns: list[str] | None) -> ast.FunctionDef:
        """``def function_name(*params): body; return (returns)``."""
        statements = []
        for kind, node_type in (("global", ast.Global), ("nonlocal", ast.Nonlocal)):
            names = [n for n in assigned_names(body, self.locals)
                     if self.declared.get(n) == kind]
            if names:
                statements.append(node_type(names=names))
        statements += body
        if returns is not None:
            statements.append(ast.Return(value=_tuple(returns)))
        return ast.FunctionDef(name=function_name, args=_arguments(params),
                               body=statements or [ast.Pass()], decorator_list=[],
                               returns=None, type_comment=None)

    def _bind_result(self, state: list[str], call: ast.Call) -> ast.stmt:
        if not state:
            return ast.Expr(value=call)
        return ast.Assign(targets=[_tuple(state, store=True)], value=call)

    # --- if ------------------------------------------------------------------------------------
    def if_statement(self, node: ast.If, bound: set[str]) -> list[ast.stmt]:
        test = self._expressions(node.test)
        state = self._state(node.body + node.orelse)
        inits = self._undefined(state, bound)
        body_name, else_name = self.namer("if_body"), self.namer("else_body")
        body = self._state_function(body_name, state, self.block(node.body, set(state)),
                                    state)
        orelse = self._state_function(else_name, state, self.block(node.orelse, set(state)),
                                      state)
        call = ag_call("if_stmt", test, name(body_name), name(else_name), _tuple(state),
                       _strings(state))
        return inits + [body, orelse, self._bind_result(state, call)]

    # --- loops ---------------------------------------------------------------------------------
    def _loop_options(self, node) -> ast.expr:
        options = [s for s in node.body if _is_loop_options(s)]
        node.body = [s for s in node.body if not _is_loop_options(s)] or [ast.Pass()]
        if not options:
            return ast.Constant(None)
        call = options[-1].value
        return ag_call("loop_options", *[self._expressions(a) for a in call.args]) if \
            not call.keywords else ast.Call(
                func=ast.Attribute(value=name("ag__"), attr="loop_options", ctx=ast.Load()),
                args=[self._expressions(a) for a in call.args],
                keywords=[ast.keyword(arg=k.arg, value=self._expressions(k.value))
                          for k in call.keywords])

    def while_statement(self, node: ast.While, bound: set[str]) -> list[ast.stmt]:
        options = self._loop_options(node)
        state = self._state(node.body)
        inits = self._undefined(state, bound)
        test_name, body_name = self.namer("loop_test"), self.namer("loop_body")
        test = self._state_function(test_name, state, [], None)
        test.body = [ast.Return(value=self._expressions(node.test))]
        body = self._state_function(body_name, state, self.block(node.body, set(state)),
                                    state)
        call = ag_call("while_stmt", name(test_name), name(body_name), _tuple(state),
                       _strings(state), options)
        return inits + [test, body, self._bind_result(state, call)]

    def for_statement(self, node: ast.For, bound: set[str]) -> list[ast.stmt]:
        options = self._loop_options(node)
        iterable = self._expressions(node.iter)
        state = self._state([node])
        inits = self._undefined(state, bound)
        body_name, iterate = self.namer("loop_body"), self.namer("itr")
        unpack = ast.Assign(targets=[node.target], value=name(iterate))
        ast.copy_location(unpack, node)
        body_statements = self.block([unpack] + node.body, set(state) | {iterate})
        body = self._state_function(body_name, [iterate] + state, body_statements, state)
        definitions = [body]
        extra = getattr(node, "ag_extra_test", None)
        extra_test = ast.Constant(None)
        if extra is not None:
            extra_name = self.namer("extra_test")
            function = self._state_function(extra_name, state, [], None)
            function.body = [ast.Return(value=self._expressions(extra))]
            definitions.insert(0, function)
            extra_test = name(extra_name)
        call = ag_call("for_stmt", iterable, extra_test, name(body_name), _tuple(state),
                       _strings(state), options)
        return inits + definitions + [self._bind_result(state, call)]


def convert_function_tree(function: ast.FunctionDef) -> ast.FunctionDef:
    """Converts a parsed function definition in place and returns it."""
    namer = Namer(all_names(function))
    function.decorator_list = []
    converter = FunctionConverter(namer)
    return converter.function(function)


__all__ = ["convert_function_tree", "target_names"]
