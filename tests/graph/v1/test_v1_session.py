"""Session.run: fetch structures, feeds and their errors, caching, TF 1 example programs."""

import collections
import os
import subprocess
import sys

import numpy as np
import pytest

import fluxion.compat.v1 as tf
from fluxion.core import context

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
EXAMPLE = os.path.join(ROOT, "examples", "seed_tf1.py")


@pytest.fixture(autouse=True)
def eager_again():
    yield
    tf.enable_eager_execution()
    tf.reset_default_graph()
    assert context.tracer is None


def _run(code: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)


def _check_zero_matrix(stdout: str) -> None:
    rows = [line for line in stdout.splitlines() if line.strip()]
    assert len(rows) == 4, stdout
    values = np.array([float(t) for line in rows for t in line.strip("[] ").split()])
    assert values.shape == (40,) and not values.any()


def test_seed_example_prints_the_zero_matrix():
    result = subprocess.run([sys.executable, EXAMPLE], capture_output=True, text=True,
                            cwd=ROOT, timeout=120,
                            env=dict(os.environ, PYTHONPATH=ROOT))
    assert result.returncode == 0, result.stderr
    _check_zero_matrix(result.stdout)


def test_seed_program_with_compat_v1_import():
    # The example's program through fluxion.compat.v1, whatever the top level exports.
    with open(EXAMPLE) as f:
        source = f.read().replace("import fluxion as tf", "import fluxion.compat.v1 as tf")
    result = _run(source)
    assert result.returncode == 0, result.stderr
    _check_zero_matrix(result.stdout)


def test_seed_program_without_feed_names_the_placeholder():
    code = """
import fluxion.compat.v1 as tf
x = tf.placeholder(tf.float32, shape=[None, 784])
W = tf.Variable(tf.zeros([784, 10]))
b = tf.Variable(tf.zeros([10]))
y = tf.matmul(x, W) + b
init = tf.global_variables_initializer()
with tf.Session() as sess:
    sess.run(init)
    print(sess.run(y))
"""
    result = _run(code)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()
    message = "\n".join(last[-3:])
    assert "InvalidArgumentError" in message
    assert "You must feed a value for placeholder tensor 'Placeholder:0'" in message
    assert "float32" in message and "(None, 784)" in message
    assert "Traceback" in result.stderr and "fluxion/graph" not in last[-1]


def test_missing_feed_error():
    x = tf.placeholder(tf.float32, [None, 3], name="inputs")
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                             match=r"'inputs:0'.*float32.*\(None, 3\)"):
        sess.run(x * 2)


def test_wrong_feed_shape_names_placeholder_and_shapes():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(x + 1, feed_dict={x: np.zeros((2, 4))})
    text = str(info.value)
    assert "'x:0'" in text and "(2, 4)" in text and "(None, 3)" in text
    assert isinstance(info.value, ValueError)  # as TF 1 (a ValueError)


def test_feeds_convert_to_the_placeholder_dtype():
    x = tf.placeholder(tf.float32, [2])
    n = tf.placeholder(tf.int32, [])
    with tf.Session() as sess:
        out = sess.run(x * 2, {x: [1, 2]})
        assert out.dtype == np.float32 and out.tolist() == [2.0, 4.0]
        scalar = sess.run(n + 1, {n: 4})
        assert isinstance(scalar, np.int32) and scalar == 5
        assert sess.run(x, {x: np.array([1.5, 2.5], np.float64)}).dtype == np.float32
        with pytest.raises(TypeError, match="Cannot feed"):
            sess.run(x, {x: ["a", "b"]})


def test_nested_fetch_structures():
    Pair = collections.namedtuple("Pair", "a b")
    x = tf.placeholder(tf.float32, [2])
    v = tf.Variable([1.0, 1.0])
    init = tf.global_variables_initializer()
    with tf.Session() as sess:
        assert sess.run(init) is None
        out = sess.run({"sum": x + v, "pair": Pair(x * 2, [v, init]), "t": (x,)},
                       feed_dict={x: [1.0, 2.0]})
    assert out["sum"].tolist() == [2.0, 3.0]
    assert isinstance(out["pair"], Pair)
    assert out["pair"].a.tolist() == [2.0, 4.0]
    assert out["pair"].b[0].tolist() == [1.0, 1.0] and out["pair"].b[1] is None
    assert isinstance(out["t"], tuple) and out["t"][0].tolist() == [1.0, 2.0]


def test_fetch_values_are_copies():
    v = tf.Variable([1.0, 2.0])
    x = tf.placeholder(tf.float32, [2])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got = sess.run(v)
        got[0] = 100.0
        assert sess.run(v).tolist() == [1.0, 2.0]
        fed = np.array([3.0, 4.0], np.float32)
        sess.run(x, {x: fed})[0] = 0.0
        assert fed.tolist() == [3.0, 4.0]


def test_compiles_once_per_fetch_and_feed_combination():
    x = tf.placeholder(tf.float32, [None])
    y = x * 3 + 1
    with tf.Session() as sess:
        for n in range(1, 5):
            assert sess.run(y, {x: np.ones(n)}).tolist() == [4.0] * n
        assert len(sess._runners) == 1
        sess.run([y, x], {x: [1.0]})
        assert len(sess._runners) == 2


def test_feed_an_intermediate_tensor_and_defaults():
    x = tf.placeholder(tf.float32, [2])
    h = x * 2
    y = h + 1
    d = tf.placeholder_with_default(np.float32(10.0), [], name="d")
    with tf.Session() as sess:
        assert sess.run(y, {h: [5.0, 6.0]}).tolist() == [6.0, 7.0]  # x need not be fed
        assert sess.run(d * 2) == 20.0
        assert sess.run(d * 2, {d: 1.0}) == 2.0


def test_unknown_rank_placeholder_takes_any_shape():
    p = tf.placeholder(tf.float32)
    with tf.Session() as sess:
        assert sess.run(p * 2, {p: 3.0}) == 6.0
        assert sess.run(p * 2, {p: [[1.0, 2.0]]}).tolist() == [[2.0, 4.0]]


def test_concrete_fetches_names_and_bad_fetches():
    x = tf.placeholder(tf.float32, [1], name="named")
    with tf.Session() as sess:
        assert sess.run(tf.constant(2.0) + 1) == 3.0  # built eagerly: a constant
        assert sess.run("named:0", {"named:0": [4.0]}).tolist() == [4.0]
        v = tf.Variable(1.0)
        tf.global_variables_initializer()
        assert sess.run("init") is None and sess.run(v) == 1.0
        with pytest.raises(KeyError, match="nothing"):
            sess.run("nothing")
        with pytest.raises(TypeError, match="invalid type"):
            sess.run(None)
        with pytest.raises(TypeError, match="feed_dict key"):
            sess.run(x, {3: [1.0]})
    with pytest.raises(RuntimeError, match="closed Session"):
        sess.run(x, {x: [1.0]})


def test_tensors_of_another_graph_are_rejected():
    g = tf.Graph()
    with g.as_default():
        a = tf.placeholder(tf.float32, [])
    b = tf.placeholder(tf.float32, [])
    with tf.Session() as sess, pytest.raises(ValueError, match="not an element of this graph"):
        sess.run(a, {b: 1.0})


def test_tensor_eval_and_operation_run_use_the_default_session():
    x = tf.placeholder(tf.float32, [])
    v = tf.Variable(1.0)
    with tf.Session():
        v.initializer.run()
        assert (x + v).eval({x: 2.0}) == 3.0
    with pytest.raises(ValueError, match="No default session"):
        (x + 1).eval({x: 1.0})


def test_outputs_simplified_to_inputs_or_constants_are_copies():
    x = tf.placeholder(tf.float32, [2])
    same = x * 1.0  # the optimizer may return the fed array itself
    folded = tf.constant([1.0, 2.0]) * tf.ones_like(x)
    with tf.Session() as sess:
        fed = np.array([3.0, 4.0], np.float32)
        out = sess.run([same, folded], {x: fed})
        out[0][0] = 0.0
        out[1][0] = 0.0
        assert fed.tolist() == [3.0, 4.0]
        assert sess.run(folded, {x: fed}).tolist() == [1.0, 2.0]
