"""``tf.experimental.Optional``: a value that may be absent, and
``get_next_as_optional`` (an iterator's next element, or an empty optional at the end).
"""

from __future__ import annotations

from fluxion.core import errors
from fluxion.core.tensor import constant
from fluxion.data import element_spec as es


class Optional:
    """A value of a known structure that may be missing (``tf.experimental.Optional``).

    >>> Optional.from_value((1, 2.0)).get_value()
    (<tf.Tensor: ... 1>, <tf.Tensor: ... 2.0>)
    """

    def __init__(self, value, element_spec, has_value: bool):
        self._value, self._spec, self._has_value = value, element_spec, has_value

    @staticmethod
    def from_value(value) -> Optional:
        """An optional holding ``value`` (a nested structure of tensors)."""
        element = es.normalize_element(value, "Optional value")
        return Optional(element, es.spec_of(element), True)

    @staticmethod
    def empty(element_spec) -> Optional:
        """An optional with no value, for values of ``element_spec``."""
        return Optional(None, element_spec, False)

    def has_value(self, name=None):
        """A boolean scalar tensor: whether there is a value."""
        return constant(self._has_value)

    def get_value(self, name=None):
        """The value; ``InvalidArgumentError`` when there is none."""
        if not self._has_value:
            raise errors.InvalidArgumentError(None, None,
                                              "The given optional does not have a value.")
        return self._value

    @property
    def element_spec(self):
        return self._spec

    def __repr__(self) -> str:
        return f"<Optional has_value={self._has_value} element_spec={self._spec}>"


def get_next_as_optional(iterator) -> Optional:
    """The iterator's next element as an ``Optional`` (empty at the end)."""
    try:
        return Optional(next(iterator), iterator.element_spec, True)
    except StopIteration:
        return Optional.empty(iterator.element_spec)
