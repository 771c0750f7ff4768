"""``fluxion.function``: trace a Python function into an optimised, compiled graph.

The first call with a new signature traces the Python function on symbolic tensors
(``Tracer``), optimises the graph (``passes.optimize``) and compiles it
(``CompiledGraph``) into a ``ConcreteFunction``; later calls with a matching signature
run the compiled code.  Signature rules, retracing and its warning follow TensorFlow
(``signature``).
"""

from __future__ import annotations

import collections
import functools
import inspect
import warnings
import weakref

import numpy as np

from fluxion.core import context, nest
from fluxion.core.tensor import Tensor
from fluxion.core.tensor_spec import TensorSpec
from fluxion.graph import signature as sig
from fluxion.graph.concrete import ConcreteFunction, trace_concrete

RETRACE_WARNING_THRESHOLD = 5
RECENT_CALLS = 10


class Function:
    """A callable that traces ``python_function`` per signature and runs compiled graphs."""

    # AutoGraph leaves a Function called from converted code alone: it converts its own
    # Python function, under its own ``autograph`` setting.
    converts_its_own_function = True

    def __init__(self, python_function, input_signature=None, reduce_retracing: bool = False,
                 jit_compile=None, name: str | None = None, autograph: bool = True,
                 experimental_relax_shapes: bool | None = None):
        functools.update_wrapper(self, python_function)
        self._python_function = python_function
        self._input_signature = None if input_signature is None else list(input_signature)
        self._reduce_retracing = bool(reduce_retracing or experimental_relax_shapes)
        self._jit_compile = jit_compile
        self._name = name or getattr(python_function, "__name__", "function")
        self._autograph = bool(autograph)
        self._converted = None  # the AutoGraph form of python_function, made on first trace
        self._by_key: dict[tuple, ConcreteFunction] = {}
        self._by_fast_key: dict[tuple, ConcreteFunction] = {}
        self._traces: list[tuple[tuple, ConcreteFunction]] = []
        # Traces whose spec has unknown dimensions: the only ones a new call key can fit
        # without being in _by_key already (a fully known spec fits only its own key), so
        # a new trace never scans every earlier one.
        self._general_traces: list[tuple[tuple, ConcreteFunction]] = []
        self._by_signature: dict[tuple, ConcreteFunction] = {}  # input_signature traces
        self._recent = collections.deque(maxlen=RECENT_CALLS)
        self._warned = False
        self._instances = weakref.WeakKeyDictionary()  # instance -> its bound Function
        if self._input_signature is not None:
            for spec in nest.flatten(self._input_signature):
                if not isinstance(spec, TensorSpec):
                    raise TypeError(f"input_signature must hold fluxion.TensorSpec objects, "
                                    f"got {spec!r}")

    # --- methods: one Function per instance, as TF does ---------------------------------------
    def __get__(self, instance, owner):
        if instance is None:
            return self
        try:
            bound = self._instances.get(instance)
        except TypeError:  # unhashable or not weak-referenceable: no caching
            bound = None
        if bound is None:
            bound = Function(functools.partial(self._python_function, instance),
                             self._input_signature, self._reduce_retracing, self._jit_compile,
                             self._name, self._autograph)
            try:
                self._instances[instance] = bound
            except TypeError:
                pass
        return bound

    # --- calling -----------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if context.tracer is not None:  # inside another trace the body is inlined
            return self._traced_call(*args, **kwargs)
        if context.run_functions_eagerly or context.tapes:
            # Under an outer tape it runs eagerly so the tape sees each op.
            return self._python_function(*args, **kwargs)
        if not kwargs:  # the common case, all plain tensors: one dict lookup
            for arg in args:
                if type(arg) is not Tensor:
                    break
            else:
                fast_key = tuple((a._value.dtype, a._value.shape) for a in args)
                concrete = self._by_fast_key.get(fast_key)
                if concrete is None:
                    concrete = self._concrete_for((args, kwargs))
                    self._by_fast_key[fast_key] = concrete
                return concrete.call_flat_arrays([a._value for a in args])
        structure = (args, kwargs)
        concrete = self._concrete_for(structure)
        return concrete.call_structured(structure)

    def _concrete_for(self, structure) -> ConcreteFunction:
        key = sig.make_key(structure)
        concrete = self._by_key.get(key)
        if concrete is not None:
            self._recent.append(False)
            return concrete
        if self._input_signature is not None:
            return self._with_signature(structure, key)
        for spec, candidate in self._general_traces:
            if sig.is_compatible(spec, key):
                self._by_key[key] = candidate
                self._recent.append(False)
                return candidate
        spec = key
        if self._reduce_retracing and self._traces:
            for previous, _ in reversed(self._traces[-RECENT_CALLS:]):
                general = sig.generalize(previous, key)
                if general is not None:
                    spec = general
                    break
        concrete = self._trace(structure, spec)
        self._by_key[key] = concrete
        return concrete

    def _with_signature(self, structure, key) -> ConcreteFunction:
        signature = self._signature_for(structure)
        spec = sig.make_key((signature, {}))
        args, kwargs = structure
        if not kwargs and sig.is_compatible(spec, sig.make_key((tuple(args), {}))):
            concrete = self._by_signature.get(spec)
            if concrete is None:
                concrete = self._by_signature[spec] = self._trace((signature, {}), spec)
            self._by_key[key] = concrete
            return concrete
        expected = ", ".join(f"{s.dtype.name}{s.shape}" for s in nest.flatten(signature))
        given = ", ".join(_describe(a) for a in nest.flatten(structure))
        raise TypeError(f"{self._name}: the arguments do not match its input_signature. "
                        f"Expected ({expected}); got ({given}).")

    def _signature_for(self, structure) -> tuple:
        """The input signature, with each spec of unknown rank (``TensorSpec(None)``) given
        the rank of its argument: such a function is traced once per rank it is called
        with, every dimension unknown (the graph IR has no unknown ranks)."""
        signature = tuple(self._input_signature)
        flat = nest.flatten(signature)
        if all(spec.shape.rank is not None for spec in flat):
            return signature
        args = nest.flatten(tuple(structure[0]))
        if len(args) != len(flat):
            return signature
        resolved = [TensorSpec([None] * np.ndim(getattr(arg, "_value", arg)), spec.dtype)
                    if spec.shape.rank is None else spec for spec, arg in zip(flat, args)]
        return nest.pack_sequence_as(signature, resolved)

    def _traced_function(self):
        """What tracing runs: the AutoGraph-converted function, unless autograph=False."""
        if not self._autograph:
            return self._python_function
        if self._converted is None:
            from fluxion.graph.autograph import convert_callable

            self._converted = convert_callable(self._python_function) or \
                self._python_function
        return self._converted

    def _traced_call(self, *args, **kwargs):
        from fluxion.graph.autograph import enabled_scope

        with enabled_scope(self._autograph):
            return self._traced_function()(*args, **kwargs)

    def _trace(self, structure, spec) -> ConcreteFunction:
        first = not self._traces
        concrete = trace_concrete(self._traced_call, structure, spec, self._name,
                                  allow_variable_creation=first)
        concrete.parameter_names = _parameter_names(self._python_function)
        if not first:
            self._recent.append(True)
            self._maybe_warn(spec)
        self._traces.append((spec, concrete))
        if _has_unknown_dims(spec):
            self._general_traces.append((spec, concrete))
        else:
            self._by_key.setdefault(spec, concrete)
        return concrete

    def _maybe_warn(self, spec) -> None:
        if self._warned or sum(self._recent) < RETRACE_WARNING_THRESHOLD:
            return
        self._warned = True
        cause = sig.describe_difference(self._traces[-1][0], spec)
        warnings.warn(
            f"{sum(self._recent)} of the last {len(self._recent)} calls to {self._name} "
            f"triggered retracing, which is expensive. The likely cause: {cause}.",
            RuntimeWarning, stacklevel=4)

    # --- introspection -------------------------------------------------------------------------
    def get_concrete_function(self, *args, **kwargs) -> ConcreteFunction:
        """The concrete function for these arguments (tensors or TensorSpecs), tracing if new."""
        if not args and not kwargs and self._input_signature is not None:
            args = tuple(self._input_signature)
        structure = (args, kwargs)
        key = sig.make_key(structure)
        known = self._by_key.get(key)
        if known is not None:
            return known
        for spec, concrete in self._general_traces:
            if sig.is_compatible(spec, key):
                return concrete
        if self._input_signature is not None:
            return self._with_signature(structure, key)
        return self._trace(structure, key)

    def experimental_get_tracing_count(self) -> int:
        return len(self._traces)

    @property
    def python_function(self):
        return self._python_function

    @property
    def input_signature(self):
        return self._input_signature

    def python_source(self) -> str:
        """The generated Python source of the most recent trace."""
        return self._latest().python_source()

    @property
    def graph(self):
        """The optimised graph of the most recent trace (``str()`` shows it; ``.to_dot()``)."""
        return self._latest().graph

    def _latest(self) -> ConcreteFunction:
        if not self._traces:
            raise ValueError(f"{self._name} has not been traced yet: call it once, or use "
                             f"get_concrete_function(...)")
        return self._traces[-1][1]

    def __repr__(self) -> str:
        return f"<fluxion.function {self._name}>"


def _parameter_names(python_function) -> list[str] | None:
    """The names of the positional parameters (bound ``self`` left out), or None."""
    try:
        parameters = inspect.signature(python_function).parameters.values()
    except (TypeError, ValueError):
        return None
    return [p.name for p in parameters
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _has_unknown_dims(spec: tuple) -> bool:
    return any(isinstance(leaf, sig.TensorLeaf) and None in leaf.shape for leaf in spec[1])


def _describe(value) -> str:
    if isinstance(value, (Tensor, np.ndarray)):
        dtype = value.dtype.name if isinstance(value, Tensor) else str(value.dtype)
        return f"{dtype}{list(value.shape)}"
    return repr(value)


def function(func=None, input_signature=None, autograph: bool = True, jit_compile=None,
             reduce_retracing: bool = False, experimental_relax_shapes=None, name=None, **_):
    """Compiles ``func`` into a graph on first call per signature (``tf.function``).

    Usable as ``@fluxion.function`` or ``@fluxion.function(input_signature=[...])``.

    >>> import fluxion as tf
    >>> @tf.function
    ... def add(a, b):
    ...     return a + b
    >>> float(add(tf.constant(1.0), tf.constant(2.0)))
    3.0
    """
    def decorate(f):
        return Function(f, input_signature, reduce_retracing, jit_compile, name, autograph,
                        experimental_relax_shapes)

    return decorate if func is None else decorate(func)

