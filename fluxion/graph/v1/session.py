"""``Session``: runs the part of a v1 graph that some fetches need.

``run(fetches, feed_dict)`` flattens the fetch structure, and for each new combination
of (fetches, fed tensors) extracts the subgraph they need: walking back from the
fetched values and the fetched Operations' nodes through data inputs and control
dependencies, stopping at fed tensors.  The fed tensors become the subgraph's inputs;
it is optimised (``passes.optimize``) and compiled (``CompiledGraph``) once and cached,
so a training loop runs compiled code from its second step on.

TF 1 semantics kept: a placeholder the fetches need must be fed (else
``InvalidArgumentError`` naming it, its dtype and shape); a fed value must fit the
tensor's static shape; a variable created in graph mode must be initialized in this
session (by its initializer, ``global_variables_initializer()`` or any assign) before
it is read, else ``FailedPreconditionError`` naming it.  Which variables are initialized
is tracked per session, but variable *values* live in the variables themselves, so
sessions of one graph share them (a difference from TF 1, where each session holds
its own copy).
"""

from __future__ import annotations

import numpy as np

from fluxion.core import errors, nest
from fluxion.core.tensor import Tensor
from fluxion.graph import ir
from fluxion.graph.executor import CompiledGraph
from fluxion.graph.passes import optimize
from fluxion.graph.symbolic import SymbolicTensor
from fluxion.graph.v1 import default_session
from fluxion.graph.v1.default_session import get_default_session  # noqa: F401 - re-exported
from fluxion.graph.v1.graph import Graph, Operation, get_default_graph

_running: list = []  # sessions inside run(), innermost last (for ops that ask which)


def running_session():
    """The session whose ``run`` is executing now (for ops that read session state, such
    as ``is_variable_initialized``), or None."""
    return _running[-1] if _running else None


class Session:
    """A TF 1 session (``tf.compat.v1.Session``): runs fetches of ``graph``.

    Args:
      target: ignored (in-process only).
      graph: the graph to run; the default graph when None.
      config: ignored.

    >>> import fluxion.compat.v1 as tf  # doctest: +SKIP
    >>> x = tf.placeholder(tf.float32, [None])  # doctest: +SKIP
    >>> with tf.Session() as sess:  # doctest: +SKIP
    ...     sess.run(x * 2, feed_dict={x: [1.0, 2.0]})
    array([2., 4.], dtype=float32)
    """

    def __init__(self, target: str = "", graph: Graph | None = None, config=None):
        self._graph = graph if graph is not None else get_default_graph()
        self._closed = False
        self._initialized: set[int] = set()  # ids of the graph's variables initialized here
        self._runners: dict[tuple, _Runner] = {}
        self._default_scope = None

    @property
    def graph(self) -> Graph:
        return self._graph

    @property
    def sess_str(self) -> str:
        return ""

    # --- lifetime ----------------------------------------------------------------------------
    def __enter__(self) -> Session:
        self._default_scope = self._graph.as_default()
        self._default_scope.__enter__()
        default_session.enter(self)
        return self

    def __exit__(self, *exc) -> None:
        default_session.leave(self)
        scope, self._default_scope = self._default_scope, None
        if scope is not None:
            scope.__exit__(*exc)
        self.close()

    def as_default(self):
        """Makes this the default session (for ``Operation.run``) inside the block."""
        return _DefaultSession(self)

    def close(self) -> None:
        self._closed = True
        self._runners.clear()

    def load_variable_value(self, variable, value) -> None:
        """Sets ``variable`` to ``value`` and counts it as initialized in this session
        (what ``Saver.restore`` and ``Variable.load`` do)."""
        from fluxion.core.variable import init_scope

        with init_scope():
            variable.assign(np.asarray(value, dtype=variable.dtype.np_dtype))
        self._initialized.add(id(variable))

    # --- running -----------------------------------------------------------------------------
    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Runs what ``fetches`` need and returns their values in the same structure.

        Args:
          fetches: a tensor, Operation, variable, tensor name, or a (nested) list,
            tuple, namedtuple or dict of them.
          feed_dict: ``{tensor or name: value}``; values are NumPy arrays, lists or
            scalars, converted to the tensor's dtype.

        Returns:
          NumPy values (NumPy scalars for rank 0) in the structure of ``fetches``;
          ``None`` for Operations.
        """
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        leaves = nest.flatten(fetches)
        targets = [self._fetch_target(leaf) for leaf in leaves]
        feeds = self._feeds(feed_dict)
        key = (tuple(_target_key(t) for t in targets), tuple(sorted(feeds)))
        runner = self._runners.get(key)
        if runner is None:
            runner = _Runner(self._graph, targets, feeds)
            self._runners[key] = runner
        for variable in runner.reads_to_check:
            if id(variable) not in self._initialized:
                raise errors.op_error(
                    errors.FailedPreconditionError, "Session.run",
                    f"Attempting to use uninitialized value {variable.name[:-2]} (variable "
                    f"'{variable.name}'). Run its initializer first, e.g. "
                    f"sess.run(tf.compat.v1.global_variables_initializer()).")
        defaults = runner.defaults
        _running.append(self)
        try:
            outputs = runner.compiled(*[feeds[i][1] if i in feeds else defaults[i]
                                        for i in runner.input_ids])
        finally:
            _running.pop()
        self._initialized.update(runner.assigned)
        results = []
        for kind, item in runner.leaf_results:
            if kind == "op":
                results.append(None)
            elif kind == "const":
                results.append(_numpy(item, copy=True))
            else:
                position, copy = item
                results.append(_numpy(outputs[position], copy))
        return nest.pack_sequence_as(fetches, results)

    # --- fetches and feeds ---------------------------------------------------------------------
    def _fetch_target(self, fetch):
        graph = self._graph
        if isinstance(fetch, str):
            fetch = graph.get_tensor_by_name(fetch) if ":" in fetch else \
                graph.get_operation_by_name(fetch)
        if isinstance(fetch, Operation):
            if fetch.graph is not graph:
                raise ValueError(f"Fetch argument {fetch!r} is not an element of this graph.")
            return ("op", fetch)
        if hasattr(fetch, "_read_for_op"):  # a variable: fetch a read of it
            return ("value", graph.builder.read_variable(fetch)._graph_value)
        if isinstance(fetch, SymbolicTensor):
            if fetch._builder is not graph.builder:
                raise ValueError(f"Fetch argument {fetch!r} is not an element of this graph "
                                 f"(it belongs to another graph or to a fluxion.function).")
            return ("value", fetch._graph_value)
        if isinstance(fetch, Tensor):
            return ("const", fetch._value)
        raise TypeError(f"Fetch argument {fetch!r} has invalid type {type(fetch).__name__}; "
                        f"it must be a tensor, an Operation, a variable or a tensor name.")

    def _feeds(self, feed_dict) -> dict:
        """``{value id: (Value, array)}`` for the fed tensors, checked and converted."""
        feeds: dict = {}
        for key, given in _expand_sparse_feeds(feed_dict or {}):
            if isinstance(key, str):
                key = self._graph.get_tensor_by_name(key)
            if not isinstance(key, SymbolicTensor) or key._builder is not self._graph.builder:
                raise TypeError(f"Cannot interpret feed_dict key {key!r} as a tensor of this "
                                f"graph: feed placeholders (or other tensors) of the graph "
                                f"the session runs.")
            value = key._graph_value
            feeds[value.id] = (value, self._feed_array(key, given))
        return feeds

    def _feed_array(self, key: SymbolicTensor, given) -> np.ndarray:
        if isinstance(given, SymbolicTensor):
            raise TypeError(f"The value of a feed cannot be a symbolic tensor ({given.name}); "
                            f"feed NumPy arrays, lists or scalars.")
        if isinstance(given, Tensor):
            given = given._value
        dtype = key.dtype
        try:
            array = np.asarray(given, dtype=dtype.np_dtype)
        except (TypeError, ValueError) as error:
            raise TypeError(f"Cannot feed {_short(given)} to {key.name} of dtype "
                            f"{dtype.name}: {error}") from None
        info = self._graph._placeholders.get(key._graph_value.id)
        known_rank = info is None or info["known_rank"]
        if known_rank and not key.shape.is_compatible_with(array.shape):
            raise errors.op_error(
                errors.InvalidArgumentError, "Session.run",
                f"Cannot feed value of shape {array.shape} for tensor '{key.name}', which has "
                f"shape {_shape_text(key._graph_value.aval.shape)}.")
        return array


class _Runner:
    """The compiled subgraph for one (fetches, fed tensors) combination."""

    def __init__(self, graph: Graph, targets: list, feeds: dict):
        fetch_values = [item for kind, item in targets if kind == "value"]
        fetch_ops = [item for kind, item in targets if kind == "op"]
        nodes, needed_inputs, used_feeds = _needed_nodes(graph, fetch_values, fetch_ops, feeds)
        inputs = {i: feeds[i][0] for i in used_feeds}
        self.defaults: dict[int, np.ndarray] = {}  # placeholder_with_default, when not fed
        for value in needed_inputs:
            default = graph._placeholders.get(value.id, {}).get("default")
            if default is None:
                raise errors.op_error(
                    errors.InvalidArgumentError, "Session.run",
                    f"You must feed a value for placeholder tensor '{value.name}' with dtype "
                    f"{value.aval.dtype.name} and shape {_shape_text(value.aval.shape)}: pass "
                    f"it in feed_dict, e.g. sess.run(fetches, feed_dict={{placeholder: value}}).")
            self.defaults[value.id] = default
            inputs[value.id] = value
        self.input_ids = sorted(inputs)
        outputs = list({v.id: v for v in fetch_values}.values())
        subgraph = ir.Graph([inputs[i] for i in self.input_ids], nodes, outputs,
                            name="session_run")
        self.graph = optimize(subgraph)
        self.compiled = CompiledGraph(self.graph)
        position = {value.id: index for index, value in enumerate(outputs)}
        # Passes may replace an output by another value (keeping its position).
        aliased = _aliased_outputs(self.graph)
        self.leaf_results = []
        for kind, item in targets:
            if kind == "value":
                index = position[item.id]
                item = (index, index in aliased)
            self.leaf_results.append((kind, item))
        self.reads_to_check, self.assigned = _variable_effects(graph, self.graph)


def _needed_nodes(graph: Graph, fetch_values: list, fetch_ops: list, feeds: dict):
    """The nodes the fetches need, in graph order; unfed placeholders; feeds used."""
    needed: set[int] = set()
    used_feeds: set[int] = set()
    for value in fetch_values:
        (used_feeds if value.id in feeds else needed).add(value.id)
    needed_nodes = {id(node) for op in fetch_ops for node in op._nodes}
    kept = []
    for node in reversed(graph.ir_graph.nodes):
        if id(node) not in needed_nodes and not any(o.id in needed for o in node.outputs):
            continue
        kept.append(node)
        for value in node.inputs:
            (used_feeds if value.id in feeds else needed).add(value.id)
        needed_nodes.update(id(dep) for dep in graph.control_inputs.get(node, ()))
    kept.reverse()
    unfed = [value for value in graph.ir_graph.inputs if value.id in needed]
    return kept, unfed, used_feeds


def _aliased_outputs(graph: ir.Graph) -> set[int]:
    """Positions of outputs that may share memory with a variable, a fed array or a
    constant of the compiled graph: they are returned as copies."""
    aliased = {value.id for value in graph.inputs}
    for node in graph.nodes:
        if node.prim.stateful or not node.prim.fresh_output:
            aliased.update(value.id for value in node.outputs)
    return {index for index, value in enumerate(graph.outputs)
            if value.is_constant or value.id in aliased}


def _variable_effects(graph: Graph, subgraph: ir.Graph) -> tuple[list, list]:
    """Variables read before any write in this run (to check), and those assigned."""
    assigned: dict[int, object] = {}
    to_check: dict[int, object] = {}
    for node in subgraph.nodes:
        if node.prim.effect not in ("reads_state", "writes_state") \
                or "variable" not in node.attrs:
            continue
        variable = node.attrs["variable"].deref()
        if node.prim.effect == "writes_state":
            assigned[id(variable)] = variable
        elif id(variable) not in assigned and graph.is_v1_variable(variable):
            to_check[id(variable)] = variable
    return list(to_check.values()), list(assigned)


def _expand_sparse_feeds(feed_dict: dict):
    """``(key, value)`` pairs, a ``SparseTensor`` key (``sparse_placeholder``) split into
    its indices, values and dense shape fed from the value's three parts."""
    for key, given in feed_dict.items():
        if all(hasattr(key, part) for part in ("indices", "values", "dense_shape")) \
                and not isinstance(key, SymbolicTensor):
            parts = (given.indices, given.values, given.dense_shape)
            for component, part in zip((key.indices, key.values, key.dense_shape), parts):
                if isinstance(component, SymbolicTensor):
                    yield component, part
        else:
            yield key, given


def _target_key(target) -> tuple:
    kind, item = target
    if kind == "value":
        return ("value", item.id)
    return (kind, id(item))


def _numpy(array, copy: bool):
    array = np.asarray(array)
    if array.ndim == 0:
        return array[()]
    return array.copy() if copy else array


def _shape_text(shape) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + \
        ("," if len(shape) == 1 else "") + ")"


def _short(value) -> str:
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."


class InteractiveSession(Session):
    """A session that installs itself as the default session on creation."""

    def __init__(self, target: str = "", graph: Graph | None = None, config=None):
        super().__init__(target, graph, config)
        default_session.enter(self)

    def close(self) -> None:
        default_session.leave(self)
        super().close()


class _DefaultSession:
    def __init__(self, session: Session):
        self._session = session

    def __enter__(self) -> Session:
        default_session.enter(self._session)
        return self._session

    def __exit__(self, *exc) -> None:
        default_session.leave(self._session)

