"""``custom_gradient``: a function whose gradient the user supplies.

The wrapped function runs with tapes paused; its outputs are then recorded on every
active tape as one entry of an anonymous primitive whose VJP is the user's ``grad_fn``.
Variables the function reads are added as extra inputs, and a ``grad_fn`` that takes
``variables=`` returns their gradients as a second list, as in TensorFlow.
"""

from __future__ import annotations

import functools
import inspect

from fluxion.core import context, nest
from fluxion.core.primitive import Primitive
from fluxion.core.tensor import Tensor, convert_to_tensor


def custom_gradient(f=None):
    """Decorator: ``f(*x)`` returns ``(y, grad_fn)`` with ``grad_fn(*dy) -> dx``.

    >>> import fluxion as tf
    >>> @tf.custom_gradient
    ... def clip_grad(x):
    ...     return tf.identity(x), lambda dy: tf.clip_by_value(dy, -1.0, 1.0)
    """
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def wrapped(*args, **kwargs):
        inputs = [convert_to_tensor(a) if _tensor_like(a) else a for a in args]
        from fluxion.core.tape import GradientTape

        saved = list(context.tapes)
        context.tapes.clear()
        spy = GradientTape(watch_accessed_variables=True)  # learns which variables f reads
        try:
            with spy:
                result, grad_fn = f(*inputs, **kwargs)
        finally:
            context.tapes[:] = saved
        if not context.tapes:
            return result
        variables = list(spy.watched_variables())
        takes_variables = "variables" in inspect.signature(grad_fn).parameters
        if variables and not takes_variables:
            raise TypeError(f"@custom_gradient function {f.__name__} reads variables "
                            f"{[v.name for v in variables]}, so its grad_fn must accept a "
                            f"'variables' keyword argument and return (input_grads, "
                            f"variable_grads).")
        flat_out = [convert_to_tensor(o) for o in nest.flatten(result)]
        tensor_inputs = [a for a in inputs if isinstance(a, Tensor)]
        variable_reads = [v._read_for_op() for v in variables]
        prim = _user_primitive(f.__name__, grad_fn, len(tensor_inputs), variables,
                               len(flat_out))
        all_inputs = tuple(tensor_inputs + variable_reads)
        outputs = tuple(Tensor(o._value) if isinstance(o, Tensor) and type(o) is Tensor else o
                        for o in flat_out)
        for tape in context.tapes:
            tape._record(prim, all_inputs, {}, outputs)
        return nest.pack_sequence_as(result, list(outputs))

    return wrapped


def _tensor_like(value) -> bool:
    return isinstance(value, Tensor) or hasattr(value, "_read_for_op") or \
        hasattr(value, "__array__")


def _user_primitive(name: str, grad_fn, n_inputs: int, variables: list,
                    n_outputs: int) -> Primitive:
    def vjp(cotangents, inputs, outputs):
        if variables:
            input_grads, variable_grads = grad_fn(*cotangents, variables=variables)
        else:
            input_grads, variable_grads = grad_fn(*cotangents), []
        input_grads = list(input_grads) if isinstance(input_grads, (list, tuple)) \
            else [input_grads]
        if len(input_grads) != n_inputs:
            raise ValueError(f"custom gradient of {name} returned {len(input_grads)} "
                             f"gradients for {n_inputs} inputs")
        grads = input_grads + list(variable_grads)
        return [None if g is None else convert_to_tensor(g) for g in grads]

    def no_kernel(*_args):
        raise RuntimeError(f"custom_gradient primitive {name} has no kernel")

    return Primitive(f"custom_gradient:{name}", no_kernel, None, vjp,
                     multiple_results=True)
