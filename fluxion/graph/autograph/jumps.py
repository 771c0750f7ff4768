"""Lowering ``return``, ``break`` and ``continue`` into flags, before control flow.

A loop that becomes a ``while_loop`` cannot jump out of its body, and a branch that
becomes a ``cond`` cannot return from the function.  So, as TF's AutoGraph does, jumps
become assignments to flags, and what follows a jump runs only while the flag is off::

    while x < n:                     break_ = False
        if x > 5:                    while not break_ and x < n:
            break            ->          if x > 5:
        x = x * 2                            break_ = True
                                         if not break_:
                                             x = x * 2

``return v`` becomes ``retval_ = v; do_return = True``; every loop containing it also
stops on ``do_return``, and the function ends with ``return retval_``.  A loop's
``else`` clause becomes ``if not break_: ...`` after the loop.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from fluxion.graph.autograph.scopes import contains

_LOOPS = (ast.While, ast.For)


def name(identifier: str, store: bool = False) -> ast.Name:
    return ast.Name(id=identifier, ctx=ast.Store() if store else ast.Load())


def assign(identifier: str, value: ast.expr) -> ast.Assign:
    return ast.Assign(targets=[name(identifier, store=True)], value=value)


def ag_call(function: str, *args: ast.expr) -> ast.Call:
    """``ag__.function(*args)``."""
    return ast.Call(func=ast.Attribute(value=name("ag__"), attr=function, ctx=ast.Load()),
                    args=list(args), keywords=[])


def none_of(flags: list[str]) -> ast.expr:
    """``not (flag1 or flag2 ...)``."""
    operand = name(flags[0]) if len(flags) == 1 else \
        ast.BoolOp(op=ast.Or(), values=[name(f) for f in flags])
    return ast.UnaryOp(op=ast.Not(), operand=operand)


@dataclass
class _Context:
    do_return: str | None = None  # flag set by `return` (None: returns are not lowered)
    retval: str | None = None
    break_flag: str | None = None  # of the innermost loop
    continue_flag: str | None = None


def needs_return_lowering(body: list[ast.stmt]) -> bool:
    """Returns need flags unless the only one is the last top-level statement."""
    for index, statement in enumerate(body):
        last = index == len(body) - 1
        if isinstance(statement, ast.Return):
            if not last:
                return True
        elif contains([statement], (ast.Return,), stop_at_loops=False):
            return True
    return False


def lower_function(function: ast.FunctionDef, namer) -> None:
    """Rewrites ``function``'s body in place so that no jump crosses a statement."""
    context = _Context()
    prologue, epilogue = [], []
    if needs_return_lowering(function.body):
        context.do_return, context.retval = namer("do_return"), namer("retval_")
        prologue = [assign(context.do_return, ast.Constant(False)),
                    assign(context.retval, ag_call("UndefinedReturnValue"))]
        epilogue = [ast.Return(value=name(context.retval))]
    body = _block(function.body, context, namer)
    function.body = prologue + body + epilogue or [ast.Pass()]


def _flags_set_by(statement: ast.stmt, context: _Context) -> list[str]:
    flags = []
    if context.do_return and contains([statement], (ast.Return,), stop_at_loops=False):
        flags.append(context.do_return)
    if context.break_flag and contains([statement], (ast.Break,), stop_at_loops=True):
        flags.append(context.break_flag)
    if context.continue_flag and contains([statement], (ast.Continue,), stop_at_loops=True):
        flags.append(context.continue_flag)
    return flags


def _block(statements: list[ast.stmt], context: _Context, namer) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for index, statement in enumerate(statements):
        if isinstance(statement, ast.Return) and context.do_return:
            value = statement.value if statement.value is not None else ast.Constant(None)
            out += [ast.copy_location(assign(context.retval, value), statement),
                    ast.copy_location(assign(context.do_return, ast.Constant(True)),
                                      statement)]
            return out  # what follows a jump never runs
        if isinstance(statement, ast.Break) and context.break_flag:
            out.append(ast.copy_location(assign(context.break_flag, ast.Constant(True)),
                                         statement))
            return out
        if isinstance(statement, ast.Continue) and context.continue_flag:
            out.append(ast.copy_location(assign(context.continue_flag, ast.Constant(True)),
                                         statement))
            return out
        flags = _flags_set_by(statement, context)  # before lowering removes the jumps
        out.extend(_statement(statement, context, namer))
        rest = statements[index + 1:]
        if flags and rest:
            guarded = _block(rest, context, namer)
            if guarded:
                out.append(ast.copy_location(
                    ast.If(test=none_of(flags), body=guarded, orelse=[]), rest[0]))
            return out
    return out


def _statement(statement: ast.stmt, context: _Context, namer) -> list[ast.stmt]:
    if isinstance(statement, _LOOPS):
        return _loop(statement, context, namer)
    if isinstance(statement, ast.If):
        statement.body = _block(statement.body, context, namer) or [ast.Pass()]
        statement.orelse = _block(statement.orelse, context, namer)
    elif isinstance(statement, ast.With):
        statement.body = _block(statement.body, context, namer) or [ast.Pass()]
    elif isinstance(statement, ast.Try):
        statement.body = _block(statement.body, context, namer) or [ast.Pass()]
        for handler in statement.handlers:
            handler.body = _block(handler.body, context, namer) or [ast.Pass()]
        statement.orelse = _block(statement.orelse, context, namer)
        statement.finalbody = _block(statement.finalbody, context, namer)
    return [statement]


def _loop(loop, context: _Context, namer) -> list[ast.stmt]:
    has_break = contains(loop.body, (ast.Break,), stop_at_loops=True)
    has_continue = contains(loop.body, (ast.Continue,), stop_at_loops=True)
    returns = bool(context.do_return) and contains(loop.body, (ast.Return,), False)
    inner = _Context(context.do_return, context.retval,
                     namer("break_") if has_break else None,
                     namer("continue_") if has_continue else None)
    body = _block(loop.body, inner, namer)
    if inner.continue_flag:
        body.insert(0, ast.copy_location(assign(inner.continue_flag, ast.Constant(False)),
                                         loop))
    loop.body = body or [ast.Pass()]
    stops = [flag for flag in (inner.break_flag, context.do_return if returns else None)
             if flag]
    before = [ast.copy_location(assign(inner.break_flag, ast.Constant(False)), loop)] \
        if inner.break_flag else []
    if stops and isinstance(loop, ast.While):
        loop.test = ast.BoolOp(op=ast.And(), values=[none_of(stops), loop.test])
    elif stops:
        loop.ag_extra_test = none_of(stops)  # read by the control-flow transformer
    orelse = _block(loop.orelse, context, namer)
    loop.orelse = []
    after = orelse
    if orelse and stops:
        after = [ast.copy_location(ast.If(test=none_of(stops), body=orelse, orelse=[]),
                                   loop)]
    return before + [loop] + after
