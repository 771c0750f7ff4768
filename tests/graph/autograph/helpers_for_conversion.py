"""A module of user code imported by the conversion tests (converted when called)."""

import fluxion as tf


def clipped_double(x):
    if x > 10.0:
        return tf.constant(10.0)
    return x * 2.0


class Accumulator:
    """A user class whose methods and __call__ use tensor control flow."""

    def __init__(self, limit):
        self.limit = limit

    def __call__(self, x):
        total = tf.constant(0.0)
        while total < self.limit:
            total += x
        return total


class Base:
    def scale(self, x):
        return x * 3.0


class Child(Base):
    def scale(self, x):
        if x > 0:
            return super().scale(x)
        return -x
