"""``for element in dataset`` inside a traced function: one ``dataset_loop`` node.

The loop body is traced once into a sub-graph taking an element and the loop state;
when the graph runs, the node's kernel iterates the Dataset afresh (each call of the
function sees the dataset's current contents, as in TF) and applies the body per
element, stopping early when the ``break`` condition sub-graph says so.  Variables the
body assigns (an optimizer's slots, a model's weights) are carried through and assigned
after the node, as ``while_loop`` does.  It has no gradient: differentiate inside the
body instead (a training step per batch), as TF programs do.
"""

from __future__ import annotations

from fluxion.core import context, nest
from fluxion.core.primitive import Aval, bind, define
from fluxion.core.tensor import TensorRef, convert_to_tensor
from fluxion.graph.interpreter import external_tensors, seal, trace_subgraph
from fluxion.graph.while_loop import carried_variables


class _ElementSource:
    """The element the body reads: set per trace of the body."""

    def __init__(self, spec):
        self.spec = spec
        self.current = None

    def get(self):
        if self.current is None:  # the trial trace: fresh placeholders in its graph
            return nest.map_structure(
                lambda s: context.tracer.add_input(Aval(tuple(s.shape.as_list()), s.dtype)),
                self.spec)
        return self.current


def dataset_for(dataset, extra_test, body, state: tuple, names: tuple, where: str) -> tuple:
    """Runs ``state = body(element, *state)`` per element of ``dataset`` in the graph."""
    from fluxion.graph.autograph.tensor_loops import tensor_loop

    source = _ElementSource(dataset.element_spec)

    def test(*values):
        return True if extra_test is None else extra_test(*values)

    def step(*values):
        return body(source.get(), *values)

    def runner(loop_test, loop_body, init, invariants, options):
        return _build(dataset, source, loop_test, loop_body, init, invariants)

    return tensor_loop(test, step, state, names, {}, where, runner)


def _build(dataset, source, loop_test, loop_body, init, invariants):
    specs = nest.flatten(dataset.element_spec)
    element_avals = [Aval(tuple(s.shape.as_list()), s.dtype) for s in specs]
    state_avals = [Aval(tuple(shape), t.dtype) for t, shape in zip(init, invariants)]
    count = len(element_avals)

    def body_fn(*args):
        source.current = nest.pack_sequence_as(dataset.element_spec, list(args[:count])) \
            if nest.is_nested(dataset.element_spec) else args[0]
        try:
            return list(loop_body(*args[count:]))
        finally:
            source.current = None

    body_trace = trace_subgraph(body_fn, element_avals + state_avals, lambda a: a,
                                "dataset_body", "body")
    cond_trace = trace_subgraph(lambda *a: loop_test(*a), state_avals, lambda a: a,
                                "dataset_cond", "break condition")
    carried, carried_values, carried_inputs = carried_variables(body_trace, cond_trace)
    keys, operands = external_tensors([body_trace, cond_trace])
    body_outputs = body_trace.outputs + [body_trace.tracer._current[id(v)] for v in carried]
    body_graph = seal(body_trace, body_trace.explicit + carried_inputs[0], keys, operands,
                      body_outputs)
    cond_graph = seal(cond_trace, cond_trace.explicit + carried_inputs[1], keys, operands,
                      cond_trace.outputs)
    values = list(init) + carried_values
    results = bind(dataset_loop_p, *values, *operands, dataset=TensorRef(dataset),
                   body_graph=body_graph, cond_graph=cond_graph, n_vars=len(values),
                   n_elements=count)
    for var, value in zip(carried, results[len(init):]):
        var.assign(value)
    return list(results[:len(init)])


# --- the primitive ------------------------------------------------------------------------------
def _dataset_loop_kernel(*operands, dataset, body_graph, cond_graph, n_vars, n_elements):
    values, captured = list(operands[:n_vars]), operands[n_vars:]
    iterator = iter(dataset.deref())
    while cond_graph(*values, *captured)[0]:
        try:
            element = next(iterator)
        except StopIteration:
            break
        arrays = [convert_to_tensor(leaf)._value for leaf in nest.flatten(element)]
        values = list(body_graph(*arrays, *values, *captured))
    return tuple(values)


def _dataset_loop_rule(*operands, dataset, body_graph, cond_graph, n_vars, n_elements):
    avals = body_graph.input_avals()[n_elements:n_elements + n_vars]
    for index, (got, want) in enumerate(zip(operands[:n_vars], avals)):
        if got.dtype is not want.dtype:
            raise TypeError(f"loop variable {index} must be {want.dtype.name}, got "
                            f"{got.dtype.name}")
    return tuple(avals)


def _dataset_loop_vjp(*args, **kwargs):
    raise ValueError("a for loop over a Dataset inside fluxion.function has no gradient; "
                     "take gradients inside the loop body (one training step per element)")


dataset_loop_p = define("dataset_loop", _dataset_loop_kernel, _dataset_loop_rule,
                        _dataset_loop_vjp, multiple_results=True, effect="writes_state",
                        doc="Applies a body sub-graph to each element of a Dataset "
                            "(AutoGraph's for loop over a dataset).")
