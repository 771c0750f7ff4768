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
from fluxion.core.primitive import Aval, bind, define
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.core.tensor_spec import TensorSpec

__all__ = ["py_function", "numpy_function", "eager_py_func"]


class _PythonCall:
    """The Python function of a ``py_call`` node, with how to pass its arguments."""

    def __init__(self, func, tensors: bool, tout: tuple):
        self.func = func
        self.tensors = tensors  # py_function passes Tensors, numpy_function arrays
        self.tout = tout

    def __call__(self, *arrays) -> tuple:
        args = [Tensor(np.asarray(a)) for a in arrays] if self.tensors else list(arrays)
        saved = context.tapes
        context.tapes = []  # the node as a whole is what tapes record
        try:
            result = self.func(*args)
        finally:
            context.tapes = saved
        return tuple(np.asarray(convert_to_tensor(r, dtype=d)._value)
                     for r, d in zip(_as_list(result, len(self.tout), self.func), self.tout))

    def __repr__(self) -> str:
        return f"<python {getattr(self.func, '__name__', self.func)!r}>"


class _PythonGradient:
    """Gradients of a ``py_function``: re-runs it under a tape for ``<cotangents, outputs>``."""

    def __init__(self, call: _PythonCall, n_inputs: int):
        self.call = call
        self.n_inputs = n_inputs
        self.tensors = True

    def __call__(self, *arrays) -> tuple:
        from fluxion.core.tape import GradientTape

        inputs = [Tensor(np.asarray(a)) for a in arrays[:self.n_inputs]]
        cotangents = [Tensor(np.asarray(a)) for a in arrays[self.n_inputs:]]
        with GradientTape() as tape:
            for tensor in inputs:
                tape.watch(tensor)
            outputs = _as_list(self.call.func(*inputs), len(self.call.tout), self.call.func)
            outputs = [convert_to_tensor(o, dtype=d) for o, d in zip(outputs, self.call.tout)]
        grads = tape.gradient(outputs, inputs, output_gradients=cotangents)
        return tuple(np.zeros_like(np.asarray(x)) if g is None else np.asarray(g._value)
                     for g, x in zip(grads, arrays))


def _as_list(result, count: int, func) -> list:
    if count == 1 and not isinstance(result, (list, tuple)):
        return [result]
    result = list(result) if isinstance(result, (list, tuple)) else [result]
    if len(result) != count:
        raise ValueError(f"{getattr(func, '__name__', 'func')} returned {len(result)} values "
                         f"but Tout lists {count}")
    return result


def _py_call_kernel(*arrays, call, avals):
    return call(*arrays)


def _py_call_rule(*inputs: Aval, call, avals):
    return tuple(avals)


def _py_call_vjp(cotangents, inputs, outputs, call, avals):
    if not isinstance(call, _PythonCall) or not call.tensors:
        raise ValueError("numpy_function has no gradient; use py_function for a "
                         "differentiable Python function")
    differentiable = [x for x in inputs if x.dtype.is_differentiable]
    if not differentiable:
        return [None] * len(inputs)
    cts = list(cotangents)  # the autodiff fills zeros for outputs without a gradient
    grad_avals = tuple(Aval(tuple(x.shape), x.dtype) for x in inputs)
    grads = bind(py_call_p, *inputs, *cts, call=_PythonGradient(call, len(inputs)),
                 avals=grad_avals)
    return [g if x.dtype.is_differentiable else None for g, x in zip(grads, inputs)]


py_call_p = define("py_call", _py_call_kernel, _py_call_rule, _py_call_vjp,
                   multiple_results=True, effect="io",
                   doc="Calls a Python function on its inputs when the graph runs.")


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
        result = _as_list(func(*args), len(tout), func)
        outputs = [convert_to_tensor(r, dtype=d) for r, d in zip(result, tout)]
    else:
        outputs = list(bind(py_call_p, *inputs, call=_PythonCall(func, tensors, tout),
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
