"""Segment reductions against a NumPy loop, with finite-difference gradients."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.testing.op_check import check_op

DATA = np.array([[1.0, -2.0], [3.0, 0.5], [-1.5, 4.0], [2.0, 2.5], [0.25, -3.0]])
IDS = np.array([0, 0, 2, 3, 0], np.int32)
SORTED = np.array([0, 0, 1, 3, 3], np.int32)


def reference(kind, data, ids, num, empty):
    out = np.full((num,) + data.shape[1:], empty, data.dtype)
    for k in range(num):
        rows = data[ids == k]
        if len(rows):
            out[k] = {"sum": rows.sum(0), "mean": rows.mean(0), "max": rows.max(0),
                      "min": rows.min(0), "prod": rows.prod(0),
                      "sqrt_n": rows.sum(0) / np.sqrt(len(rows))}[kind]
    return out


@pytest.mark.parametrize("kind,empty", [("sum", 0), ("mean", 0), ("sqrt_n", 0),
                                        ("max", -np.finfo(np.float64).max),
                                        ("min", np.finfo(np.float64).max), ("prod", 1)])
def test_unsorted(kind, empty):
    op = getattr(tf.math, f"unsorted_segment_{kind}")
    # Finite differences cannot see through the huge fill of empty max/min segments.
    ids, num = (np.array([0, 1, 2, 3, 0], np.int32), 4) if kind in ("max", "min") else (IDS, 5)
    check_op(lambda d: op(d, ids, num), [DATA.copy()],
             lambda d: reference(kind, d, ids, num, empty), second_order=False)
    got = op(DATA, IDS, 5).numpy()
    np.testing.assert_allclose(got, reference(kind, DATA, IDS, 5, empty))


@pytest.mark.parametrize("kind,empty", [("sum", 0), ("mean", 0), ("max", 0), ("min", 0),
                                        ("prod", 1)])
def test_sorted(kind, empty):
    op = getattr(tf.math, f"segment_{kind}")
    check_op(lambda d: op(d, SORTED), [DATA.copy()],
             lambda d: reference(kind, d, SORTED, 4, empty), second_order=False)


def test_negative_ids_dropped_and_prod_gradient_with_zeros():
    got = tf.math.unsorted_segment_sum(tf.constant([1, 2, 3]), [0, -1, 0], 1)
    assert got.numpy().tolist() == [4]
    data = np.array([0.0, 2.0, 3.0, 0.0, 0.0, 5.0])
    ids = np.array([0, 0, 0, 1, 1, 2], np.int32)
    check_op(lambda d: tf.math.unsorted_segment_prod(d, ids, 3), [data],
             lambda d: reference("prod", d, ids, 3, 1), second_order=False)


def test_traced_unknown_ids():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.int32)])
    def run(ids):
        return tf.math.segment_sum(tf.ones_like(ids), ids)

    assert run(tf.constant([0, 0, 2])).numpy().tolist() == [2, 0, 1]
