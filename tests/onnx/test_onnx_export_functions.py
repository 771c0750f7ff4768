"""Plain ``fluxion.function`` s with arbitrary ops (what a table of Keras layers could
never export) become ONNX files that onnxruntime runs to Fluxion's results."""

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
onnxruntime = pytest.importorskip("onnxruntime")

import fluxion as tf  # noqa: E402
import fluxion.onnx  # noqa: E402

RNG = np.random.default_rng(7)


def _run(path, arrays):
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    return session.run(None, dict(zip(names, arrays)))


def assert_function_exports(tmp_path, fn, specs, *argument_sets, opset=17):
    """Exports ``fn`` at ``specs``; for each argument set onnxruntime gives ``fn``'s
    results (shapes, dtypes and values)."""
    path = tmp_path / "f.onnx"
    fluxion.onnx.export(fn, path, opset=opset, input_signature=specs)
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    for arrays in argument_sets:
        expected = fn(*arrays)
        expected = expected if isinstance(expected, (list, tuple)) else [expected]
        got = _run(path, arrays)
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            e = np.asarray(e)
            assert g.shape == e.shape and g.dtype == e.dtype, (g.shape, e.shape, g.dtype,
                                                                e.dtype)
            np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)
    return onnx.load(str(path))


def floats(*shape):
    return RNG.standard_normal(shape).astype("float32")


def spec(*shape, dtype="float32"):
    return tf.TensorSpec(shape, dtype)


def test_matmul_reductions_and_argmax(tmp_path):
    def fn(a, b):
        product = tf.matmul(a, b)
        return (tf.reduce_sum(product, axis=1), tf.reduce_mean(product),
                tf.reduce_max(product, axis=-1, keepdims=True), tf.argmax(product, axis=1),
                tf.reduce_min(tf.abs(product), axis=[0, 1]), tf.reduce_prod(b, axis=0))

    assert_function_exports(tmp_path, fn, [spec(None, 4), spec(4, 3)],
                            [floats(5, 4), floats(4, 3)], [floats(1, 4), floats(4, 3)])


def test_batched_matmul_and_einsum(tmp_path):
    def fn(a, b):
        return tf.matmul(a, b, transpose_b=True), tf.einsum("bij,bkj->bik", a, b)

    assert_function_exports(tmp_path, fn, [spec(None, 3, 4), spec(None, 2, 4)],
                            [floats(2, 3, 4), floats(2, 2, 4)])


def test_gather_where_and_cast(tmp_path):
    table = floats(10, 3)

    def fn(ids, x):
        rows = tf.gather(table, ids)
        positive = tf.where(x > 0.0, x, tf.zeros_like(x) - 1.0)
        counts = tf.cast(tf.reduce_sum(tf.cast(x > 0.0, tf.int32), axis=1), tf.float32)
        return rows, positive, counts, tf.cast(x * 10.0, tf.int32)

    ids = np.array([[1, 9], [0, 3], [4, 4]], np.int32)
    assert_function_exports(tmp_path, fn, [spec(None, 2, dtype="int32"), spec(None, 5)],
                            [ids, floats(3, 5)])


def test_slicing_concat_split_tile_and_pad(tmp_path):
    def fn(x):
        head, tail = tf.split(x, [2, 4], axis=1)
        pieces = [x[:, 1:5:2], x[..., ::-1], x[:, None, -1], x[1:, 0]]
        joined = tf.concat([tail, head], axis=1)
        return [joined, tf.tile(head, [1, 3]), tf.pad(x, [[0, 1], [2, 0]],
                                                      constant_values=3.0)] + pieces

    assert_function_exports(tmp_path, fn, [spec(None, 6)], [floats(4, 6)])


def test_integer_arithmetic_and_comparisons(tmp_path):
    def fn(a, b):
        return (a // b, a % b, tf.maximum(a, b) * 2 - 1, tf.equal(a, b),
                tf.logical_and(a > 0, tf.not_equal(b, 3)))

    a = RNG.integers(-9, 10, (3, 4)).astype("int32")
    b = RNG.integers(1, 5, (3, 4)).astype("int32") * np.where(RNG.random((3, 4)) > 0.5, 1, -1)
    assert_function_exports(tmp_path, fn, [spec(None, 4, dtype="int32")] * 2,
                            [a, b.astype("int32")])


def test_float_floor_division_and_unary_math(tmp_path):
    def fn(x, y):
        return (tf.math.floordiv(x, y), tf.math.floormod(x, y), tf.exp(-tf.square(x)),
                tf.math.log1p(tf.abs(x)), tf.math.expm1(x), tf.math.rsqrt(tf.abs(y) + 1.0),
                tf.sin(x) + tf.cos(y), tf.round(x * 3.0), tf.sign(y))

    y = floats(3, 4)
    y[np.abs(y) < 0.1] = 0.5
    assert_function_exports(tmp_path, fn, [spec(None, 4)] * 2, [floats(3, 4), y])


def test_softmax_top_k_cumsum_and_clip(tmp_path):
    def fn(x):
        values, indices = tf.math.top_k(x, k=2)
        return (tf.nn.softmax(x, axis=0), tf.nn.log_softmax(x), values, indices,
                tf.math.cumsum(x, axis=1, exclusive=True, reverse=True),
                tf.clip_by_value(x, -0.5, 0.5))

    assert_function_exports(tmp_path, fn, [spec(None, 5)], [floats(3, 5)])


def test_dynamic_shapes_reshape_and_range(tmp_path):
    def fn(x):
        batch = tf.shape(x)[0]
        flat = tf.reshape(x, [batch, -1])
        steps = tf.range(tf.shape(x)[1])
        return flat, tf.cast(steps, tf.float32) * 2.0, tf.ones_like(x) * 3.0

    assert_function_exports(tmp_path, fn, [spec(None, 3, 2)], [floats(2, 3, 2)],
                            [floats(7, 3, 2)])


def test_argwhere_has_a_data_dependent_length(tmp_path):
    def fn(x):
        return tf.where(x > 0.5)

    assert_function_exports(tmp_path, fn, [spec(None, 4)], [floats(3, 4)], [floats(6, 4)])


def test_function_with_its_own_signature_and_concrete_functions(tmp_path):
    weights = floats(3, 2)

    @tf.function(input_signature=[tf.TensorSpec((None, 3), tf.float32, name="features")])
    def scores(x):
        return tf.nn.relu(tf.matmul(x, weights)) + 1.0

    fluxion.onnx.export(scores, tmp_path / "own.onnx")
    proto = onnx.load(str(tmp_path / "own.onnx"))
    assert proto.graph.input[0].name == "features"
    x = floats(4, 3)
    np.testing.assert_allclose(_run(tmp_path / "own.onnx", [x])[0], scores(x).numpy(),
                               rtol=1e-5, atol=1e-6)
    fluxion.onnx.export(scores.get_concrete_function(), tmp_path / "concrete.onnx")
    np.testing.assert_allclose(_run(tmp_path / "concrete.onnx", [x])[0],
                               scores(x).numpy(), rtol=1e-5, atol=1e-6)


def test_function_without_signature_is_refused():
    with pytest.raises(ValueError, match="has no input_signature"):
        fluxion.onnx.export(tf.function(lambda x: x * 2.0), None)


def test_variables_are_stored_as_initializers(tmp_path):
    scale = tf.Variable(np.full((3,), 2.0, np.float32), name="scale")

    def fn(x):
        return x * scale

    proto = assert_function_exports(tmp_path, fn, [spec(None, 3)], [floats(2, 3)])
    assert any(np.array_equal(onnx.numpy_helper.to_array(t), scale.numpy())
               for t in proto.graph.initializer)


@pytest.mark.parametrize("method", ["nearest", "bilinear", "bicubic", "area"])
def test_image_resize(tmp_path, method):
    def fn(images):
        return (tf.image.resize(images, (7, 3), method=method),
                tf.image.resize(images, (2, 9), method=method))

    assert_function_exports(tmp_path, fn, [spec(None, 5, 6, 2)], [floats(2, 5, 6, 2)])


def test_argsort_and_scatter(tmp_path):
    def fn(x, updates):
        order = tf.argsort(x, axis=-1, direction="DESCENDING")
        indices = tf.constant([[0], [2]])
        return (order, tf.tensor_scatter_nd_update(x, indices, updates),
                tf.tensor_scatter_nd_add(x, indices, updates))

    assert_function_exports(tmp_path, fn, [spec(4, 5), spec(2, 5)],
                            [floats(4, 5), floats(2, 5)])


def test_operation_without_mapping_in_a_function_names_the_line():
    def fn(x):
        return tf.math.cumprod(x, axis=1)

    with pytest.raises(fluxion.onnx.UnsupportedOperationError,
                       match=r"'cumprod' \(traced at .*test_onnx_export_functions.py:\d+\)"):
        fluxion.onnx.export(fn, None, input_signature=[spec(None, 3)])


def test_convolution_then_reductions_that_reorder_the_kept_axes(tmp_path):
    kernel = floats(3, 3, 2, 4)

    def fn(images):
        features = tf.nn.relu(tf.nn.conv2d(images, kernel, strides=1, padding="SAME"))
        return (tf.reduce_max(features, axis=1), tf.reduce_sum(features, axis=[1, 3]),
                tf.reduce_mean(features, axis=2, keepdims=True))

    proto = assert_function_exports(tmp_path, fn, [spec(None, 5, 6, 2)],
                                    [floats(2, 5, 6, 2)])
    conv = [n for n in proto.graph.node if n.op_type == "Conv"]
    assert len(conv) == 1


def test_random_numbers_are_refused_rather_than_frozen():
    def fn(x):
        return x + tf.random.normal(tf.shape(x))

    with pytest.raises(fluxion.onnx.UnsupportedOperationError,
                       match="operation .random_normal_dynamic. .traced at"):
        fluxion.onnx.export(fn, None, input_signature=[spec(None, 3)])


def test_matrix_functions_and_bitwise(tmp_path):
    def fn(m, bits):
        return (tf.linalg.det(m), tf.linalg.band_part(m, 1, 0),
                tf.linalg.band_part(m, -1, 1), tf.linalg.band_part(m, 0, -1),
                tf.bitwise.invert(bits), tf.bitwise.bitwise_and(bits, 6))

    bits = RNG.integers(-20, 20, (2, 3)).astype("int32")
    assert_function_exports(tmp_path, fn, [spec(None, 3, 3), spec(None, 3, dtype="int32")],
                            [floats(2, 3, 3), bits], opset=18)


def test_supported_operations_are_read_from_the_primitive_records():
    from fluxion.core.primitive import REGISTRY

    names = fluxion.onnx.supported_operations()
    assert {"matmul", "conv", "lstm_sequence", "gather", "select", "cast"} <= set(names)
    assert "cumprod" not in names
    assert all(callable(REGISTRY[name].export["onnx"]) for name in names)
