"""tf.strings against real TensorFlow's results (fixtures/make_strings_fixtures.py holds
each case's expression; here it is evaluated with ``tf`` bound to Fluxion)."""

import json
import os

import numpy as np
import pytest

import fluxion as tf

with open(os.path.join(os.path.dirname(__file__), "fixtures", "strings_fixtures.json")) as f:
    FIX = json.load(f)


def to_json(value):
    """Results as plain JSON-like values (RaggedTensors through ``to_list``)."""
    if isinstance(value, (tuple, list)):
        return [to_json(v) for v in value]
    if hasattr(value, "to_list"):
        return to_json(value.to_list())
    if isinstance(value, tf.Tensor):
        array = value.numpy()
        return to_json(array.tolist() if np.ndim(array) else
                       (array if isinstance(array, bytes) else np.asarray(array).item()))
    if isinstance(value, bytes):
        return {"bytes": value.decode("latin-1")}
    if isinstance(value, np.generic):
        return value.item()
    return value


def assert_same(got, want, path="result"):
    if isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), f"{path}: {got} != {want}"
        for i, (g, w) in enumerate(zip(got, want)):
            assert_same(g, w, f"{path}[{i}]")
    elif isinstance(want, float):
        assert got == pytest.approx(want, rel=1e-6), f"{path}: {got} != {want}"
    else:
        assert got == want, f"{path}: {got} != {want}"


@pytest.mark.parametrize("name", sorted(FIX))
def test_matches_tensorflow(name):
    expr = FIX[name]["expr"]
    assert_same(to_json(eval(expr)), FIX[name]["result"])


def test_dtypes_and_shapes():
    assert tf.strings.length(["a"]).dtype == tf.int32
    assert tf.strings.to_hash_bucket_fast(["a"], 3).dtype == tf.int64
    assert tf.strings.regex_full_match("a", "a").dtype == tf.bool
    assert tf.strings.join(["a", "b"]).shape == ()
    assert tf.strings.format("{}", [tf.constant(1)]).dtype == tf.string


def test_errors_are_clear():
    with pytest.raises(tf.errors.InvalidArgumentError, match="could not correctly convert"):
        tf.strings.to_number(["1.5x"])
    with pytest.raises(TypeError, match="expected a string tensor"):
        tf.strings.length([1, 2])
    with pytest.raises(ValueError, match="placeholders"):
        tf.strings.format("{} {}", [tf.constant(1)])
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of range"):
        tf.strings.substr(["abc"], 5, 1)


def test_string_ops_run_inside_function():
    @tf.function
    def clean(x):
        return tf.strings.length(tf.strings.regex_replace(tf.strings.lower(x), "[^a-z]", ""))

    np.testing.assert_array_equal(clean(tf.constant(["Hello, World!", "ABC"])).numpy(),
                                  [10, 3])
