"""``Module``: a named container that finds the variables and modules it holds (``tf.Module``).

A module owns no registry: ``variables``, ``trainable_variables`` and ``submodules``
walk its attributes when asked, as TF does.  Attributes are visited in sorted order;
lists, tuples and dicts are looked into; each object is reported once; the module's
own attributes come before those of its submodules (breadth first).
"""

from __future__ import annotations

import functools
import re

from fluxion.core.name_scope import name_scope as _name_scope
from fluxion.core.variable import Variable

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_IGNORED = frozenset({"_name", "_scope_name", "_name_scope_object"})


def _snake_case(class_name: str) -> str:
    """TensorFlow's snake case of a module class name: an underscore before a capital that
    follows a lower-case letter or digit, or that starts a word (``Conv2D`` -> ``conv2_d``,
    unlike Keras's ``conv2d``; ``fluxion.core.snake_case`` holds Keras's rule)."""
    return re.sub(r"((?<=[a-z0-9])[A-Z]|(?<!^)[A-Z](?=[a-z]))", r"_\1", class_name).lower()


class Module:
    """Base class of objects that hold variables and other modules (``tf.Module``).

    Args:
      name: the module's name, a Python identifier; by default the class name in
        snake case (``MyDense`` -> ``my_dense``).

    >>> import fluxion as tf
    >>> class Scale(tf.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.factor = tf.Variable(2.0)
    ...     def __call__(self, x):
    ...         return x * self.factor
    >>> [v.numpy() for v in Scale().trainable_variables]
    [2.0]
    """

    def __init__(self, name: str | None = None):
        if name is None:
            name = _snake_case(type(self).__name__)
        elif not isinstance(name, str) or not _IDENTIFIER.match(name):
            raise ValueError(f"{name!r} is not a valid module name. Module names must be "
                             f"valid Python identifiers (e.g. a valid class name).")
        self._name = name
        with _name_scope(name) as scope:
            self._scope_name = scope

    @property
    def name(self) -> str:
        """The name given to the constructor (or derived from the class name)."""
        return self._name

    @property
    def name_scope(self) -> _name_scope:
        """A name scope re-entering this module's scope (``with module.name_scope:``)."""
        return _name_scope(self._scope_name)

    @property
    def variables(self) -> tuple:
        """Every variable of this module and its submodules, each once."""
        return tuple(self._flatten(predicate=_is_variable))

    @property
    def trainable_variables(self) -> tuple:
        """The trainable variables of this module and its submodules."""
        return tuple(self._flatten(predicate=lambda v: _is_variable(v) and v.trainable))

    @property
    def non_trainable_variables(self) -> tuple:
        return tuple(self._flatten(predicate=lambda v: _is_variable(v) and not v.trainable))

    @property
    def submodules(self) -> tuple:
        """Every module held by this one, directly or through other modules."""
        return tuple(self._flatten(predicate=lambda m: isinstance(m, Module)))

    def _flatten(self, recursive: bool = True, predicate=None, attribute_traversal_key=None,
                 with_path: bool = False, expand_composites: bool = False):
        """Yields the objects held by this module that satisfy ``predicate``.

        With ``with_path=True`` each is yielded as ``(path, object)``, the path being
        the tuple of attribute names and list indices / dict keys leading to it.
        """
        predicate = predicate or (lambda _: True)
        seen = {id(self)}
        queue = [((), self)]
        while queue:
            prefix, module = queue.pop(0)
            for path, leaf in _leaves(module, attribute_traversal_key):
                if id(leaf) in seen:
                    continue
                seen.add(id(leaf))
                full = prefix + path
                if predicate(leaf):
                    yield (full, leaf) if with_path else leaf
                if recursive and isinstance(leaf, Module):
                    queue.append((full, leaf))

    @classmethod
    def with_name_scope(cls, method):
        """Decorates a method to run inside the module's name scope."""

        @functools.wraps(method)
        def scoped(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)

        return scoped

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__name__} object named {self._name!r}>"


def _is_variable(value) -> bool:
    return isinstance(value, Variable)


def _leaves(module: Module, key=None):
    """``(path, leaf)`` for every value inside the module's attributes, in sorted order."""
    attributes = vars(module)
    for name in sorted(attributes, key=key):
        if name in _IGNORED:
            continue
        yield from _walk((name,), attributes[name])


def _walk(path: tuple, value):
    if isinstance(value, dict):
        for key in sorted(value, key=repr):
            yield from _walk(path + (key,), value[key])
    elif isinstance(value, (list, tuple)) and not isinstance(value, str):
        for index, item in enumerate(value):
            yield from _walk(path + (index,), item)
    else:
        yield path, value

