"""tf.compat.v1 names of TF 2 ops with TF 1 arguments, against NumPy."""

import numpy as np
import pytest

import fluxion as fx
import fluxion.compat.v1 as tf

R = np.random.RandomState(0)


def test_array_ops():
    x = R.rand(4, 1, 1, 1).astype(np.float32)
    out = tf.batch_to_space_nd(x, [2, 2], [[0, 0], [0, 0]])
    np.testing.assert_allclose(out.numpy(), fx.batch_to_space(x, [2, 2], [[0, 0], [0, 0]]))
    image = R.rand(1, 2, 2, 4).astype(np.float32)
    deep = tf.depth_to_space(image, 2)
    assert deep.shape == (1, 4, 4, 1)
    np.testing.assert_allclose(tf.space_to_depth(deep, 2).numpy(), image)
    patches = tf.extract_image_patches(R.rand(1, 4, 4, 1).astype(np.float32),
                                       ksizes=[1, 2, 2, 1], strides=[1, 2, 2, 1],
                                       rates=[1, 1, 1, 1], padding="VALID")
    assert patches.shape == (1, 2, 2, 4)
    params = np.arange(12).reshape(2, 6)
    np.testing.assert_array_equal(tf.batch_gather(params, [[0, 5], [1, 1]]).numpy(),
                                  [[0, 5], [7, 7]])
    np.testing.assert_array_equal(tf.floor_div([7, -7], [2, 2]).numpy(), [3, -4])
    assert tf.to_bfloat16([1.5]).dtype == tf.bfloat16
    out, idx = tf.setdiff1d([1, 2, 3, 4, 2], [2, 4])
    np.testing.assert_array_equal(out.numpy(), [1, 3])
    np.testing.assert_array_equal(idx.numpy(), [0, 2])


def test_math_ops():
    np.testing.assert_array_equal(tf.bincount([1, 1, 3]).numpy(), [0, 2, 0, 1])
    matrix = tf.confusion_matrix([0, 1, 1], [0, 0, 1], num_classes=2).numpy()
    np.testing.assert_array_equal(matrix, [[1, 0], [1, 1]])
    t = np.array([3.0, 4.0], np.float32)  # L2 norm 5, average 2.5
    np.testing.assert_allclose(tf.clip_by_average_norm(t, 1.0).numpy(), t / 2.5, rtol=1e-6)
    np.testing.assert_allclose(tf.clip_by_average_norm(t, 10.0).numpy(), t)


def test_random_ops():
    samples = tf.multinomial(np.float32([[0.0, 0.0, -1e9]]), 200, seed=1)
    assert samples.shape == (1, 200) and set(np.unique(samples.numpy())) <= {0, 1}
    counts = tf.random_poisson([1.0, 50.0], [1000], seed=2).numpy()
    assert counts.shape == (1000, 2)
    np.testing.assert_allclose(counts.mean(0), [1.0, 50.0], rtol=0.15)
    fx.random.set_seed(None)
    assert tf.get_seed(None) == (None, None)
    assert tf.get_seed(3) == (87654321, 3)


def test_string_ops():
    joined = tf.reduce_join([["a", "b"], ["c", "d"]], reduction_indices=1, separator="-")
    assert [s.decode() for s in joined.numpy()] == ["a-b", "c-d"]
    split = tf.string_split(["a b", "c,,d"], sep=" ,")
    assert split.indices.numpy().tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert [v.decode() for v in split.values.numpy()] == ["a", "b", "c", "d"]
    assert split.dense_shape.numpy().tolist() == [2, 2]
    kept = tf.string_split(["c,,d"], sep=",", skip_empty=False)
    assert [v.decode() for v in kept.values.numpy()] == ["c", "", "d"]
    np.testing.assert_allclose(tf.string_to_number(string_tensor=["1.5", "2"]).numpy(),
                               [1.5, 2.0])
    buckets = tf.string_to_hash_bucket(["a", "b", "a"], 10).numpy()
    assert buckets[0] == buckets[2] and 0 <= buckets.min() and buckets.max() < 10
    assert tf.substr("hello", 1, 3).numpy() == b"ell"
    raw = np.array([1, 2], np.int32).tobytes()
    np.testing.assert_array_equal(tf.decode_raw(bytes=raw, out_type=tf.int32).numpy(),
                                  [1, 2])


def test_parse_example_takes_tf1_order():
    example = fx.train.Example(features=fx.train.Features(feature={
        "x": fx.train.Feature(float_list=fx.train.FloatList(value=[1.0, 2.0]))}))
    data = example.SerializeToString()
    features = {"x": tf.FixedLenFeature([2], tf.float32)}
    np.testing.assert_allclose(tf.parse_single_example(data, features)["x"].numpy(),
                               [1.0, 2.0])
    np.testing.assert_allclose(tf.parse_example([data], features)["x"].numpy(),
                               [[1.0, 2.0]])


def test_py_func_and_print(capfd):
    out = tf.py_func(lambda a: (a * 2).astype(np.float32), [np.float32([1.0, 2.0])],
                     tf.float32)
    np.testing.assert_allclose(out.numpy(), [2.0, 4.0])
    with fx.compat.v1.Graph().as_default():
        x = tf.placeholder(tf.float32, [2])
        y = tf.Print(x * 3.0, [x], message="x is ", first_n=1)
        with tf.Session() as sess:
            np.testing.assert_allclose(sess.run(y, {x: [1.0, 2.0]}), [3.0, 6.0])
            sess.run(y, {x: [5.0, 6.0]})
    err = capfd.readouterr().err
    assert "x is [1. 2.]" in err and "5." not in err


def test_conversions_and_dimensions():
    sparse = fx.sparse.SparseTensor([[0, 0]], [1.0], [2, 2])
    assert tf.convert_to_tensor_or_sparse_tensor(sparse) is sparse
    assert tf.convert_to_tensor_or_sparse_tensor([1, 2]).numpy().tolist() == [1, 2]
    slices = fx.IndexedSlices(fx.constant([[1.0]]), fx.constant([0]))
    assert tf.convert_to_tensor_or_indexed_slices(slices) is slices
    assert tf.convert_to_tensor_or_indexed_slices(1.0, tf.float64).dtype == tf.float64
    d = tf.Dimension(3)
    assert int(d + 2) == 5 and (d * tf.Dimension(None)).value is None
    assert d == 3 and tf.Dimension(None).is_compatible_with(4)
    assert tf.dimension_value(d) == 3 and tf.dimension_value(None) is None
    assert tf.dimension_value(7) == 7
    assert tf.dimension_at_index(fx.TensorShape([2, None]), 1).value is None
    assert tf.dimension_at_index(fx.TensorShape([2, None]), 0).value == 2
    with pytest.raises(ValueError):
        tf.Dimension(2).merge_with(3)
    value = tf.SparseTensorValue(np.zeros((1, 2)), np.ones(1), np.array([2, 2]))
    assert value.dense_shape.tolist() == [2, 2] and len(value) == 3
