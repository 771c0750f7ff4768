"""A fuzzer of public ops: random (often wrong) shapes, dtypes and arguments, run eagerly
and compiled with unknown dimensions, classified the same way.

An outcome is ``("ok", values)`` or ``("error", kind)``.  Allowed errors are the ones
TensorFlow raises for bad input: its ``OpError`` classes, ``ValueError`` and
``TypeError``.  Anything else (``IndexError``, ``KeyError``, ``ZeroDivisionError``,
``MemoryError``, NumPy's ``AxisError``...) is a *raw* error: a defect.
"""

from __future__ import annotations

import random
import warnings

import numpy as np

import fluxion as tf
from fluxion.core import errors

ALLOWED = (errors.OpError, ValueError, TypeError)
RAW_ALWAYS = (IndexError, KeyError, AttributeError, ZeroDivisionError, MemoryError,
              OverflowError, RecursionError, AssertionError, np.exceptions.AxisError)


def classify(error: BaseException) -> str:
    if isinstance(error, RAW_ALWAYS) and not isinstance(error, errors.OpError):
        return "raw"
    return "allowed" if isinstance(error, ALLOWED) else "raw"


def _shape(rng: random.Random, rank: int | None = None) -> list:
    rank = rng.choice([0, 1, 1, 2, 2, 3]) if rank is None else rank
    return [rng.choice([1, 2, 3, 4]) for _ in range(rank)]


def _array(rng: random.Random, shape, dtype="float32"):
    data = np.random.default_rng(rng.randrange(1 << 30)).normal(size=shape)
    if dtype.startswith("int"):
        data = np.round(data * 3)
    return data.astype(dtype)


# Each case: (name, builder) where builder(rng) -> (function, [arrays], kwargs-free).
def _cases():
    def unary(op):
        return lambda rng: (op, [_array(rng, _shape(rng))])

    def binary(op):
        return lambda rng: (op, [_array(rng, _shape(rng)), _array(rng, _shape(rng))])

    def with_axis(op):
        def build(rng):
            axis = rng.choice([-3, -2, -1, 0, 1, 2, 3])
            return (lambda x: op(x, axis=axis)), [_array(rng, _shape(rng))]
        return build

    def squeeze(rng):
        axis = rng.choice([0, 1, -1])
        return (lambda x: tf.squeeze(x, axis=axis)), [_array(rng, _shape(rng))]

    def roll(rng):
        shift, axis = rng.choice([1, -2, 5]), rng.choice([0, 1, -1])
        return (lambda x: tf.roll(x, shift, axis)), [_array(rng, _shape(rng))]

    def split(rng):
        sizes = rng.choice([[1, 1], [2, 1], [1, 2], [3]])
        return (lambda x: tf.split(x, sizes, axis=0)), [_array(rng, _shape(rng, 2))]

    def unstack(rng):
        num = rng.choice([1, 2, 3])
        return (lambda x: tf.unstack(x, num=num)), [_array(rng, _shape(rng, 2))]

    def slice_(rng):
        begin, size = [rng.choice([0, 1, 3])], [rng.choice([1, 2, -1])]
        return (lambda x: tf.slice(x, begin, size)), [_array(rng, _shape(rng, 1))]

    def boolean_mask(rng):
        x = _array(rng, _shape(rng, 1))
        mask = np.array([rng.random() < 0.5 for _ in range(rng.choice([1, 2, 3, 4]))])
        return tf.boolean_mask, [x, mask]

    def bias_add(rng):
        return tf.nn.bias_add, [_array(rng, _shape(rng, 2)), _array(rng, _shape(rng, 1))]

    def sigmoid_xent(rng):
        return (lambda a, b: tf.nn.sigmoid_cross_entropy_with_logits(labels=a, logits=b),
                [_array(rng, _shape(rng, 1)), _array(rng, _shape(rng, 1))])

    def gather(rng):
        x = _array(rng, _shape(rng, 1))
        index = np.array([rng.choice([-5, -1, 0, 1, 3, 7])], np.int32)
        return tf.gather, [x, index]

    def reshape(rng):
        target = rng.choice([[-1], [2, -1], [4], [3, 2], [-1, -1]])
        return (lambda x: tf.reshape(x, target)), [_array(rng, _shape(rng))]

    def floordiv_int(rng):
        return (tf.math.floordiv, [_array(rng, _shape(rng, 1), "int32"),
                                   np.zeros(1, np.int32) + rng.choice([0, 2])])

    def matmul(rng):
        return tf.matmul, [_array(rng, _shape(rng, 2)), _array(rng, _shape(rng, 2))]

    def concat(rng):
        axis = rng.choice([0, 1])
        return ((lambda a, b: tf.concat([a, b], axis=axis)),
                [_array(rng, _shape(rng, 2)), _array(rng, _shape(rng, 2))])

    def transpose(rng):
        perm = rng.choice([[1, 0], [0, 1], [2, 0, 1], [0]])
        return (lambda x: tf.transpose(x, perm)), [_array(rng, _shape(rng, 2))]

    def one_hot(rng):
        depth = rng.choice([0, 1, 3])
        return ((lambda i: tf.one_hot(i, depth)),
                [np.array([rng.choice([-1, 0, 2, 5])], np.int32)])

    def tile(rng):
        multiples = rng.choice([[2], [1, 2], [2, 1, 1]])
        return (lambda x: tf.tile(x, multiples)), [_array(rng, _shape(rng, 2))]

    def pad(rng):
        mode = rng.choice(["CONSTANT", "REFLECT", "SYMMETRIC"])
        amount = rng.choice([1, 2, 4])
        return ((lambda x: tf.pad(x, [[amount, amount]], mode=mode)),
                [_array(rng, _shape(rng, 1))])

    def broadcast_to(rng):
        target = _shape(rng, 2)
        return ((lambda x: tf.broadcast_to(x, target)), [_array(rng, _shape(rng))])

    def bad_axis(op):
        def build(rng):
            axis = rng.choice([0, 1.5, "1", None, [0, 0], (5,), -7])
            return (lambda x: op(x, axis=axis)), [_array(rng, _shape(rng))]
        return build

    def repeat(rng):  # per-element repeats along an unknown axis: not supported traced
        repeats, axis = rng.choice([2, 0, -1, 3]), rng.choice([0, 1, None])
        return (lambda x: tf.repeat(x, repeats, axis=axis)), [_array(rng, _shape(rng))]

    def conv2d(rng):
        kernel = _array(rng, [rng.choice([1, 2, 3]), rng.choice([1, 3]),
                              rng.choice([1, 2]), rng.choice([1, 2])])
        padding = rng.choice(["SAME", "VALID"])
        return ((lambda x, k: tf.nn.conv2d(x, k, 1, padding)),
                [_array(rng, [rng.choice([1, 2]), rng.choice([2, 4]), rng.choice([2, 4]),
                              rng.choice([1, 2])]), kernel])

    def depthwise(rng):
        kernel = _array(rng, [rng.choice([1, 3]), rng.choice([1, 3]), rng.choice([1, 2]), 1])
        return ((lambda x, k: tf.nn.depthwise_conv2d(x, k, [1, 1, 1, 1], "SAME")),
                [_array(rng, [1, rng.choice([2, 3]), rng.choice([2, 3]),
                              rng.choice([1, 2])]), kernel])

    def max_pool(rng):
        size, padding = rng.choice([1, 2, 3, 5]), rng.choice(["SAME", "VALID"])
        return ((lambda x: tf.nn.max_pool2d(x, size, size, padding)),
                [_array(rng, [1, rng.choice([1, 2, 4]), rng.choice([2, 4]), 1])])

    def reduce_mean_keep(rng):
        axis = rng.choice([[0, 1], [1], [-1, 0], [2]])
        return ((lambda x: tf.reduce_mean(x, axis=axis, keepdims=True)),
                [_array(rng, _shape(rng, 2))])

    return [
        ("reduce_sum bad axis", bad_axis(tf.reduce_sum)),
        ("argmax bad axis", bad_axis(tf.argmax)),
        ("expand_dims bad axis", bad_axis(tf.expand_dims)),
        ("repeat", repeat), ("conv2d", conv2d), ("depthwise_conv2d", depthwise),
        ("max_pool2d", max_pool), ("reduce_mean keepdims", reduce_mean_keep),
        ("add", binary(tf.add)), ("multiply", binary(tf.multiply)),
        ("maximum", binary(tf.maximum)), ("squared_difference",
                                          binary(tf.math.squared_difference)),
        ("exp", unary(tf.exp)), ("softmax", with_axis(tf.nn.softmax)),
        ("reduce_sum", with_axis(tf.reduce_sum)), ("reduce_max", with_axis(tf.reduce_max)),
        ("argmax", with_axis(tf.argmax)), ("cumsum", with_axis(tf.cumsum)),
        ("expand_dims", with_axis(tf.expand_dims)), ("squeeze", squeeze), ("roll", roll),
        ("split", split), ("unstack", unstack), ("slice", slice_),
        ("boolean_mask", boolean_mask), ("bias_add", bias_add),
        ("sigmoid_cross_entropy", sigmoid_xent), ("gather", gather), ("reshape", reshape),
        ("floordiv_int", floordiv_int), ("matmul", matmul), ("concat", concat),
        ("transpose", transpose), ("one_hot", one_hot), ("tile", tile), ("pad", pad),
        ("broadcast_to", broadcast_to),
    ]


CASES = _cases()


# Ops whose channel (last) dimension and filters TF itself requires known when traced
# (convolutions): compiled with the input's other dimensions unknown.
STATIC_CHANNELS = {"conv2d", "depthwise_conv2d"}


def outcome(function, arrays, compiled: bool, static_channels: bool = False):
    """Runs ``function`` on ``arrays`` eagerly, or compiled with every dimension unknown
    (but the last, with ``static_channels``)."""
    try:
        if compiled:
            def spec(a, position):
                dims = [None] * np.ndim(a)
                if static_channels and position > 0:  # filters: known, as variables are
                    dims = list(np.shape(a))
                elif static_channels and dims:
                    dims[-1] = np.shape(a)[-1]
                return tf.TensorSpec(dims, tf.as_dtype(np.asarray(a).dtype))

            signature = [spec(a, i) for i, a in enumerate(arrays)]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = tf.function(function, input_signature=signature,
                                     autograph=False)(*arrays)
        else:
            result = function(*[tf.constant(a) for a in arrays])
    except Exception as error:  # noqa: BLE001 - classifying is the point
        return ("error", classify(error), f"{type(error).__name__}: {str(error)[:160]}")
    values = [np.asarray(t) for t in tf.nest.flatten(result)]
    return ("ok", values, "")


def same(a, b) -> bool:
    if a[0] != b[0]:
        return False
    if a[0] == "error":
        return True
    return len(a[1]) == len(b[1]) and all(
        x.shape == y.shape and np.allclose(x, y, equal_nan=True) for x, y in zip(a[1], b[1]))


def fuzz(seed: int, trials: int):
    """Yields ``(case, problem, detail)`` for every raw error or eager/compiled mismatch."""
    rng = random.Random(seed)
    for _ in range(trials):
        name, build = rng.choice(CASES)
        function, arrays = build(rng)
        eager = outcome(function, arrays, compiled=False)
        compiled = outcome(function, arrays, compiled=True,
                           static_channels=name in STATIC_CHANNELS)
        for mode, result in (("eager", eager), ("compiled", compiled)):
            if result[0] == "error" and result[1] == "raw":
                yield name, f"raw error ({mode})", result[2]
        if not same(eager, compiled):
            shapes = [np.shape(a) for a in arrays]
            yield name, "eager/compiled disagree", f"{shapes}: eager {eager[0]} {eager[2]} " \
                                                   f"| compiled {compiled[0]} {compiled[2]}"
