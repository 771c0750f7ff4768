"""Names of ops and tensors in a TF 1 graph, as TensorFlow gives them.

Every node a v1 graph builds gets a unique op name under the active name scope:
``name=`` when the public function was given one, else TensorFlow's default for that
function (``tf.reduce_mean`` -> ``Mean``, ``tf.matmul`` -> ``MatMul``; repeats become
``MatMul_1``...).  Its outputs are the tensors ``<op>:0``, ``<op>:1``.  The nodes a
composite function builds internally are named under its op (``Mean/Sum``), so the
top-level names match TensorFlow's.  Nodes built by Python operators (``x + y``) take
TensorFlow's operator names (``add``, ``mul``, ``truediv``...).

``OpView`` is the ``tf.Operation`` a graph tensor's ``.op`` returns: ``name``, ``type``,
``inputs``, ``outputs``, ``graph``, ``values()``.
"""

from __future__ import annotations

import re

from fluxion.core import name_scope

# Public functions: TensorFlow's default op name when ``name`` is not given.
FUNCTION_NAMES = {
    "reduce_mean": "Mean", "reduce_sum": "Sum", "reduce_max": "Max", "reduce_min": "Min",
    "reduce_prod": "Prod", "reduce_all": "All", "reduce_any": "Any", "argmax": "ArgMax",
    "argmin": "ArgMin", "matmul": "MatMul", "add": "Add", "subtract": "Sub",
    "multiply": "Mul", "divide": "truediv", "truediv": "truediv", "identity": "Identity",
    "relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "softmax": "Softmax",
    "log_softmax": "LogSoftmax", "exp": "Exp", "log": "Log", "square": "Square",
    "sqrt": "Sqrt", "equal": "Equal", "cast": "Cast", "reshape": "Reshape",
    "concat": "concat", "transpose": "transpose", "bias_add": "BiasAdd", "conv2d": "Conv2D",
    "max_pool": "MaxPool", "avg_pool": "AvgPool", "dropout": "dropout",
    "softmax_cross_entropy_with_logits": "softmax_cross_entropy_with_logits",
    "sparse_softmax_cross_entropy_with_logits": "SparseSoftmaxCrossEntropyWithLogits",
    "add_n": "AddN", "pow": "Pow", "negative": "Neg", "abs": "Abs", "maximum": "Maximum",
    "minimum": "Minimum", "squared_difference": "SquaredDifference", "one_hot": "one_hot",
    "gather": "GatherV2", "stack": "stack", "expand_dims": "ExpandDims",
    "squeeze": "Squeeze", "zeros_like": "zeros_like", "ones_like": "ones_like",
    "stop_gradient": "StopGradient", "where": "Select", "random_normal": "random_normal",
    "random_uniform": "random_uniform", "truncated_normal": "truncated_normal",
}


def default_op_name(function_name: str) -> str:
    """TensorFlow's default op name for the public function ``function_name``."""
    known = FUNCTION_NAMES.get(function_name)
    if known:
        return known
    return "".join(part.capitalize() for part in function_name.split("_")) or "Op"


def primitive_op_name(prim) -> str:
    """The op type TensorFlow shows for a node of ``prim``: its record's ``export["tf"]``,
    else its name in CamelCase."""
    known = prim.export.get("tf")
    if known:
        return known
    return "".join(part.capitalize() for part in prim.name.split("_"))


def scoped(name: str, graph) -> str:
    """``name`` under the active name scope (or variable scope) of ``graph``."""
    scope = name_scope.current() or graph.get_name_scope()
    return f"{scope}/{name}" if scope else name


class OpView:
    """A node of a v1 graph seen as a ``tf.Operation``."""

    def __init__(self, graph, node):
        self.graph = graph
        self._node = node

    @property
    def name(self) -> str:
        return self.graph.node_name(self._node)

    @property
    def type(self) -> str:
        return primitive_op_name(self._node.prim)

    @property
    def inputs(self) -> list:
        return [self.graph.builder.symbolic(value) for value in self._node.inputs]

    @property
    def outputs(self) -> list:
        return [self.graph.builder.symbolic(value) for value in self._node.outputs]

    def values(self) -> tuple:
        return tuple(self.outputs)

    @property
    def control_inputs(self) -> list:
        return [OpView(self.graph, n) for n in self.graph.control_inputs.get(self._node, ())]

    def __eq__(self, other) -> bool:
        return isinstance(other, OpView) and other._node is self._node

    def __hash__(self) -> int:
        return id(self._node)

    def __repr__(self) -> str:
        return f"<tf.Operation '{self.name}' type={self.type}>"


class InputOpView:
    """A placeholder seen as a ``tf.Operation`` (type ``Placeholder``, no inputs)."""

    def __init__(self, graph, value):
        self.graph = graph
        self._value = value

    @property
    def name(self) -> str:
        return (self._value.name or f"input_{self._value.id}:0").rsplit(":", 1)[0]

    type = "Placeholder"
    inputs: list = []
    control_inputs: list = []

    @property
    def outputs(self) -> list:
        return [self.graph.builder.symbolic(self._value)]

    def values(self) -> tuple:
        return tuple(self.outputs)

    def __repr__(self) -> str:
        return f"<tf.Operation '{self.name}' type=Placeholder>"


def sanitized_op_name(name):
    """``name`` with the characters TF 1 op names cannot hold replaced by ``_`` (None if
    ``name`` is not a non-empty string)."""
    if not isinstance(name, str) or not name:
        return None
    return re.sub(r"[^A-Za-z0-9_.\-/]", "_", name)
