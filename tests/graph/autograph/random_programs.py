"""A generator of random Python programs with tensor-dependent control flow.

Each program is the source of ``def prog(x, y, n, vec):`` over float32 scalars ``x``,
``y``, an int32 scalar ``n`` and a float32 vector ``vec``: ``if``/``elif``/``else``,
``while`` and ``for`` (over ``range`` with a tensor bound, over ``tf.range``, over a
tensor, over a Python ``range``), nested, with ``break``, ``continue``, ``return``
inside them, ``and``/``or``/``not`` conditions, list appends and Python-valued
conditions.  Values stay bounded (updates go through ``tanh`` or shrink), every
loop is bounded, and every variable is assigned before any branch reads it, so a
program means the same eagerly and traced.
"""

from __future__ import annotations

import random

FLOATS = ("a", "b", "c")


class ProgramGenerator:
    def __init__(self, seed: int, appends: bool = True):
        self.random = random.Random(seed)
        self.appends = appends
        self.loop_counter = 0
        self.lines: list[str] = []

    # --- expressions ----------------------------------------------------------------------
    def float_expr(self, loop_vars: list[str]) -> str:
        r = self.random
        v, w = r.choice(FLOATS), r.choice(FLOATS)
        choice = r.randrange(6)
        if choice == 0:
            return f"tf.tanh({v} * {r.uniform(-1.5, 1.5):.2f} + {w} * {r.uniform(-1, 1):.2f})"
        if choice == 1:
            return f"{v} * 0.5 + {w} * 0.25"
        if choice == 2:
            return f"tf.sin({v}) * 0.8"
        if choice == 3 and loop_vars:
            return f"{v} * 0.6 + tf.cast({r.choice(loop_vars)}, tf.float32) * 0.05"
        if choice == 4:
            return f"{v} * 0.7 + tf.cast(k, tf.float32) * 0.01"
        return f"{v} * {w} * 0.9"

    def condition(self, loop_vars: list[str], depth: int = 0) -> str:
        r = self.random
        choice = r.randrange(8)
        if choice == 0 and depth < 1:
            return f"({self.condition(loop_vars, 1)}) and ({self.condition(loop_vars, 1)})"
        if choice == 1 and depth < 1:
            return f"({self.condition(loop_vars, 1)}) or ({self.condition(loop_vars, 1)})"
        if choice == 2 and depth < 1:
            return f"not ({self.condition(loop_vars, 1)})"
        if choice == 3:
            return f"p > {r.randrange(3)}"  # a Python condition: stays Python
        if choice == 4:
            return f"k % 3 == {r.randrange(3)}"
        if choice == 5 and loop_vars:
            return f"{r.choice(loop_vars)} > {r.randrange(3)}"
        v, w = r.choice(FLOATS), r.choice(FLOATS)
        return f"{v} {r.choice(['>', '<'])} {w} + {r.uniform(-0.5, 0.5):.2f}"

    # --- statements -----------------------------------------------------------------------
    def emit(self, indent: int, text: str) -> None:
        self.lines.append("    " * indent + text)

    def block(self, indent: int, depth: int, loop_vars: list[str], in_loop: bool) -> None:
        for _ in range(self.random.randint(1, 3)):
            self.statement(indent, depth, loop_vars, in_loop)

    def statement(self, indent: int, depth: int, loop_vars: list[str], in_loop: bool,
                  kind: str | None = None) -> None:
        r = self.random
        kinds = ["assign", "assign", "int", "python"]
        if depth < 3:
            kinds += ["if", "if", "while", "for"]
        if in_loop:
            kinds += ["jump", "append"] if self.appends else ["jump"]
        kinds += ["return"] if r.random() < 0.3 else []
        kind = kind or r.choice(kinds)
        if kind == "assign":
            self.emit(indent, f"{r.choice(FLOATS)} = {self.float_expr(loop_vars)}")
        elif kind == "int":
            self.emit(indent, r.choice(["k = k + 1", "k = (k * 2 + 1) % 7", "k = k - 1"]))
        elif kind == "python":
            self.emit(indent, "p = p + 1")
        elif kind == "append":
            self.emit(indent, f"acc.append({r.choice(FLOATS)})")
        elif kind == "return":
            self.emit(indent, f"if {self.condition(loop_vars)}:")
            self.emit(indent + 1, f"return {r.choice(FLOATS)} * 2.0 + c, k")
        elif kind == "jump":
            self.emit(indent, f"if {self.condition(loop_vars)}:")
            self.emit(indent + 1, r.choice(["break", "continue"]))
        elif kind == "if":
            self.emit(indent, f"if {self.condition(loop_vars)}:")
            self.block(indent + 1, depth + 1, loop_vars, in_loop)
            if r.random() < 0.4:
                self.emit(indent, f"elif {self.condition(loop_vars)}:")
                self.block(indent + 1, depth + 1, loop_vars, in_loop)
            if r.random() < 0.6:
                self.emit(indent, "else:")
                self.block(indent + 1, depth + 1, loop_vars, in_loop)
        elif kind == "while":
            self.loop_counter += 1
            counter = f"i{self.loop_counter}"
            bound = r.choice(["n", "3"])
            self.emit(indent, f"{counter} = 0")
            extra = f" and ({self.condition(loop_vars)})" if r.random() < 0.4 else ""
            self.emit(indent, f"while {counter} < {bound}{extra}:")
            self.emit(indent + 1, f"{counter} += 1")  # first: `continue` cannot skip it
            self.block(indent + 1, depth + 1, loop_vars + [counter], True)
        else:
            self.loop_counter += 1
            target = f"j{self.loop_counter}"
            iterable = r.choice(["range(n)", "tf.range(3)", "range(2)", "vec", "range(1, n)"])
            self.emit(indent, f"for {target} in {iterable}:")
            numeric = [target] if iterable != "vec" else []
            if iterable == "vec":
                self.emit(indent + 1, f"c = c * 0.5 + {target} * 0.1")
            self.block(indent + 1, depth + 1, loop_vars + numeric, True)

    def program(self) -> str:
        self.lines = ["def prog(x, y, n, vec):",
                      "    a = x", "    b = y", "    c = tf.constant(0.0)",
                      "    k = 0", "    p = 0", "    acc = [x]"]
        self.statement(1, 0, [], False, self.random.choice(["if", "while", "for"]))
        self.block(1, 0, [], False)
        self.emit(1, "return a + b + c + tf.reduce_sum(tf.stack(acc)) * 0.1, k")
        return "\n".join(self.lines) + "\n"


def generate(seed: int, appends: bool = True) -> str:
    """A program; ``appends=False`` leaves out list appends in loops."""
    return ProgramGenerator(seed, appends).program()
