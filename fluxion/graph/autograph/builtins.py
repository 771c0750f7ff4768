"""Python builtins with a tensor meaning in converted code (as TF's AutoGraph has them).

``converted_call`` replaces these builtins by the functions here; each does what the
builtin does on Python values and the tensor counterpart on tensors:

- ``print`` of a tensor prints its value every time the graph runs (``fluxion.print``,
  to ``sys.stdout`` like ``print``); with no tensor among its arguments it is Python's
  ``print``, which runs once, while tracing (TF's "print('Tracing')" idiom);
- ``len`` of a tensor whose first dimension is unknown is a traced ``shape(x)[0]``;
- ``range`` with a traced bound is a ``TensorRange`` that ``for`` loops over;
- ``int``, ``float`` and ``abs`` of a traced tensor cast it / take its absolute value;
- ``enumerate`` and ``zip`` of Datasets (inside a trace) are ``Dataset.enumerate`` /
  ``Dataset.zip``, so a ``for`` loop over them runs in the graph; ``enumerate`` of a
  traced tensor or range numbers the items of the ``while_loop``.
"""

from __future__ import annotations

import builtins
import sys

from fluxion.core.tensor import Tensor
from fluxion.graph.autograph import conditions


def _has_tensor(values) -> bool:
    return any(isinstance(conditions.read(v), Tensor) for v in values)


def print_(*objects, sep=" ", end="\n", file=None, flush=False):
    if not _has_tensor(objects) or not conditions.is_traced_context():
        return builtins.print(*objects, sep=sep, end=end, file=file, flush=flush)
    from fluxion.ops.logging_ops import print as graph_print

    values = [conditions.read(v) for v in objects]
    return graph_print(*values, output_stream=file if file is not None else sys.stdout,
                       sep=sep, end=end)


def len_(value):
    value = conditions.read(value)
    if isinstance(value, Tensor):
        if value.shape.rank == 0:
            raise TypeError("len() of a scalar (rank-0) tensor is undefined")
        if value.shape[0] is not None:
            return value.shape[0]
        from fluxion.ops.creation_ops import shape

        return shape(value)[0]
    return builtins.len(value)


def range_(*args):
    if any(conditions.is_traced(a) for a in args):
        from fluxion.graph.autograph.loops import TensorRange

        if len(args) == 1:
            return TensorRange(0, args[0], 1)
        if len(args) == 2:
            return TensorRange(args[0], args[1], 1)
        return TensorRange(*args)
    return builtins.range(*[_python_int(a) for a in args])


def _python_int(value):
    value = conditions.read(value)
    return int(value) if isinstance(value, Tensor) else value


def _cast_or(builtin, dtype_name: str):
    def convert(value=0, *args):
        read = conditions.read(value)
        if conditions.is_traced(read) and not args:
            from fluxion.core.primitives.elementwise import cast, not_equal

            if dtype_name == "bool":
                return not_equal(read, 0)
            return cast(read, dtype_name)
        return builtin(value, *args)

    convert.__name__ = f"{builtin.__name__}_"
    return convert


int_ = _cast_or(builtins.int, "int32")
float_ = _cast_or(builtins.float, "float32")


def abs_(value):
    read = conditions.read(value)
    if isinstance(read, Tensor):
        from fluxion.core.primitives.elementwise import abs_ as tensor_abs

        return tensor_abs(read)
    return builtins.abs(value)


def enumerate_(iterable, start=0):
    iterable = conditions.read(iterable)
    if conditions.is_traced_context() and conditions.is_dataset(iterable):
        return iterable.enumerate(start)
    from fluxion.graph.autograph.loops import Enumerated, TensorRange

    if isinstance(iterable, TensorRange) or conditions.is_traced(iterable):
        return Enumerated(iterable, start)
    return builtins.enumerate(iterable, start)


def zip_(*iterables, strict=False):
    if conditions.is_traced_context() and iterables and \
            all(conditions.is_dataset(i) for i in iterables):
        return type(iterables[0]).zip(tuple(iterables))
    return builtins.zip(*iterables, strict=strict)


REPLACEMENTS = {builtins.print: print_, builtins.len: len_, builtins.range: range_,
                builtins.int: int_, builtins.float: float_, builtins.abs: abs_,
                builtins.enumerate: enumerate_, builtins.zip: zip_}
