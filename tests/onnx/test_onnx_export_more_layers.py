"""Layers the layer-table exporter never had, exported through their primitives:
preprocessing, attention, ConvLSTM, PReLU, masks, channels-first convolutions..."""

import pytest

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from onnx_harness import assert_exports_exactly  # noqa: E402

import fluxion.onnx  # noqa: E402
from fluxion import keras  # noqa: E402

L = keras.layers


def sequential(shape, *layers, dtype="float32"):
    return keras.Sequential([keras.Input(shape, dtype=dtype), *layers])


def _self_attention(layer_class):
    query = keras.Input((4, 3))
    return keras.Model(query, layer_class()([query, query]))


def _dot():
    a, b = keras.Input((4,)), keras.Input((4,))
    return keras.Model([a, b], L.Dot(axes=1)([a, b]))


MODELS = {
    "resizing": lambda: sequential((8, 6, 3), L.Resizing(5, 4)),
    "center_crop": lambda: sequential((8, 6, 3), L.CenterCrop(4, 4)),
    "conv_channels_first": lambda: sequential(
        (3, 8, 8), L.Conv2D(4, 3, data_format="channels_first"),
        L.MaxPooling2D(data_format="channels_first")),
    "separable_conv1d": lambda: sequential((10, 3), L.SeparableConv1D(4, 3)),
    "conv3d_transpose": lambda: sequential((4, 4, 4, 1), L.Conv3DTranspose(2, 2, strides=2),
                                           L.Flatten()),
    "attention": lambda: _self_attention(L.Attention),
    "additive_attention": lambda: _self_attention(L.AdditiveAttention),
    "dot": _dot,
    "repeat_vector": lambda: sequential((3,), L.RepeatVector(4)),
    "bidirectional_gru_sequences": lambda: sequential(
        (5, 2), L.Bidirectional(L.GRU(3, return_sequences=True))),
    "lstm_unrolled": lambda: sequential((4, 2), L.LSTM(3, unroll=True)),
    "conv_lstm2d": lambda: sequential((3, 5, 5, 2), L.ConvLSTM2D(2, 3)),
    "masking_then_dense": lambda: sequential((5, 2), L.Masking(), L.Dense(2)),
    "prelu": lambda: sequential((5, 4), L.PReLU()),
    "spatial_dropout": lambda: sequential((5, 4), L.SpatialDropout1D(0.3), L.Dense(2)),
    "global_max_pooling1d": lambda: sequential((5, 4), L.GlobalMaxPooling1D()),
    "discretization": lambda: sequential((3,), L.Discretization(
        bin_boundaries=[-0.5, 0.0, 0.5])),
    "identity": lambda: sequential((3,), L.Identity()),
}
INTEGER_MODELS = {
    "masked_embedding_average": lambda: sequential(
        (5,), L.Embedding(10, 3, mask_zero=True), L.GlobalAveragePooling1D(), dtype="int32"),
    "category_encoding_multi_hot": lambda: sequential(
        (3,), L.CategoryEncoding(num_tokens=10, output_mode="multi_hot"), dtype="int32"),
    "category_encoding_count": lambda: sequential(
        (4,), L.CategoryEncoding(num_tokens=6, output_mode="count"), dtype="int64"),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_layer_exports(tmp_path, name):
    assert_exports_exactly(MODELS[name](), tmp_path / "m.onnx")


@pytest.mark.parametrize("name", sorted(INTEGER_MODELS))
def test_layer_on_integer_ids_exports(tmp_path, name):
    assert_exports_exactly(INTEGER_MODELS[name](), tmp_path / "m.onnx", integers=True)


def test_hashing_is_refused_naming_its_operation():
    model = sequential((3,), L.Hashing(5, name="hasher"), dtype="int32")
    with pytest.raises(fluxion.onnx.UnsupportedOperationError,
                       match=r"'string_hash_bucket' in layer '.*hasher'"):
        fluxion.onnx.export(model, None)
