"""Attention layers and scaled dot-product attention.

Keras 3 agreement: ``fixtures/make_attention_fixtures.py`` (run once with real Keras)
stored each layer's serialized config, weights, inputs and outputs; each case is rebuilt
here from Keras's own config, given Keras's weights, and must give Keras's outputs.
"""

import json
import os

import numpy as np
import pytest

import fluxion as tf
from fluxion import keras
from fluxion.core.tensor import Tensor
from fluxion.keras import layers
from fluxion.keras.engine.tensor_annotations import set_keras_mask
from fluxion.keras.saving.serialization import (
    deserialize_keras_object,
    register_keras_serializable,
)
from fluxion.keras.testing.layer_check import run_layer_test
from fluxion.ops.attention_ops import scaled_dot_product_attention
from fluxion.testing.op_check import check_op

HERE = os.path.join(os.path.dirname(__file__), "fixtures")
with open(os.path.join(HERE, "keras_attention.json")) as f:
    CASES = json.load(f)["cases"]
ARRAYS = dict(np.load(os.path.join(HERE, "keras_attention.npz")))
rng = np.random.default_rng(0)


# --- Keras 3 agreement -------------------------------------------------------------------------
def _call_keras_case(layer, name: str, case: dict):
    inputs = [Tensor(ARRAYS[f"{name}/{k}"]) for k in case["inputs"]]
    inputs = [layers.Masking()(x) if k in case["masked"] else x
              for k, x in zip(case["inputs"], inputs)]
    kwargs = dict(case["kwargs"])
    for arg, count in case["arrays"].items():
        if count is None:
            kwargs[arg] = ARRAYS[f"{name}/{arg}0"]
        else:
            kwargs[arg] = [ARRAYS[f"{name}/{arg}{i}"] for i in range(count)]
    return layer(inputs, **kwargs) if case["list"] else layer(*inputs, **kwargs)


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_keras3(name):
    case = CASES[name]
    layer = deserialize_keras_object(case["serialized"])
    _call_keras_case(layer, name, case)
    weights = [ARRAYS[f"{name}/w{i}"] for i in range(case["num_weights"])]
    layer.set_weights(weights)
    outputs = _call_keras_case(layer, name, case)
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    assert len(outputs) == case["num_outputs"]
    for i, out in enumerate(outputs):
        np.testing.assert_allclose(out.numpy(), ARRAYS[f"{name}/out{i}"], rtol=1e-5, atol=2e-5,
                                   err_msg=f"{name}: output {i} differs from Keras 3")


@pytest.mark.parametrize("name", sorted(CASES))
def test_config_matches_keras3(name):
    case = CASES[name]
    layer = deserialize_keras_object(case["serialized"])
    _call_keras_case(layer, name, case)  # attention_axes is filled in on build, as in Keras
    ours = json.loads(json.dumps(layer.get_config()))
    theirs = dict(case["serialized"]["config"])
    assert ours == theirs
    if "build_config" in case["serialized"]:
        assert json.loads(json.dumps(layer.get_build_config())) == \
            case["serialized"]["build_config"]


# --- the layer harness -------------------------------------------------------------------------
@register_keras_serializable("fluxion_tests")
class ListMultiHeadAttention(layers.MultiHeadAttention):
    """MultiHeadAttention called on ``[query, value(, key)]``: the harness's list form."""

    def __call__(self, inputs, *rest, **kwargs):
        if isinstance(inputs, list) and not rest:
            return super().__call__(*inputs, **kwargs)
        return super().__call__(inputs, *rest, **kwargs)  # the symbolic call replays this

    def compute_output_shape(self, input_shape):
        return super().compute_output_shape(*input_shape)


@register_keras_serializable("fluxion_tests")
class ListGroupQueryAttention(layers.GroupQueryAttention):
    def __call__(self, inputs, *rest, **kwargs):
        if isinstance(inputs, list) and not rest:
            return super().__call__(*inputs, **kwargs)
        return super().__call__(inputs, *rest, **kwargs)  # the symbolic call replays this

    def compute_output_shape(self, input_shape):
        return super().compute_output_shape(*input_shape)


def test_harness_multi_head_attention():
    run_layer_test(ListMultiHeadAttention, dict(num_heads=2, key_dim=2),
                   input_shape=[(2, 3, 4), (2, 2, 4)], expected_output_shape=(2, 3, 4),
                   expected_num_trainable_weights=8)


def test_harness_multi_head_attention_key_output_shape_causal():
    run_layer_test(ListMultiHeadAttention,
                   dict(num_heads=2, key_dim=2, value_dim=3, output_shape=(5,),
                        use_bias=False),
                   input_shape=[(1, 3, 4), (1, 3, 2), (1, 3, 3)],
                   call_kwargs={"use_causal_mask": True}, expected_output_shape=(1, 3, 5),
                   expected_num_trainable_weights=4)


def test_harness_group_query_attention():
    run_layer_test(ListGroupQueryAttention,
                   dict(head_dim=2, num_query_heads=4, num_key_value_heads=2),
                   input_shape=[(2, 3, 4), (2, 2, 4)], expected_output_shape=(2, 3, 4),
                   expected_num_trainable_weights=8)


@pytest.mark.parametrize("kwargs", [{}, {"use_scale": True},
                                    {"use_scale": True, "score_mode": "concat"}])
def test_harness_attention(kwargs):
    run_layer_test(layers.Attention, kwargs, input_shape=[(2, 3, 4), (2, 2, 4)],
                   expected_output_shape=(2, 3, 4))


def test_harness_additive_attention():
    run_layer_test(layers.AdditiveAttention, {}, input_shape=[(2, 3, 4), (2, 2, 4), (2, 2, 4)],
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=1)


# --- masks, shapes, modes --------------------------------------------------------------------
def _masked_tokens():
    return np.array([[3, 1, 4, 1, 5], [9, 2, 6, 0, 0]], "int32")


def test_embedding_masks_reach_multi_head_attention():
    tokens = _masked_tokens()
    embed = layers.Embedding(10, 4, mask_zero=True)
    mha = layers.MultiHeadAttention(2, 3)
    x = embed(tokens)
    out, scores = mha(x, x, return_attention_scores=True)
    keep = tokens != 0
    np.testing.assert_array_equal(out._keras_mask.numpy(), keep)
    s = scores.numpy()
    assert np.all(s[1, :, :, 3:] == 0), "padded keys must get no attention"
    assert np.all(s[1, :, 3:, :] == 0), "padded queries attend nowhere (Softmax layer path)"
    np.testing.assert_allclose(s[0].sum(-1), 1, rtol=1e-6)
    # Same as passing the masks explicitly to an unmasked input.
    plain = embed(tokens)
    set_keras_mask(plain, None)
    again = mha(plain, plain, query_mask=keep, value_mask=keep)
    np.testing.assert_allclose(again.numpy()[keep], out.numpy()[keep], rtol=1e-6, atol=1e-6)


def test_explicit_attention_mask_and_causal_combine():
    mha = layers.MultiHeadAttention(1, 2)
    x = rng.standard_normal((1, 4, 3)).astype("float32")
    band = np.ones((4, 4), bool)
    band[:, 0] = False
    band[0, 0] = True
    _, scores = mha(x, x, attention_mask=band, use_causal_mask=True,
                    return_attention_scores=True)
    allowed = band & np.tri(4, dtype=bool)
    s = scores.numpy()[0, 0]
    assert np.all(s[~allowed] == 0)
    np.testing.assert_allclose(s.sum(-1), 1, rtol=1e-6)


def test_functional_model_with_unknown_batch_traces():
    tokens = layers.Input((5,), dtype="int32")
    x = layers.Embedding(12, 8, mask_zero=True)(tokens)
    x = layers.MultiHeadAttention(2, 4)(x, x, use_causal_mask=True)
    y = layers.GlobalAveragePooling1D()(x)
    model = keras.Model(tokens, y)
    data = _masked_tokens()
    eager = model(data).numpy()
    traced = tf.function(lambda t: model(t), input_signature=[tf.TensorSpec([None, 5], tf.int32)])
    np.testing.assert_allclose(traced(data).numpy(), eager, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls,kwargs", [
    (layers.MultiHeadAttention, dict(num_heads=2, key_dim=4, sliding_window=2)),
    (layers.GroupQueryAttention, dict(head_dim=4, num_query_heads=2, num_key_value_heads=1)),
])
def test_traced_with_unknown_batch_and_length(cls, kwargs):
    embed = layers.Embedding(12, 8, mask_zero=True)
    attention = cls(**kwargs)

    def run(tokens):
        x = embed(tokens)
        return attention(x, x, use_causal_mask=True)

    data = _masked_tokens()
    eager = run(data).numpy()
    traced = tf.function(run, input_signature=[tf.TensorSpec([None, None], tf.int32)])
    np.testing.assert_allclose(traced(data).numpy(), eager, rtol=1e-5, atol=1e-6)
    longer = np.concatenate([data, data], axis=1)
    np.testing.assert_allclose(traced(longer).numpy(), run(longer).numpy(), rtol=1e-5,
                               atol=1e-6)


def test_functional_config_round_trip_keeps_build_shapes():
    q = layers.Input((3, 4))
    v = layers.Input((5, 6))
    out = layers.MultiHeadAttention(2, 3, name="mha")(q, v)
    model = keras.Model([q, v], out)
    config = model.get_config()
    mha_entry = [e for e in config["layers"] if e["name"] == "mha"][0]
    assert mha_entry["build_config"] == {"shapes_dict": {"query_shape": [None, 3, 4],
                                                         "value_shape": [None, 5, 6]}}
    clone = keras.Model.from_config(config)
    clone.set_weights(model.get_weights())
    a, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 6))
    a, b = a.astype("float32"), b.astype("float32")
    np.testing.assert_allclose(clone([a, b]).numpy(), model([a, b]).numpy(), rtol=1e-6)


def test_dropout_only_while_training_and_seeded():
    mha = layers.MultiHeadAttention(2, 3, dropout=0.5, seed=1)
    x = rng.standard_normal((2, 4, 5)).astype("float32")
    np.testing.assert_allclose(mha(x, x).numpy(), mha(x, x, training=False).numpy())
    a, b = mha(x, x, training=True).numpy(), mha(x, x, training=True).numpy()
    assert not np.allclose(a, b), "each training call draws a fresh dropout mask"


def test_attention_layer_masks_and_output_mask():
    q = rng.standard_normal((2, 3, 4)).astype("float32")
    v = rng.standard_normal((2, 5, 4)).astype("float32")
    q_mask = np.array([[True, True, False], [True, True, True]])
    v_mask = np.array([[True, False, True, True, True], [True] * 5])
    layer = layers.Attention()
    out, scores = layer([q, v], mask=[q_mask, v_mask], return_attention_scores=True)
    assert np.all(out.numpy()[0, 2] == 0)
    assert np.all(scores.numpy()[0, :, 1] < 1e-6)
    masked_q = layers.Masking()(np.where(q_mask[..., None], q, 0).astype("float32"))
    out = layer([masked_q, Tensor(v)])
    np.testing.assert_array_equal(out._keras_mask.numpy(), q_mask)


def test_layer_argument_errors():
    with pytest.raises(ValueError, match="num_heads"):
        layers.MultiHeadAttention(0, 2)
    with pytest.raises(ValueError, match="key_dim"):
        layers.MultiHeadAttention(2, 2.5)
    with pytest.raises(ValueError, match="attention_axes"):
        layers.MultiHeadAttention(2, 2, attention_axes="1")
    with pytest.raises(ValueError, match="value"):
        layers.MultiHeadAttention(2, 2)(np.ones((1, 2, 3), "float32"))
    with pytest.raises(ValueError, match="except the last one"):
        layers.MultiHeadAttention(2, 2)(np.ones((1, 2, 3), "float32"),
                                        np.ones((1, 4, 3), "float32"),
                                        np.ones((1, 5, 3), "float32"))
    with pytest.raises(ValueError, match="divisible"):
        layers.GroupQueryAttention(2, 3, 2)
    with pytest.raises(ValueError, match="score_mode"):
        layers.Attention(score_mode="cosine")
    with pytest.raises(ValueError, match="list of inputs"):
        layers.Attention()(np.ones((1, 2, 3), "float32"))


# --- fluxion.nn.scaled_dot_product_attention --------------------------------------------------
def _reference_attention(q, k, v, mask=None, bias=None, scale=None, is_causal=False):
    logits = q @ np.swapaxes(k, -1, -2) * (scale or 1 / np.sqrt(q.shape[-1]))
    if bias is not None:
        logits = logits + bias
    keep = np.ones(logits.shape, bool)
    if mask is not None:
        keep = keep & mask
    if is_causal:
        keep = keep & np.tri(logits.shape[-2], logits.shape[-1], dtype=bool)
    logits = np.where(keep, logits, -0.7 * np.finfo(logits.dtype).max)
    weights = np.exp(logits - logits.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    return weights @ v


def test_sdpa_plain_gradients():
    q, k, v = (rng.standard_normal(s) for s in ((2, 3, 2), (2, 4, 2), (2, 4, 3)))
    check_op(scaled_dot_product_attention, [q, k, v], _reference_attention)


def test_sdpa_mask_causal_bias_broadcast_heads():
    q = rng.standard_normal((1, 2, 3, 2))
    k = rng.standard_normal((1, 2, 3, 2))
    v = rng.standard_normal((1, 2, 3, 2))
    mask = np.array([[True, True, False]])  # broadcast over batch, heads and queries
    bias = rng.standard_normal((3, 3))
    check_op(lambda q, k, v, b: scaled_dot_product_attention(q, k, v, mask=mask, bias=b,
                                                             is_causal=True, scale=0.7),
             [q, k, v, bias],
             lambda q, k, v, b: _reference_attention(q, k, v, mask, b, 0.7, True))


def test_sdpa_fully_masked_row_is_uniform_and_weights_returned():
    q = np.ones((1, 2, 2), "float32")
    v = np.array([[[1.0], [3.0]]], "float32")
    mask = np.array([[True, True], [False, False]])
    out, weights = scaled_dot_product_attention(q, q, v, mask=mask,
                                                return_attention_weights=True)
    np.testing.assert_allclose(weights.numpy()[0, 1], [0.5, 0.5])
    np.testing.assert_allclose(out.numpy()[0, :, 0], [2.0, 2.0])


def test_sdpa_dropout_and_traced_unknown_lengths():
    q = rng.standard_normal((2, 5, 4)).astype("float32")
    out = scaled_dot_product_attention(q, q, q, dropout_rate=0.5, seed=3)
    assert out.shape == (2, 5, 4)
    spec = tf.TensorSpec([None, None, 4], tf.float32)
    traced = tf.function(lambda a: scaled_dot_product_attention(a, a, a, is_causal=True),
                         input_signature=[spec])
    np.testing.assert_allclose(traced(q).numpy(),
                               _reference_attention(q, q, q, is_causal=True), rtol=1e-5,
                               atol=1e-6)


def test_sdpa_errors():
    a = np.ones((2, 3, 4), "float32")
    with pytest.raises(ValueError, match="same depth"):
        scaled_dot_product_attention(a, np.ones((2, 3, 5), "float32"), a)
    with pytest.raises(ValueError, match="same length"):
        scaled_dot_product_attention(a, a, np.ones((2, 2, 4), "float32"))
    with pytest.raises(TypeError, match="floating-point"):
        scaled_dot_product_attention(np.ones((2, 3, 4), "int32"), a, a)
    with pytest.raises(TypeError, match="one dtype"):
        scaled_dot_product_attention(a.astype("float64"), a, a)
