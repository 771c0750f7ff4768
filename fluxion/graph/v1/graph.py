"""TF 1 graphs: ``Graph``, ``Operation``, the default graph and graph-mode activation.

A v1 ``Graph`` wraps an IR graph (``fluxion.graph.ir.Graph``) and the ``GraphBuilder``
that appends to it: a ``Tracer`` built with ``forward_assignments=False``, because a
TF 1 graph has no implicit order between a variable's reads and writes.  The builder
adds three things to the function tracer: control dependencies (``control_inputs``,
a side table node -> nodes that must run first), registration of the variables
created while it builds (collections, unique TF 1 names, initializer ops), and
``assign_variable`` returning a fetchable tensor.  Its symbolic tensors are
``GraphTensor`` s: hashable by identity, as TF 1 ``feed_dict`` keys must be.

Activation.  While a v1 graph is the default graph *for building*, its builder is
installed in ``fluxion.core.context.tracer``, so every op binds into it:

- inside ``with g.as_default():`` (the previous tracer comes back on exit);
- for the global default graph, from the first top-level ``placeholder(...)`` call
  or ``disable_eager_execution()`` (TF 1's graph mode) until
  ``reset_default_graph()`` / ``enable_eager_execution()``, which restore eager
  execution (``context.tracer`` back to ``None``) unless eager execution was disabled,
  in which case the fresh global graph becomes active at once.

Ops whose inputs are all concrete still run eagerly (the tracer's rule), so
``tf.zeros([2])`` in graph mode is a concrete tensor that ``Session.run`` returns as is.
An ``Operation`` is a fetchable with no value (``group``, ``no_op``, initializers,
optimizer steps): it names the nodes that run when it is fetched.
"""

from __future__ import annotations

import contextlib
import re

from fluxion.core import context, errors
from fluxion.core.primitives.state import assign_variable_p, read_variable_p
from fluxion.core.tensor import Tensor, TensorRef
from fluxion.graph import ir
from fluxion.graph.symbolic import SymbolicTensor
from fluxion.graph.tracer import Tracer, tracing
from fluxion.graph.v1 import default_session


class GraphKeys:
    """Standard collection names (``tf.compat.v1.GraphKeys``)."""

    GLOBAL_VARIABLES = "variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    LOCAL_VARIABLES = "local_variables"
    GLOBAL_STEP = "global_step"
    UPDATE_OPS = "update_ops"
    LOSSES = "losses"
    REGULARIZATION_LOSSES = "regularization_losses"
    INIT_OP = "init_op"
    TRAIN_OP = "train_op"
    SUMMARIES = "summaries"


class Operation:
    """A graph operation fetched for its effect (``tf.Operation``); ``Session.run`` gives None.

    Fetching it runs ``nodes`` (and, through the graph's control dependencies and
    data inputs, everything they need).
    """

    def __init__(self, graph: Graph, nodes, name: str, type_name: str = "NoOp"):
        self.graph = graph
        self._nodes = tuple(dict.fromkeys(nodes))  # unique, in order
        self.name = name
        self.type = type_name
        graph._operations[name] = self

    @property
    def control_inputs(self) -> list:
        return list(self._nodes)

    def run(self, feed_dict=None, session=None) -> None:
        (session or default_session.default_session(self.graph)).run(self, feed_dict)

    def __repr__(self) -> str:
        return f"<tf.Operation '{self.name}' type={self.type}>"


class GraphTensor(SymbolicTensor):
    """A tensor of a v1 graph: hashable by identity (TF 1 feed_dict keys) and ``eval``-able."""

    __slots__ = ()

    def __hash__(self) -> int:
        return id(self)

    @property
    def graph(self) -> Graph:
        return self._builder.owner

    @property
    def op(self):
        """The operation that produces this tensor (``tf.Operation``: name, type...)."""
        from fluxion.graph.v1.op_names import InputOpView, OpView

        producer = self._graph_value.producer
        if producer is None:
            return InputOpView(self.graph, self._graph_value)
        return OpView(self.graph, producer)

    @property
    def value_index(self) -> int:
        producer = self._graph_value.producer
        return 0 if producer is None else producer.outputs.index(self._graph_value)

    def eval(self, feed_dict=None, session=None):
        """Its value in ``session`` (the default session if None)."""
        return (session or default_session.default_session(self.graph)).run(self, feed_dict)

    def consumers(self) -> list:
        value = self._graph_value
        return [node for node in self._builder.graph.nodes if value in node.inputs]


class GraphBuilder(Tracer):
    """The tracer of a v1 graph: control dependencies, variable registration, assign ops."""

    accepts_symbolic_initial_values = True  # Variable(tf.random_normal(...)) in TF 1

    def __init__(self, owner: Graph):
        super().__init__(ir.Graph(name="graph"), forward_assignments=False)
        self.owner = owner

    def symbolic(self, value: ir.Value) -> GraphTensor:
        return GraphTensor(value, self)

    def bind(self, prim, args, attrs):
        before = len(self.graph.nodes)
        outputs = super().bind(prim, args, attrs)
        for node in self.graph.nodes[before:]:
            self.owner.name_new_node(node)
        deps = self.owner._current_control_inputs()
        if deps and len(self.graph.nodes) > before:
            self.owner.control_inputs[self.graph.nodes[-1]] = deps
        return outputs

    def read_variable(self, variable) -> SymbolicTensor:
        # Under control_dependencies a read must happen after the dependencies: a new
        # read node, appended after them, instead of the graph's shared first read.
        if self.owner._current_control_inputs():
            return self.bind(read_variable_p, (), {"variable": TensorRef(variable)})
        return super().read_variable(variable)

    def assign_variable(self, variable, tensor: Tensor) -> SymbolicTensor:
        """Adds an ``assign_variable`` node; returns its output (fetching it assigns)."""
        super().assign_variable(variable, tensor)
        return self.symbolic(self.graph.nodes[-1].outputs[0])

    def on_variable_created(self, variable) -> None:
        super().on_variable_created(variable)
        self.owner._register_variable(variable)


class Graph:
    """A TF 1 graph (``tf.Graph``): ops bind into it while it is the default graph.

    >>> g = Graph()
    >>> with g.as_default():
    ...     x = placeholder("float32", [None])  # doctest: +SKIP
    """

    def __init__(self):
        self._builder = GraphBuilder(self)
        self.control_inputs: dict = {}  # ir.Node -> tuple of nodes that run before it
        self._control_stack: list[tuple[bool, tuple]] = []
        self._collections: dict[str, list] = {}
        self._names: dict[str, int] = {}
        self._initial_values: dict[int, Tensor] = {}  # id(variable) -> its initial value
        self._initializers: dict[int, Operation] = {}
        self._placeholders: dict[int, dict] = {}  # value id -> {"known_rank", "default"}
        self._var_store: dict[str, object] = {}  # get_variable's full name -> variable
        self._operations: dict[str, Operation] = {}  # by name, for fetches given as names
        self._node_names: dict[int, tuple] = {}  # id(node) -> (node, its op name)
        self._var_scopes: list = []
        self._exact_names = 0
        self._finalized = False

    # --- the IR ------------------------------------------------------------------------------
    @property
    def ir_graph(self) -> ir.Graph:
        """The IR graph: every node built so far, in order (``print`` it to see them)."""
        return self._builder.graph

    @property
    def builder(self) -> GraphBuilder:
        return self._builder

    def as_graph_def(self) -> str:
        return ir.dump(self.ir_graph)

    # --- being the default graph -----------------------------------------------------------------
    @contextlib.contextmanager
    def as_default(self):
        """Makes this the default graph, and binds every op into it, inside the block."""
        _stack.append(self)
        saved = context.tracer
        context.tracer = self._builder
        try:
            yield self
        finally:
            context.tracer = saved
            _stack.remove(self)

    @contextlib.contextmanager
    def building(self):
        """Binds ops into this graph inside the block (whatever graph is default)."""
        if context.tracer is self._builder:
            yield self
        else:
            with tracing(self._builder):
                yield self

    def finalize(self) -> None:
        self._finalized = True

    @property
    def finalized(self) -> bool:
        return self._finalized

    # --- names -----------------------------------------------------------------------------------
    def unique_name(self, name: str, mark_as_used: bool = True) -> str:
        """``name``, or ``name_1``, ``name_2``... if taken (TF 1 naming)."""
        name = re.sub(r":\d+$", "", name)
        count = self._names.get(name, 0)
        unique = name if count == 0 else f"{name}_{count}"
        while count and unique in self._names:
            count += 1
            unique = f"{name}_{count}"
        if mark_as_used:
            self._names[name] = count + 1
            self._names.setdefault(unique, 1)
        return unique

    def get_name_scope(self) -> str:
        return self._var_scopes[-1].name if self._var_scopes else ""

    # --- op names (fluxion.graph.v1.op_names) -----------------------------------------------
    def name_new_node(self, node) -> None:
        """Names a node just built (TF's default for its primitive, made unique)."""
        from fluxion.graph.v1 import op_names

        if id(node) in self._node_names:
            return
        if node.prim is read_variable_p or node.prim is assign_variable_p:
            variable = node.attrs["variable"].deref()
            base = variable.name[:-2] if variable.name.endswith(":0") else variable.name
            kind = "Read/ReadVariableOp" if node.prim is read_variable_p else "Assign"
            name = self.unique_name(f"{base}/{kind}")
        else:
            name = self.unique_name(op_names.scoped(
                op_names.primitive_op_name(node.prim), self))
        self.rename_node(node, name)

    def rename_node(self, node, name: str) -> None:
        """Gives ``node`` the op name ``name``: its outputs become ``name:0``, ``name:1``..."""
        self._node_names[id(node)] = (node, name)
        for index, value in enumerate(node.outputs):
            value.name = f"{name}:{index}"

    def node_name(self, node) -> str:
        entry = self._node_names.get(id(node))
        return entry[1] if entry else f"{node.prim.name}_{id(node)}"

    def get_operations(self) -> list:
        """Every operation of the graph, in the order built (``Graph.get_operations``)."""
        from fluxion.graph.v1.op_names import InputOpView, OpView

        ops = [InputOpView(self, value) for value in self.ir_graph.inputs]
        ops += [OpView(self, node) for node in self.ir_graph.nodes]
        taken = {op.name for op in ops}
        return ops + [op for name, op in self._operations.items() if name not in taken]

    def get_operation_by_name(self, name: str) -> Operation:
        """An Operation (initializer, group, no_op, train op, or any node) by its name."""
        op = self._operations.get(name)
        if op is None:
            for node, node_name in self._node_names.values():
                if node_name == name:
                    from fluxion.graph.v1.op_names import OpView

                    return OpView(self, node)
            raise KeyError(f"The name {name!r} refers to an Operation not in the graph.")
        return op

    def get_tensor_by_name(self, name: str) -> SymbolicTensor:
        """The placeholder or node output called ``name`` (``"x:0"``)."""
        if ":" not in name:
            raise ValueError(f"The name {name!r} refers to an Operation, not a Tensor. "
                             f"Tensor names must be of the form '<op_name>:<output_index>'.")
        for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.LOCAL_VARIABLES):
            for variable in self._collections.get(key, ()):
                if variable.name == name:  # a variable's value, as TF 1 names it
                    return variable
        graph = self.ir_graph
        for value in graph.inputs:
            if value.name == name:
                return self._builder.symbolic(value)
        for node in graph.nodes:
            for value in node.outputs:
                tensor = self._builder.symbolic(value)
                if tensor.name == name:
                    return tensor
        raise KeyError(f"The name {name!r} refers to a Tensor which does not exist in the graph.")

    # --- control dependencies --------------------------------------------------------------------
    @contextlib.contextmanager
    def control_dependencies(self, control_inputs):
        """Ops (and variable reads) created in the block run after ``control_inputs``.

        ``None`` clears the dependencies of enclosing blocks, as in TF.
        """
        if control_inputs is None:
            entry = (True, ())
        else:
            nodes: list = []
            for item in control_inputs:
                nodes.extend(self.nodes_of(item))
            entry = (False, tuple(dict.fromkeys(nodes)))
        self._control_stack.append(entry)
        try:
            yield
        finally:
            self._control_stack.pop()

    def _current_control_inputs(self) -> tuple:
        if not self._control_stack:
            return ()
        nodes: list = []
        for clears, entry in reversed(self._control_stack):
            nodes.extend(entry)
            if clears:
                break
        return tuple(dict.fromkeys(nodes))

    def nodes_of(self, item) -> tuple:
        """The nodes that must run for ``item`` (an Operation or a tensor) to be done."""
        if isinstance(item, Operation):
            if item.graph is not self:
                raise ValueError(f"{item!r} is not an element of this graph.")
            return item._nodes
        if isinstance(item, SymbolicTensor):
            if item._builder is not self._builder:
                raise ValueError(f"Tensor {item.name} is not an element of this graph.")
            producer = item._graph_value.producer
            return () if producer is None else (producer,)
        if isinstance(item, Tensor) or hasattr(item, "_read_for_op"):
            return ()  # concrete tensors and variables are always "done"
        raise TypeError(f"Can not convert a {type(item).__name__} into an Operation or a "
                        f"Tensor: {item!r}")

    def group(self, *inputs, name: str | None = None) -> Operation:
        """An Operation of this graph that runs all ``inputs`` (tensors, Operations, or
        lists of them) and the enclosing control dependencies."""
        nodes: list = []
        for item in inputs:
            for leaf in (item if isinstance(item, (list, tuple)) else [item]):
                if leaf is not None:
                    nodes.extend(self.nodes_of(leaf))
        nodes.extend(self._current_control_inputs())
        return Operation(self, nodes, self.unique_name(name or "group_deps"))

    # --- collections -----------------------------------------------------------------------------
    def add_to_collection(self, name: str, value) -> None:
        self._collections.setdefault(name, []).append(value)

    def get_collection_ref(self, name: str) -> list:
        return self._collections.setdefault(name, [])

    def get_collection(self, name: str, scope: str | None = None) -> list:
        items = list(self._collections.get(name, ()))
        if scope is None:
            return items
        pattern = re.compile(scope)
        return [item for item in items
                if pattern.match(getattr(item, "name", "") or "")]

    # --- variables -------------------------------------------------------------------------------
    def _register_variable(self, variable) -> None:
        """Names, collects and makes an initializer op for a variable built in this graph."""
        if not self._exact_names:
            base = variable._name[:-2] if variable._name.endswith(":0") else variable._name
            scope = self.get_name_scope()
            variable._name = self.unique_name(f"{scope}/{base}" if scope else base) + ":0"
        else:
            self.unique_name(variable._name[:-2])
        initial = getattr(variable, "_graph_initial_value", None)
        if initial is None:
            initial = variable._tensor
        self._initial_values[id(variable)] = initial
        self.add_to_collection(GraphKeys.GLOBAL_VARIABLES, variable)
        if variable.trainable:
            self.add_to_collection(GraphKeys.TRAINABLE_VARIABLES, variable)
        # The initializer assigns the (eagerly computed) initial value.  Tracer.bind, not
        # the builder's: it never takes the control dependencies of the enclosing block.
        Tracer.bind(self._builder, assign_variable_p, (initial,),
                    {"variable": TensorRef(variable)})
        node = self.ir_graph.nodes[-1]
        self.name_new_node(node)
        op = Operation(self, (node,), variable._name[:-2] + "/Assign", "AssignVariableOp")
        self._initializers[id(variable)] = op
        try:
            variable.initializer = op
        except AttributeError:  # the Variable class may define it read-only one day
            pass

    def is_v1_variable(self, variable) -> bool:
        """Whether ``variable`` was created in this graph (so it needs initializing)."""
        return id(variable) in self._initial_values

    def initializer_of(self, variable) -> Operation | None:
        return self._initializers.get(id(variable))

    @contextlib.contextmanager
    def exact_variable_names(self):
        """Variables created in the block keep their names (``get_variable``, slots)."""
        self._exact_names += 1
        try:
            yield
        finally:
            self._exact_names -= 1


# --- the default graph ------------------------------------------------------------------------
_stack: list[Graph] = []  # graphs made default by as_default(), innermost last
_global_graph: Graph | None = None
_global_active = False  # the global graph's builder is installed in context.tracer
_eager_disabled = False


def get_default_graph() -> Graph:
    """The innermost ``as_default`` graph, else the global default graph."""
    global _global_graph
    if _stack:
        return _stack[-1]
    if _global_graph is None:
        _global_graph = Graph()
    return _global_graph


def activate_default_graph(what: str) -> Graph:
    """The default graph, made the graph being built (TF 1 graph mode) if it is not yet.

    ``what`` names the caller for the error raised inside ``fluxion.function``.
    """
    global _global_active
    graph = get_default_graph()
    if context.tracer is graph._builder:
        return graph
    if context.tracer is not None:
        raise RuntimeError(
            f"{what} is a TF 1 graph-mode API and cannot be used inside fluxion.function "
            f"(at {errors.user_location()}): pass tensors as function arguments instead.")
    context.tracer = graph._builder
    _global_active = True
    return graph


def _deactivate_global() -> None:
    global _global_active
    if _global_active and _global_graph is not None \
            and context.tracer is _global_graph._builder:
        context.tracer = None
    _global_active = False


def reset_default_graph() -> None:
    """Discards the global default graph; eager execution comes back (TF 1 semantics aside).

    Raises AssertionError inside a ``with graph.as_default():`` block, as TF does.
    """
    global _global_graph
    if _stack:
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs. "
                             "If you need a cleared graph, exit the nesting and create a "
                             "new graph.")
    _deactivate_global()
    _global_graph = None
    if _eager_disabled:
        activate_default_graph("reset_default_graph")


def disable_eager_execution() -> None:
    """TF 1 graph mode from now on: ops bind into the global default graph."""
    global _eager_disabled
    _eager_disabled = True
    if not _stack:
        activate_default_graph("disable_eager_execution")


def enable_eager_execution(config=None, device_policy=None, execution_mode=None) -> None:
    """Back to eager execution: the global default graph stops being built."""
    global _eager_disabled
    _eager_disabled = False
    if not _stack:
        _deactivate_global()


def disable_v2_behavior() -> None:
    disable_eager_execution()


def enable_v2_behavior() -> None:
    enable_eager_execution()


def executing_eagerly() -> bool:
    """False while a graph is being built (TF 1 graph mode, or inside fluxion.function)."""
    return context.tracer is None


def executing_eagerly_outside_functions() -> bool:
    return not _stack and not _global_active


# --- module-level graph functions ----------------------------------------------------------------
def control_dependencies(control_inputs):
    """``tf.control_dependencies`` on the default graph (a context manager)."""
    return get_default_graph().control_dependencies(control_inputs)


def group(*inputs, name: str | None = None) -> Operation:
    """An Operation that runs all ``inputs`` (tensors, Operations, or lists of them)."""
    return get_default_graph().group(*inputs, name=name)


def no_op(name: str | None = None) -> Operation:
    """An Operation that does nothing but wait for the enclosing control dependencies."""
    graph = get_default_graph()
    return Operation(graph, graph._current_control_inputs(), graph.unique_name(name or "NoOp"))


def add_to_collection(name: str, value) -> None:
    get_default_graph().add_to_collection(name, value)


def get_collection(key: str, scope: str | None = None) -> list:
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key: str) -> list:
    return get_default_graph().get_collection_ref(key)
