"""The exported graphs are lean: the layout pass leaves one layout change at each end of
a convolutional network (through residual adds, concatenations, paddings and
poolings), constant scales and shifts fold into the weights, and recurrent layers with
Keras's zero initial state export as one node."""

import collections

import numpy as np
import pytest

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from onnx_harness import assert_exports_exactly  # noqa: E402

from fluxion import keras  # noqa: E402

L = keras.layers


def _op_types(proto) -> collections.Counter:
    return collections.Counter(node.op_type for node in proto.graph.node)


def _randomize(layer, seed=1):
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.uniform(0.5, 2.0, w.shape).astype("float32")
                       for w in layer.get_weights()])


def test_conv_and_batch_norm_become_one_conv(tmp_path):
    norm = L.BatchNormalization()
    model = keras.Sequential([keras.Input((8, 8, 3)), L.Conv2D(4, 3), norm])
    _randomize(norm)
    proto = assert_exports_exactly(model, tmp_path / "m.onnx")
    assert [n.op_type for n in proto.graph.node] == ["Transpose", "Conv", "Transpose"]


def test_dense_and_batch_norm_become_one_product_and_one_add(tmp_path):
    norm = L.BatchNormalization()
    model = keras.Sequential([keras.Input((5,)), L.Dense(4), norm, L.ReLU()])
    _randomize(norm)
    proto = assert_exports_exactly(model, tmp_path / "m.onnx")
    assert [n.op_type for n in proto.graph.node] == ["MatMul", "Add", "Relu"]


def test_residual_and_concatenated_branches_keep_channels_first(tmp_path):
    image = keras.Input((10, 10, 3))
    x = L.Conv2D(4, 3, padding="same", activation="relu")(image)
    y = L.Conv2D(4, 3, padding="same")(L.ZeroPadding2D(1)(x))
    y = L.Cropping2D(1)(y)
    x = L.ReLU()(L.Add()([x, y]))
    x = L.Concatenate()([x, L.Conv2D(2, 1)(x)])
    x = L.MaxPooling2D()(L.Conv2D(3, 3)(x))
    model = keras.Model(image, L.GlobalAveragePooling2D()(x))
    proto = assert_exports_exactly(model, tmp_path / "m.onnx")
    assert _op_types(proto)["Transpose"] == 1  # the input's; the pooled output is flat


def test_recurrent_layers_with_zero_initial_state_are_one_node_each(tmp_path):
    model = keras.Sequential([keras.Input((6, 3)), L.LSTM(4, return_sequences=True),
                              L.GRU(2)])
    proto = assert_exports_exactly(model, tmp_path / "m.onnx")
    ops = _op_types(proto)
    assert ops["LSTM"] == 1 and ops["GRU"] == 1
    assert not {"Expand", "Shape", "ConstantOfShape"} & set(ops)
    # the GRU's input projection is the ONNX GRU's own input weight, not a MatMul
    assert "MatMul" not in ops


def test_a_node_reading_one_transposed_value_twice(tmp_path):
    model = keras.Sequential([keras.Input((6, 6, 2)), L.Conv2D(3, 3),
                              L.Lambda(lambda t: t * t + t), L.Conv2D(2, 3)])
    proto = assert_exports_exactly(model, tmp_path / "m.onnx")
    assert _op_types(proto)["Transpose"] == 2


def test_squeeze_excite_block_stays_channels_first(tmp_path):
    image = keras.Input((6, 6, 4))
    x = L.Conv2D(4, 3, padding="same", activation="swish")(image)
    scale = L.Reshape((1, 1, 4))(L.GlobalAveragePooling2D()(x))
    scale = L.Conv2D(4, 1, activation="sigmoid")(L.Conv2D(2, 1, activation="relu")(scale))
    x = L.Conv2D(3, 1)(L.Multiply()([x, scale]))
    model = keras.Model(image, x)
    proto = assert_exports_exactly(model, tmp_path / "m.onnx")
    assert _op_types(proto)["Transpose"] == 2
