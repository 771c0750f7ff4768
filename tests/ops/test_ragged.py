"""RaggedTensor and tf.ragged.*: against Python lists (TF 2.21's values), and gradients."""

import numpy as np
import pytest

import fluxion as tf

ROWS = [[3, 1, 4, 1], [], [5, 9, 2], [6]]


def test_constant_encodings():
    rt = tf.ragged.constant(ROWS)
    assert rt.to_list() == ROWS and rt.ragged_rank == 1 and rt.dtype == tf.int32
    assert rt.row_splits.numpy().tolist() == [0, 4, 4, 7, 8]
    assert rt.row_lengths().numpy().tolist() == [4, 0, 3, 1]
    assert rt.value_rowids().numpy().tolist() == [0, 0, 0, 0, 2, 2, 2, 3]
    assert int(rt.nrows()) == 4 and rt.shape.as_list() == [4, None]
    assert rt.bounding_shape().numpy().tolist() == [4, 4]
    flat = [3, 1, 4, 1, 5, 9, 2, 6]
    for made in (tf.RaggedTensor.from_row_lengths(flat, [4, 0, 3, 1]),
                 tf.RaggedTensor.from_row_splits(flat, [0, 4, 4, 7, 8]),
                 tf.RaggedTensor.from_value_rowids(flat, [0, 0, 0, 0, 2, 2, 2, 3], nrows=4),
                 tf.RaggedTensor.from_row_starts(flat, [0, 4, 4, 7]),
                 tf.RaggedTensor.from_row_limits(flat, [4, 4, 7, 8])):
        assert made.to_list() == ROWS
    with pytest.raises(ValueError, match="non-decreasing"):
        tf.RaggedTensor.from_row_splits(flat, [0, 5, 4, 8])


def test_nested_and_inner_shape():
    rt = tf.ragged.constant([[[1, 2], [3]], [[4, 5, 6]]])
    assert rt.ragged_rank == 2 and rt.to_list() == [[[1, 2], [3]], [[4, 5, 6]]]
    assert [s.numpy().tolist() for s in rt.nested_row_splits] == [[0, 2, 3], [0, 2, 3, 6]]
    dense = rt.to_tensor().numpy().tolist()
    assert dense == [[[1, 2, 0], [3, 0, 0]], [[4, 5, 6], [0, 0, 0]]]
    uniform = tf.ragged.constant([[[1, 2]], [[3, 4], [5, 6]]], ragged_rank=1)
    assert uniform.ragged_rank == 1 and uniform.values.shape.as_list() == [3, 2]


def test_to_tensor_from_tensor_and_sparse():
    rt = tf.ragged.constant(ROWS)
    dense = rt.to_tensor(default_value=-1).numpy()
    assert dense.tolist() == [[3, 1, 4, 1], [-1] * 4, [5, 9, 2, -1], [6, -1, -1, -1]]
    assert rt.to_tensor(shape=[2, 2]).numpy().tolist() == [[3, 1], [0, 0]]
    back = tf.RaggedTensor.from_tensor(dense, padding=-1)
    assert back.to_list() == ROWS
    cut = tf.RaggedTensor.from_tensor([[1, 2, 3], [4, 5, 6]], lengths=[1, 3])
    assert cut.to_list() == [[1], [4, 5, 6]]
    sp = rt.to_sparse()
    np.testing.assert_array_equal(tf.sparse.to_dense(sp).numpy(), rt.to_tensor().numpy())


def test_indexing_and_arithmetic():
    rt = tf.ragged.constant(ROWS)
    assert rt[0].numpy().tolist() == [3, 1, 4, 1] and rt[-1].numpy().tolist() == [6]
    assert rt[1:3].to_list() == [[], [5, 9, 2]]
    assert int(rt[2, 1]) == 9
    assert tf.ragged.constant([[1, 2], [3, 4, 5]])[:, 0].numpy().tolist() == [1, 3]
    assert (rt * 2 + 1).to_list() == [[2 * v + 1 for v in row] for row in ROWS]
    assert (rt + rt).to_list() == [[2 * v for v in row] for row in ROWS]
    doubled = tf.ragged.map_flat_values(tf.multiply, rt, 3)
    assert doubled.to_list() == [[3 * v for v in row] for row in ROWS]


def test_namespace_functions():
    assert tf.ragged.range([0, 5], [3, 7]).to_list() == [[0, 1, 2], [5, 6]]
    assert tf.ragged.range(3).to_list() == [[0, 1, 2]]
    ids = tf.ragged.row_splits_to_segment_ids([0, 2, 2, 5]).numpy().tolist()
    assert ids == [0, 0, 2, 2, 2]
    splits = tf.ragged.segment_ids_to_row_splits([0, 0, 2, 2, 2], num_segments=4)
    assert splits.numpy().tolist() == [0, 2, 2, 5, 5]
    a = tf.ragged.constant([[1], [2, 3]])
    b = tf.ragged.constant([[4, 5, 6]])
    assert tf.ragged.stack([a, b]).to_list() == [[[1], [2, 3]], [[4, 5, 6]]]
    masked = tf.ragged.boolean_mask([[1, 2, 3], [4, 5, 6]],
                                    [[True, False, True], [False, False, True]])
    assert masked.to_list() == [[1, 3], [6]]
    parts = tf.ragged.stack_dynamic_partitions([10, 20, 30, 40], [1, 0, 1, 2], 3)
    assert parts.to_list() == [[20], [10, 30], [40]]


def test_through_function_and_gradients():
    @tf.function
    def padded_sum(rt):
        return tf.reduce_sum(rt.to_tensor(), axis=1)

    rt = tf.ragged.constant([[1.0, 2.0], [3.0]])
    assert padded_sum(rt).numpy().tolist() == [3.0, 3.0]
    flat = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(flat)
        dense = tf.RaggedTensor.from_row_lengths(flat, [2, 1]).to_tensor()
        loss = tf.reduce_sum(dense * tf.constant([[1.0, 10.0], [100.0, 1000.0]]))
    assert tape.gradient(loss, flat).numpy().tolist() == [1.0, 10.0, 100.0]
