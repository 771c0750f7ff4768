"""Python functions as ops: ``py_function`` and ``numpy_function``.

Eagerly the function is simply called (``py_function`` with tensors, so tapes record
what it does and gradients flow; ``numpy_function`` with NumPy arrays).  Inside a
traced function it becomes one stateful ``py_call`` node whose kernel calls the Python
function each time the graph runs.  ``py_call``'s gradient is another ``py_call``: it
re-runs the function under a ``GradientTape`` and returns the input gradients, so
``py_function`` is differentiable in graphs too.

The result's static shape is unknown while tracing: give ``Tout`` as ``TensorSpec`` s
to state it; otherwise each result is taken to have the first input's rank with every
dimension unknown (the shape of elementwise NumPy functions).
"""

from __future__ import annotations

import numpy as np

from fluxion.core import context, dtypes
from fluxion.core.primitive import Aval, bind
from fluxion.core.primitives.python_call import PythonCall, py_call_p, results_as_list
from fluxion.core.tensor import convert_to_tensor
from fluxion.core.tensor_spec import TensorSpec

__all__ = ["py_function", "numpy_function", "eager_py_func"]


def _tout_list(Tout) -> tuple[list, bool]:
    single = not isinstance(Tout, (list, tuple))
    return ([Tout] if single else list(Tout)), single


def _result_avals(specs: list, inputs: list) -> tuple:
    rank = len(inputs[0].shape) if inputs else 0
    avals = []
    for spec in specs:
        if isinstance(spec, TensorSpec) and spec.shape.rank is not None:
            avals.append(Aval(tuple(spec.shape.as_list()), spec.dtype))
        else:
            dtype = spec.dtype if isinstance(spec, TensorSpec) else dtypes.as_dtype(spec)
            avals.append(Aval((None,) * rank, dtype))
    return tuple(avals)


def _run(func, inp, Tout, tensors: bool, what: str):
    if not callable(func):
        raise TypeError(f"{what}: func must be callable, got {func!r}")
    inputs = [convert_to_tensor(x) for x in (inp if isinstance(inp, (list, tuple)) else [inp])]
    specs, single = _tout_list(Tout)
    tout = tuple(s.dtype if isinstance(s, TensorSpec) else dtypes.as_dtype(s) for s in specs)
    if context.tracer is None:
        args = inputs if tensors else [np.asarray(t._value) for t in inputs]
        result = results_as_list(func(*args), len(tout), func)
        outputs = [convert_to_tensor(r, dtype=d) for r, d in zip(result, tout)]
    else:
        outputs = list(bind(py_call_p, *inputs, call=PythonCall(func, tensors, tout),
                            avals=_result_avals(specs, inputs)))
    return outputs[0] if single else outputs


def py_function(func, inp, Tout, name=None):
    """Runs the Python function ``func`` on tensors as an op (``tf.py_function``).

    Args:
      func: takes tensors (eager), returns tensors or values convertible to them.
      inp: the list of input tensors.
      Tout: the result's dtype, or a list of dtypes (or ``TensorSpec`` s).

    Returns:
      A tensor, or a list of tensors when ``Tout`` is a list.  Differentiable.

    >>> import fluxion as tf
    >>> tf.py_function(lambda x: x * 2, [tf.constant(3.0)], tf.float32).numpy()
    6.0
    """
    return _run(func, inp, Tout, True, "py_function")


def eager_py_func(func, inp, Tout, name=None):
    """TF 1's name of ``py_function``."""
    return _run(func, inp, Tout, True, "eager_py_func")


def numpy_function(func, inp, Tout, stateful=True, name=None):
    """Runs ``func`` on NumPy arrays as an op (``tf.numpy_function``); not differentiable.

    >>> import fluxion as tf
    >>> import numpy as np
    >>> tf.numpy_function(np.cumsum, [tf.constant([1, 2, 3])], tf.int64).numpy()
    array([1, 3, 6])
    """
    return _run(func, inp, Tout, False, "numpy_function")
