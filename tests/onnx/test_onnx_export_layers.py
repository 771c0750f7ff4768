"""Each supported layer kind, exported to ONNX and run by onnxruntime, predicts what the
Fluxion model predicts (batch sizes 1 and 5)."""

import numpy as np
import pytest

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from onnx_harness import assert_exports_exactly  # noqa: E402

from fluxion import keras  # noqa: E402

L = keras.layers


def sequential(input_shape, *layers, dtype="float32"):
    return keras.Sequential([keras.Input(input_shape, dtype=dtype), *layers])


ACTIVATIONS = ["relu", "sigmoid", "tanh", "softmax", "linear", "gelu", "elu", "selu",
               "softplus", "softsign", "silu", "swish", "leaky_relu", "relu6", "hard_sigmoid",
               "hard_silu", "mish", "log_softmax", "exponential"]


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_dense_with_activation(tmp_path, activation):
    model = sequential((6,), L.Dense(4, activation=activation))
    assert_exports_exactly(model, tmp_path / "m.onnx")


@pytest.mark.parametrize("activation", ["gelu", "mish", "relu"])
@pytest.mark.parametrize("opset", [13, 18, 20])
def test_activation_layer_across_opsets(tmp_path, activation, opset):
    model = sequential((3, 5), L.Activation(activation), L.GlobalAveragePooling1D())
    assert_exports_exactly(model, tmp_path / "m.onnx", opset=opset)


def test_dense_on_rank_3_input_and_without_bias(tmp_path):
    model = sequential((3, 6), L.Dense(4, use_bias=False), L.Dense(2, activation="tanh"))
    assert_exports_exactly(model, tmp_path / "m.onnx")


CONVOLUTIONS = {
    "conv2d_valid": lambda: sequential((9, 8, 3), L.Conv2D(4, 3, activation="relu")),
    "conv2d_same_strided": lambda: sequential((9, 8, 3), L.Conv2D(5, (3, 2), strides=2,
                                                                 padding="same")),
    "conv2d_dilated_same": lambda: sequential((9, 8, 3), L.Conv2D(2, 3, dilation_rate=2,
                                                                 padding="same")),
    "conv2d_groups": lambda: sequential((7, 7, 4), L.Conv2D(6, 3, groups=2)),
    "conv2d_chain": lambda: sequential((10, 10, 2), L.Conv2D(4, 3, activation="relu"),
                                       L.MaxPooling2D(), L.Conv2D(3, 3, padding="same"),
                                       L.Flatten(), L.Dense(3, activation="softmax")),
    "conv1d_causal": lambda: sequential((10, 3), L.Conv1D(4, 3, padding="causal",
                                                          dilation_rate=2)),
    "conv3d": lambda: sequential((5, 6, 5, 2), L.Conv3D(3, 2, padding="same")),
    "depthwise_conv2d": lambda: sequential((8, 8, 3), L.DepthwiseConv2D(3, depth_multiplier=2,
                                                                         padding="same")),
}


@pytest.mark.parametrize("name", sorted(CONVOLUTIONS))
def test_convolutions(tmp_path, name):
    assert_exports_exactly(CONVOLUTIONS[name](), tmp_path / "m.onnx")


def test_conv_chain_changes_layout_once_at_each_end(tmp_path):
    proto = assert_exports_exactly(CONVOLUTIONS["conv2d_chain"](), tmp_path / "m.onnx")
    assert [n.op_type for n in proto.graph.node].count("Transpose") == 2


POOLINGS = {
    "max_valid": lambda: L.MaxPooling2D(),
    "max_same_strided": lambda: L.MaxPooling2D(3, strides=2, padding="same"),
    "average_valid": lambda: L.AveragePooling2D(2),
    "average_same": lambda: L.AveragePooling2D(3, strides=2, padding="same"),
    "global_average": lambda: L.GlobalAveragePooling2D(),
    "global_average_keepdims": lambda: L.GlobalAveragePooling2D(keepdims=True),
    "global_max": lambda: L.GlobalMaxPooling2D(),
}


@pytest.mark.parametrize("name", sorted(POOLINGS))
def test_poolings(tmp_path, name):
    assert_exports_exactly(sequential((7, 9, 3), POOLINGS[name]()), tmp_path / "m.onnx")


@pytest.mark.parametrize("opset", [17, 18])
def test_global_pooling_both_reduce_spellings(tmp_path, opset):
    model = sequential((4, 5, 3), L.GlobalMaxPooling2D(), L.Dense(2))
    assert_exports_exactly(model, tmp_path / "m.onnx", opset=opset)


RESHAPING = {
    "flatten": lambda: sequential((3, 4, 2), L.Flatten(), L.Dense(3)),
    "reshape": lambda: sequential((12,), L.Reshape((3, -1)), L.Dense(2)),
    "permute": lambda: sequential((3, 4, 2), L.Permute((3, 1, 2))),
    "dropout": lambda: sequential((6,), L.Dense(4), L.Dropout(0.5), L.Dense(2)),
}


@pytest.mark.parametrize("name", sorted(RESHAPING))
def test_reshaping_and_identity_layers(tmp_path, name):
    assert_exports_exactly(RESHAPING[name](), tmp_path / "m.onnx")


def _randomize_statistics(layer, seed=1):
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.uniform(0.5, 2.0, w.shape).astype("float32")
                       if i in (0, 3) else rng.standard_normal(w.shape).astype("float32")
                       for i, w in enumerate(layer.get_weights())])


@pytest.mark.parametrize("axis,shape", [(-1, (5, 4, 3)), (1, (3, 4, 5)), (-1, (6,))])
def test_batch_normalization_inference(tmp_path, axis, shape):
    norm = L.BatchNormalization(axis=axis)
    model = sequential(shape, norm)
    _randomize_statistics(norm)
    assert_exports_exactly(model, tmp_path / "m.onnx")


ACTIVATION_LAYERS = {
    "relu": lambda: L.ReLU(),
    "relu_max_slope": lambda: L.ReLU(max_value=0.8, negative_slope=0.1),
    "relu_threshold": lambda: L.ReLU(max_value=1.5, negative_slope=0.2, threshold=0.3),
    "leaky_relu": lambda: L.LeakyReLU(negative_slope=0.3),
    "elu": lambda: L.ELU(alpha=0.7),
    "softmax": lambda: L.Softmax(),
    "softmax_axis_1": lambda: L.Softmax(axis=1),
    "softmax_two_axes": lambda: L.Softmax(axis=[1, 2]),
    "activation": lambda: L.Activation("tanh"),
}


@pytest.mark.parametrize("name", sorted(ACTIVATION_LAYERS))
def test_activation_layers(tmp_path, name):
    assert_exports_exactly(sequential((3, 4), ACTIVATION_LAYERS[name]()), tmp_path / "m.onnx")


@pytest.mark.parametrize("input_dtype", ["int32", "int64", "float32"])
def test_embedding(tmp_path, input_dtype):
    model = sequential((7,), L.Embedding(10, 4), L.GlobalAveragePooling1D(), L.Dense(2),
                       dtype=input_dtype)
    assert_exports_exactly(model, tmp_path / "m.onnx", integers=True)


def _quietly(layer_class, **kwargs):
    """The layer, built without the deprecation warning Keras gives for ``kwargs``."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return layer_class(**kwargs)


LAYER_NORMS = {
    "default": lambda: L.LayerNormalization(),
    "two_axes": lambda: L.LayerNormalization(axis=[1, 2]),
    "middle_axis": lambda: L.LayerNormalization(axis=1, epsilon=1e-5),
    "rms_scaling": lambda: _quietly(L.LayerNormalization, rms_scaling=True),
    "no_center_no_scale": lambda: L.LayerNormalization(center=False, scale=False),
}


@pytest.mark.parametrize("opset", [17, 18])
@pytest.mark.parametrize("name", sorted(LAYER_NORMS))
def test_layer_normalization(tmp_path, name, opset):
    norm = LAYER_NORMS[name]()
    model = sequential((3, 4), norm)
    rng = np.random.default_rng(2)
    norm.set_weights([rng.standard_normal(w.shape).astype("float32")
                      for w in norm.get_weights()])
    assert_exports_exactly(model, tmp_path / "m.onnx", opset=opset)


SPATIAL_RESHAPING = {
    "zero_padding_2d": lambda: sequential((4, 5, 2), L.ZeroPadding2D(((1, 2), (0, 3)))),
    "zero_padding_1d": lambda: sequential((4, 2), L.ZeroPadding1D(2)),
    "zero_padding_3d_first": lambda: sequential((2, 3, 3, 3), L.ZeroPadding3D(
        1, data_format="channels_first")),
    "cropping_2d": lambda: sequential((6, 7, 2), L.Cropping2D(((1, 2), (0, 3)))),
    "cropping_1d": lambda: sequential((6, 2), L.Cropping1D((2, 0))),
    "up_sampling_1d": lambda: sequential((3, 2), L.UpSampling1D(3)),
    "up_sampling_2d": lambda: sequential((3, 4, 2), L.UpSampling2D((2, 3))),
    "up_sampling_2d_bilinear": lambda: sequential((3, 4, 2), L.UpSampling2D(
        2, interpolation="bilinear")),
    "up_sampling_3d": lambda: sequential((2, 2, 3, 1), L.UpSampling3D(2)),
}


@pytest.mark.parametrize("name", sorted(SPATIAL_RESHAPING))
def test_padding_cropping_and_up_sampling(tmp_path, name):
    assert_exports_exactly(SPATIAL_RESHAPING[name](), tmp_path / "m.onnx")


TRANSPOSED_AND_SEPARABLE = {
    "separable_2d": lambda: L.SeparableConv2D(4, 3, depth_multiplier=2, padding="same",
                                              activation="relu"),
    "separable_2d_strided": lambda: L.SeparableConv2D(3, 3, strides=2),
    "transpose_valid": lambda: L.Conv2DTranspose(3, 3, strides=2),
    "transpose_same": lambda: L.Conv2DTranspose(3, 3, strides=2, padding="same"),
    "transpose_same_even_kernel": lambda: L.Conv2DTranspose(2, 4, strides=2, padding="same"),
    "transpose_small_kernel": lambda: L.Conv2DTranspose(2, 1, strides=3),
    "transpose_output_padding": lambda: L.Conv2DTranspose(2, 3, strides=2, padding="same",
                                                          output_padding=1),
    "transpose_dilated": lambda: L.Conv2DTranspose(2, 3, dilation_rate=2, padding="same"),
    "transpose_1d": lambda: L.Conv1DTranspose(2, 3, strides=2, padding="same"),
}


@pytest.mark.parametrize("name", sorted(TRANSPOSED_AND_SEPARABLE))
def test_separable_and_transposed_convolutions(tmp_path, name):
    layer = TRANSPOSED_AND_SEPARABLE[name]()
    shape = (6, 3) if "1d" in name else (6, 5, 3)
    assert_exports_exactly(sequential(shape, layer), tmp_path / "m.onnx")


def test_rescaling_of_uint8_images(tmp_path):
    model = sequential((4, 4, 3), L.Rescaling(1 / 255, offset=-0.5),
                       L.Conv2D(2, 3), dtype="uint8")
    assert_exports_exactly(model, tmp_path / "m.onnx")


def test_rescaling_per_channel(tmp_path):
    model = sequential((4, 3), L.Rescaling([0.5, 2.0, -1.0], offset=1.0))
    assert_exports_exactly(model, tmp_path / "m.onnx")


@pytest.mark.parametrize("invert", [False, True])
def test_normalization_given_and_adapted(tmp_path, invert):
    given = L.Normalization(mean=[1.0, -2.0, 0.5], variance=[4.0, 0.25, 1.0], invert=invert)
    assert_exports_exactly(sequential((5, 3), given), tmp_path / "given.onnx")
    adapted = L.Normalization(axis=-1, invert=invert)
    adapted.adapt(np.random.default_rng(4).standard_normal((40, 3)).astype("float32") * 3 + 2)
    assert_exports_exactly(sequential((3,), adapted), tmp_path / "adapted.onnx")


@pytest.mark.parametrize("axis,shape", [(-1, (4, 5, 6)), (1, (6, 4, 5)), (-1, (5, 4))])
def test_group_normalization(tmp_path, axis, shape):
    norm = L.GroupNormalization(groups=3 if shape[axis] % 3 == 0 else 2, axis=axis)
    model = sequential(shape, norm)
    rng = np.random.default_rng(5)
    norm.set_weights([rng.standard_normal(w.shape).astype("float32")
                      for w in norm.get_weights()])
    assert_exports_exactly(model, tmp_path / "m.onnx")


@pytest.mark.parametrize("axis", [-1, [1, 2]])
def test_unit_normalization(tmp_path, axis):
    assert_exports_exactly(sequential((3, 4), L.UnitNormalization(axis=axis)),
                           tmp_path / "m.onnx")
