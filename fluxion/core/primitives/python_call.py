"""``py_call``: a Python function called on a graph node's arrays each time the graph runs.

The attribute ``call`` is the function with how to pass it its arguments
(``PythonCall``: Tensors for ``py_function``, arrays for ``numpy_function``).  The
node does I/O as far as the graph can tell (``effect="io"``): it is kept and keeps its
place.  Its gradient is another ``py_call`` that re-runs the function under a
``GradientTape`` (``PythonGradient``), so ``py_function`` is differentiable in graphs
too; ``numpy_function`` has none.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import context
from fluxion.core.primitive import Aval, bind, define
from fluxion.core.tensor import Tensor, convert_to_tensor


class PythonCall:
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
                     for r, d in zip(results_as_list(result, len(self.tout), self.func), self.tout))

    def __repr__(self) -> str:
        return f"<python {getattr(self.func, '__name__', self.func)!r}>"


class PythonGradient:
    """Gradients of a ``py_function``: re-runs it under a tape for ``<cotangents, outputs>``."""

    def __init__(self, call: PythonCall, n_inputs: int):
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
            outputs = results_as_list(self.call.func(*inputs), len(self.call.tout), self.call.func)
            outputs = [convert_to_tensor(o, dtype=d) for o, d in zip(outputs, self.call.tout)]
        grads = tape.gradient(outputs, inputs, output_gradients=cotangents)
        return tuple(np.zeros_like(np.asarray(x)) if g is None else np.asarray(g._value)
                     for g, x in zip(grads, arrays))


def results_as_list(result, count: int, func) -> list:
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
    if not isinstance(call, PythonCall) or not call.tensors:
        raise ValueError("numpy_function has no gradient; use py_function for a "
                         "differentiable Python function")
    differentiable = [x for x in inputs if x.dtype.is_differentiable]
    if not differentiable:
        return [None] * len(inputs)
    cts = list(cotangents)  # the autodiff fills zeros for outputs without a gradient
    grad_avals = tuple(Aval(tuple(x.shape), x.dtype) for x in inputs)
    grads = bind(py_call_p, *inputs, *cts, call=PythonGradient(call, len(inputs)),
                 avals=grad_avals)
    return [g if x.dtype.is_differentiable else None for g, x in zip(grads, inputs)]


py_call_p = define("py_call", _py_call_kernel, _py_call_rule, _py_call_vjp,
                   multiple_results=True, effect="io",
                   doc="Calls a Python function on its inputs when the graph runs.")
