"""``fluxion.print``: printing that happens when the op runs, in eager code and in graphs.

Python's ``print`` inside a traced function runs once, at trace time; ``fluxion.print``
is a stateful primitive, so inside ``fluxion.function`` it prints on every call.
"""

from __future__ import annotations

import sys

from fluxion.core.primitive import bind
from fluxion.core.primitives.state import print_p
from fluxion.core.tensor import convert_to_tensor as _convert
from fluxion.core.tensor import is_tensor

__all__ = ["print"]


def print(*inputs, output_stream=sys.stderr, sep: str = " ", end: str = "\n",  # noqa: A001
          summarize: int | None = None, name=None):
    """Prints tensors and Python values (``tf.print``), on every call of a traced function.

    Args:
      *inputs: tensors and other values, printed separated by ``sep``.
      output_stream: ``sys.stderr`` (default, as in TF) or ``sys.stdout``.
      end: appended after the last value.

    >>> import fluxion as tf
    >>> tf.print("sum:", tf.reduce_sum([1, 2, 3]), output_stream=sys.stdout)
    sum: 6
    """
    tensors, template = [], []
    for item in inputs:
        if is_tensor(item):
            template.append(len(tensors))
            tensors.append(_convert(item))
        else:
            template.append(str(item))
    stream = "stdout" if output_stream is sys.stdout else "stderr"
    return bind(print_p, *tensors, template=tuple(template), sep=sep, output_stream=stream,
                end=end)
