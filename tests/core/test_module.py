"""tf.Module and tf.name_scope: tracking, order, names (matching TF 2.21's behaviour)."""

import numpy as np
import pytest

import fluxion as tf


class Inner(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(1.0, name="w")
        self.c = tf.Variable(2.0, trainable=False, name="c")


class Outer(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        with self.name_scope:
            self.z = tf.Variable(0.0, name="z")
        self.layers = [Inner(), Inner()]
        self.a = tf.Variable(3.0, name="a")
        self.dup = self.a
        self.d = {"k": Inner()}

    @tf.Module.with_name_scope
    def make(self, x):
        return tf.Variable(x, name="made")


def test_tracking_order_and_dedup_as_tf():
    m = Outer()
    # The order TF 2.21 gives: own attributes sorted, then submodules breadth first.
    assert [v.name for v in m.variables] == ["a:0", "outer/z:0", "c:0", "w:0", "c:0", "w:0",
                                             "c:0", "w:0"]
    assert [v.name for v in m.trainable_variables] == ["a:0", "outer/z:0", "w:0", "w:0", "w:0"]
    assert len(m.non_trainable_variables) == 3
    assert [type(s).__name__ for s in m.submodules] == ["Inner"] * 3
    assert m.submodules[0] is m.d["k"]


def test_names_and_scopes():
    m = Outer()
    assert m.name == "outer" and m.name_scope.name == "outer/"
    assert m.make(1.0).name == "outer/made:0"
    assert Outer(name="x").name == "x"

    class MyLongName(tf.Module):
        pass

    assert MyLongName().name == "my_long_name"
    with pytest.raises(ValueError, match="valid Python identifiers"):
        tf.Module(name="bad name")


def test_name_scope_nesting_and_absolute():
    with tf.name_scope("ns") as scope:
        assert scope == "ns/"
        assert tf.Variable(1.0, name="v").name == "ns/v:0"
        with tf.name_scope("b") as inner:
            assert inner == "ns/b/" and tf.get_current_name_scope() == "ns/b"
            with tf.name_scope("top/"):
                assert tf.Variable(1.0).name == "top/Variable:0"
    assert tf.get_current_name_scope() == ""


def test_flatten_with_path_and_training():
    class Linear(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(np.ones((2, 1)))
            self.b = tf.Variable(np.zeros(1))

        def __call__(self, x):
            return x @ self.w + self.b

    model = Linear()
    paths = [p for p, _ in model._flatten(with_path=True, predicate=lambda v: hasattr(v, "assign"))]
    assert paths == [("b",), ("w",)]
    x = tf.constant(np.array([[1.0, 2.0]]))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(model(x))
    grads = tape.gradient(loss, model.trainable_variables)
    np.testing.assert_allclose(grads[0].numpy(), [1.0])
    np.testing.assert_allclose(grads[1].numpy(), [[1.0], [2.0]])


def test_variable_creator_scope_chains_innermost_first():
    calls = []

    def untrainable(next_creator, **kwargs):
        calls.append("outer")
        kwargs["trainable"] = False
        return next_creator(**kwargs)

    def renamed(next_creator, **kwargs):
        calls.append("inner")
        kwargs["name"] = "renamed"
        return next_creator(**kwargs)

    with tf.variable_creator_scope(untrainable):
        with tf.variable_creator_scope(renamed):
            v = tf.Variable(3.0, name="original")
    assert calls == ["inner", "outer"]
    assert v.name == "renamed:0" and not v.trainable and float(v) == 3.0
    assert tf.Variable(1.0).trainable  # outside the scope: unchanged
