"""Top-level names added for TF 2.21 parity: array ops against NumPy (values checked
against TF 2.21 where TF's rule differs from NumPy's), assertions, framework helpers."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.testing.op_check import check_op


def test_truncating_division_and_unravel():
    x = np.array([-7, 7, -8, 5], np.int32)
    y = np.array([2, -2, 3, 5], np.int32)
    check_op(tf.truncatediv, [x, y], lambda a, b: np.trunc(a / b).astype(np.int32), grad=False)
    check_op(tf.truncatemod, [x, y], np.fmod, grad=False)
    check_op(tf.truncatemod, [x.astype(np.float64), y.astype(np.float64)], np.fmod, grad=False)
    got = tf.unravel_index([22, 41, 37], [7, 6])
    np.testing.assert_array_equal(got.numpy(), np.array(np.unravel_index([22, 41, 37], (7, 6))))
    assert tf.unravel_index(5, [2, 3]).numpy().tolist() == [1, 2]


def test_partition_stitch_reverse_sequence():
    data = np.arange(10.0).reshape(5, 2)
    parts = tf.dynamic_partition(data, [0, 1, 0, 2, 1], 3)
    np.testing.assert_array_equal(parts[0].numpy(), data[[0, 2]])
    np.testing.assert_array_equal(parts[2].numpy(), data[[3]])
    stitched = tf.dynamic_stitch([[0, 2], [1, 3]], [data[:2], data[2:4]])
    np.testing.assert_array_equal(stitched.numpy(), data[[0, 2, 1, 3]])
    seqs = np.arange(24.0).reshape(2, 4, 3)

    def expected(x):
        out = x.copy()
        for b, n in enumerate([3, 1]):
            out[b, :n] = x[b, :n][::-1]
        return out

    check_op(lambda x: tf.reverse_sequence(x, [3, 1], seq_axis=1, batch_axis=0), [seqs],
             expected)


def test_scatter_max_min_with_duplicates():
    t = np.array([1.0, 5.0, 3.0, 0.0])
    got = tf.tensor_scatter_nd_max(t, [[0], [2], [0]], [4.0, 2.0, 7.0])
    assert got.numpy().tolist() == [7.0, 5.0, 3.0, 0.0]
    got = tf.tensor_scatter_nd_min(t, [[1], [1]], [2.0, -1.0])
    assert got.numpy().tolist() == [1.0, -1.0, 3.0, 0.0]


def test_bitcast_and_space_to_batch_roundtrip():
    x = np.array([1.0, -2.0], np.float32)
    np.testing.assert_array_equal(tf.bitcast(x, tf.int32).numpy(), x.view(np.int32))
    assert tf.bitcast(tf.constant([1], tf.int32), tf.uint8).shape == [1, 4]
    image = np.arange(2 * 4 * 6 * 3, dtype=np.float64).reshape(2, 4, 6, 3)
    batched = tf.space_to_batch_nd(image, [2, 3], [[0, 0], [0, 0]])
    assert batched.shape == [12, 2, 2, 3]
    # TF 2.21: batch b = (i * 3 + j) * 2 + n holds image[n, i::2, j::3]
    np.testing.assert_array_equal(batched.numpy()[(1 * 3 + 2) * 2 + 1], image[1, 1::2, 2::3])
    back = tf.batch_to_space(batched, [2, 3], [[0, 0], [0, 0]])
    np.testing.assert_array_equal(back.numpy(), image)
    padded = tf.space_to_batch(image[:, :3], [2, 3], [[0, 1], [0, 0]])
    np.testing.assert_array_equal(tf.batch_to_space(padded, [2, 3], [[0, 1], [0, 0]]).numpy(),
                                  image[:, :3])
    pads, crops = tf.required_space_to_batch_paddings([5, 7], [2, 3])
    assert pads.numpy().tolist() == [[0, 1], [0, 2]] and crops.numpy().tolist() == [[0, 1],
                                                                                    [0, 2]]


def test_histograms_and_stack():
    values = [-1.0, 0.0, 1.5, 2.0, 5.0, 15.0]
    assert tf.histogram_fixed_width(values, [0.0, 5.0], nbins=5).numpy().tolist() == \
        [2, 1, 1, 0, 2]
    assert tf.histogram_fixed_width_bins(values, [0.0, 5.0], nbins=5).numpy().tolist() == \
        [0, 0, 1, 2, 4, 4]
    assert tf.parallel_stack([[1], [2]]).numpy().tolist() == [[1], [2]]


def test_assertions_eager_and_traced():
    tf.assert_equal(tf.constant([1, 2]), [1, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="x > y"):
        tf.assert_greater(tf.constant([1, 2]), 1)
    with pytest.raises(ValueError, match="rank 2"):
        tf.assert_rank(tf.constant([1]), 2)

    @tf.function
    def checked(x):
        tf.Assert(tf.reduce_all(x > 0), [x])
        return x * 2

    assert checked(tf.constant([1.0])).numpy().tolist() == [2.0]
    with pytest.raises(tf.errors.InvalidArgumentError, match="assertion failed"):
        checked(tf.constant([-1.0]))


def test_framework_helpers():
    assert tf.ensure_shape(tf.zeros([2, 3]), [None, 3]).shape == [2, 3]
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.ensure_shape(tf.zeros([2, 3]), [3])
    assert tf.get_static_value(tf.constant(3)) == 3 and not tf.inside_function()
    assert tf.broadcast_static_shape(tf.TensorShape([2, 1]), tf.TensorShape([3])) == [2, 3]
    assert tf.broadcast_dynamic_shape([2, 1], [1, 3]).numpy().tolist() == [2, 3]
    assert tf.group(tf.constant(1)) is None and tf.no_op() is None
    with tf.control_dependencies([tf.constant(1)]):
        assert float(tf.identity_n([tf.constant(2.0)])[0]) == 2.0
    spec = tf.DeviceSpec.from_string("/job:worker/replica:0/task:1/device:GPU:2")
    assert spec.job == "worker" and spec.device_type == "GPU" and spec.device_index == 2
    assert spec.replace(device_type="CPU", device_index=0).to_string() == \
        "/job:worker/replica:0/task:1/device:CPU:0"
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.grad_pass_through(tf.round)(x * 1.3))
    assert tape.gradient(y, x).numpy().tolist() == pytest.approx([1.3, 1.3])
    (hessian,) = tf.hessians(lambda: tf.reduce_sum(x ** 3), [x])
    np.testing.assert_allclose(hessian.numpy(), np.diag(6 * x.numpy()))
    assert float(tf.timestamp()) > 1e9 and tf.get_logger().name == "tensorflow"


def test_type_specs_and_misc():
    rt = tf.ragged.constant([[1], [2, 3]])
    spec = tf.type_spec_from_value(rt)
    assert spec == tf.RaggedTensorSpec([2, None], tf.int32, 1, tf.int64)
    assert tf.RaggedTensorSpec([None, None], tf.int32).is_compatible_with(rt)
    assert not tf.RaggedTensorSpec([None, None], tf.float32).is_compatible_with(rt)
    sp = tf.sparse.from_dense([[0, 1]])
    assert tf.type_spec_from_value(sp) == tf.SparseTensorSpec([1, 2], tf.int32)
    merged = tf.SparseTensorSpec([1, 2], tf.int32).most_specific_common_supertype(
        [tf.SparseTensorSpec([3, 2], tf.int32)])
    assert merged.shape.as_list() == [None, 2]
    assert tf.type_spec_from_value(tf.constant([1.0])) == tf.TensorSpec([1], tf.float32)
    assert isinstance(tf.type_spec_from_value(None), tf.NoneTensorSpec)
    ta_spec = tf.type_spec_from_value(tf.TensorArray(tf.float32, size=1, element_shape=[2]))
    assert ta_spec.element_shape.as_list() == [2]
    assert [s.numpy().tolist() for s in tf.shape_n([tf.zeros([2, 3]), tf.zeros([4])])] == \
        [[2, 3], [4]]
    assert tf.CriticalSection().execute(lambda: 5) == 5
    batched = tf.nondifferentiable_batch_function(1, 8, 1000)(lambda x: x * 2)
    assert batched(tf.constant([1.0])).numpy().tolist() == [2.0]


def test_register_tensor_conversion_function():
    class Meters:
        def __init__(self, value):
            self.value = value

    tf.register_tensor_conversion_function(
        Meters, lambda v, dtype=None, name=None, as_ref=False: tf.constant(v.value, dtype))
    assert float(tf.add(Meters(2.0), 1.0)) == 3.0
    assert tf.convert_to_tensor(Meters([1, 2])).numpy().tolist() == [1, 2]
    with pytest.raises(TypeError, match="cannot override"):
        tf.register_tensor_conversion_function(list, lambda v, **_: v)


def test_tensor_proto_roundtrip():
    pytest.importorskip("tensorboard")
    proto = tf.make_tensor_proto(tf.constant([[1.0, 2.0], [3.0, 4.0]]))
    assert proto.dtype == 1 and [d.size for d in proto.tensor_shape.dim] == [2, 2]
    np.testing.assert_array_equal(tf.make_ndarray(proto), [[1.0, 2.0], [3.0, 4.0]])
    ints = tf.make_tensor_proto([1, 2], dtype=tf.int64, shape=[2])
    assert ints.dtype == 9 and tf.make_ndarray(ints).tolist() == [1, 2]
    assert tf.make_ndarray(tf.make_tensor_proto(["a", b"b"])).tolist() == [b"a", b"b"]


def test_approx_top_k_is_exact():
    x = tf.constant([[1.0, 5.0, 3.0], [9.0, 2.0, 4.0]])
    values, indices = tf.approx_top_k(x, 2)
    assert values.numpy().tolist() == [[5.0, 3.0], [9.0, 4.0]]
    assert indices.numpy().tolist() == [[1, 2], [0, 2]]
    values, _ = tf.approx_top_k(x, 1, reduction_dimension=0, is_max_k=False)
    assert values.numpy().tolist() == [[1.0, 2.0, 3.0]]


def test_ragged_fill_empty_rows_as_tf_and_check_pinned():
    filled = tf.ragged_fill_empty_rows(value_rowids=tf.constant([0, 0, 2], tf.int64),
                                       values=tf.constant([1.0, 2.0, 3.0]),
                                       nrows=tf.constant(4, tf.int64),
                                       default_value=tf.constant(-1.0))
    assert filled.output_value_rowids.numpy().tolist() == [0, 0, 1, 2, 3]
    assert filled.output_values.numpy().tolist() == [1.0, 2.0, -1.0, 3.0, -1.0]
    assert filled.empty_row_indicator.numpy().tolist() == [False, True, False, True]
    assert filled.reverse_index_map.numpy().tolist() == [0, 1, 3]
    grads = tf.ragged_fill_empty_rows_grad(tf.constant([0, 1, 3], tf.int64),
                                           tf.constant([1.0, 2.0, 3.0, 4.0, 5.0]))
    assert grads.d_values.numpy().tolist() == [1.0, 2.0, 4.0]
    assert float(grads.d_default_value) == 8.0
    with pytest.raises(tf.errors.FailedPreconditionError):
        tf.check_pinned(tf.constant(1.0))
    assert tf.as_string(tf.constant([1, 2])).numpy().tolist() == [b"1", b"2"]
