"""Tests of ``fluxion.keras.ops``: values against NumPy (a table run through ``check_op``,
which also traces each op under ``fluxion.function``), results stored from real Keras 3
(``ops_fixtures/``), Keras's dtype promotion, control flow, and KerasTensor inputs."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

import fluxion as tf
from fluxion.keras import ops
from fluxion.keras.ops.promotion import result_type
from fluxion.testing.op_check import check_op

FIXTURES = json.loads((pathlib.Path(__file__).parent / "ops_fixtures" / "keras_ops.json")
                      .read_text())
rng = np.random.default_rng(0)
X = rng.normal(size=(3, 4))
Y = rng.normal(size=(3, 4))
POS = np.abs(X) + 0.5
INTS = np.array([[3, -1, 2, 0], [5, 4, -2, 1], [0, 2, 2, 7]], dtype=np.int32)


def sig(a):
    return 1 / (1 + np.exp(-a))


# --- values against NumPy ----------------------------------------------------------------------
# (name, keras op, args, numpy reference, check gradients)
NUMPY_CASES = [
    ("exp", ops.exp, [X], np.exp, True),
    ("log", ops.log, [POS], np.log, True),
    ("sqrt", ops.sqrt, [POS], np.sqrt, True),
    ("cbrt", ops.cbrt, [POS], np.cbrt, False),
    ("arcsinh", ops.arcsinh, [X], np.arcsinh, False),
    ("sinc", ops.sinc, [X], np.sinc, False),
    ("trunc", ops.trunc, [X], np.trunc, False),
    ("round2", lambda x: ops.round(x, 2), [X], lambda x: np.round(x, 2), False),
    ("signbit", ops.signbit, [X], np.signbit, False),
    ("add", ops.add, [X, Y], np.add, True),
    ("divide", ops.divide, [X, POS], np.divide, True),
    ("power", ops.power, [POS, Y], np.power, True),
    ("mod", ops.mod, [X, POS], np.mod, False),
    ("fmod", ops.fmod, [X, POS], np.fmod, False),
    ("hypot", ops.hypot, [X, Y], np.hypot, True),
    ("logaddexp", ops.logaddexp, [X, Y], np.logaddexp, True),
    ("heaviside", ops.heaviside, [X, Y], np.heaviside, False),
    ("isclose", ops.isclose, [X, X + 1e-9], np.isclose, False),
    ("clip", lambda x: ops.clip(x, -0.5, 0.5), [X], lambda x: np.clip(x, -0.5, 0.5), False),
    ("sum", lambda x: ops.sum(x, axis=(0, 1)), [X], lambda x: np.sum(x, axis=(0, 1)), True),
    ("mean", lambda x: ops.mean(x, axis=1, keepdims=True), [X],
     lambda x: np.mean(x, axis=1, keepdims=True), True),
    ("var", lambda x: ops.var(x, axis=0), [X], lambda x: np.var(x, axis=0), True),
    ("std", ops.std, [X], np.std, False),
    ("max", lambda x: ops.max(x, axis=0, initial=0.3), [X],
     lambda x: np.max(x, axis=0, initial=0.3), False),
    ("argmin", lambda x: ops.argmin(x, axis=1), [X], lambda x: np.argmin(x, axis=1), False),
    ("argmax_flat", ops.argmax, [X], np.argmax, False),
    ("cumsum_flat", ops.cumsum, [X], np.cumsum, True),
    ("cumprod", lambda x: ops.cumprod(x, axis=1), [X], lambda x: np.cumprod(x, axis=1), False),
    ("median", lambda x: ops.median(x, axis=1), [X], lambda x: np.median(x, axis=1), False),
    ("quantile", lambda x: ops.quantile(x, [0.2, 0.7], axis=0), [X],
     lambda x: np.quantile(x, [0.2, 0.7], axis=0), False),
    ("percentile_nearest", lambda x: ops.percentile(x, 37, method="nearest"), [X],
     lambda x: np.percentile(x, 37, method="nearest"), False),
    ("ptp", lambda x: ops.ptp(x, axis=1), [X], lambda x: np.ptp(x, axis=1), False),
    ("diff", lambda x: ops.diff(x, n=2), [X], lambda x: np.diff(x, n=2), True),
    ("average", lambda x, w: ops.average(x, axis=1, weights=w), [X, POS[0]],
     lambda x, w: np.average(x, axis=1, weights=w), True),
    ("nanmean", lambda x: ops.nanmean(x, axis=1), [np.where(X > 1, np.nan, X)],
     lambda x: np.nanmean(x, axis=1), False),
    ("sort", lambda x: ops.sort(x, axis=0), [X], lambda x: np.sort(x, axis=0), False),
    ("trapezoid", ops.trapezoid, [X], np.trapezoid, False),
    ("linspace", lambda: ops.linspace(0, 1, 7, endpoint=False), [],
     lambda: np.linspace(0, 1, 7, endpoint=False).astype(np.float32), False),
    ("tril", lambda x: ops.tril(x, -1), [X], lambda x: np.tril(x, -1), True),
    ("triu", lambda x: ops.triu(x, 1), [X], lambda x: np.triu(x, 1), False),
    ("eye", lambda: ops.eye(3, 4, k=1), [], lambda: np.eye(3, 4, k=1, dtype=np.float32), False),
    ("expand_dims", lambda x: ops.expand_dims(x, (0, 3)), [X],
     lambda x: np.expand_dims(x, (0, 3)), False),
    ("moveaxis", lambda x: ops.moveaxis(x, 0, -1), [X.reshape(3, 2, 2)],
     lambda x: np.moveaxis(x, 0, -1), False),
    ("concatenate", lambda a, b: ops.concatenate([a, b], axis=None), [X, Y],
     lambda a, b: np.concatenate([a, b], axis=None), True),
    ("hstack", lambda a, b: ops.hstack([a, b]), [X, Y], lambda a, b: np.hstack([a, b]), False),
    ("split", lambda x: ops.split(x, [1, 3], axis=1), [X],
     lambda x: np.split(x, [1, 3], axis=1), False),
    ("array_split", lambda x: ops.array_split(x, 3, axis=1), [X],
     lambda x: np.array_split(x, 3, axis=1), False),
    ("tile", lambda x: ops.tile(x, (2, 1, 2)), [X], lambda x: np.tile(x, (2, 1, 2)), False),
    ("repeat", lambda x: ops.repeat(x, 2), [X], lambda x: np.repeat(x, 2), False),
    ("pad", lambda x: ops.pad(x, (1, 2), mode="reflect"), [X],
     lambda x: np.pad(x, (1, 2), mode="reflect"), True),
    ("rot90", lambda x: ops.rot90(x, 3), [X], lambda x: np.rot90(x, 3), False),
    ("roll_flat", lambda x: ops.roll(x, 5), [X], lambda x: np.roll(x, 5), False),
    ("take", lambda x: ops.take(x, [[5, -2]]), [X], lambda x: np.take(x, [[5, -2]]), True),
    ("take_along_axis", lambda x: ops.take_along_axis(x, np.argsort(X, axis=1), axis=1), [X],
     lambda x: np.take_along_axis(x, np.argsort(X, axis=1), axis=1), True),
    ("take_along_axis_bcast", lambda x: ops.take_along_axis(x, np.array([[0], [2], [-1]]), 1),
     [X], lambda x: np.take_along_axis(x, np.array([[0], [2], [3]]), 1), False),
    ("where", lambda a, b: ops.where(a > 0, a, b), [X, Y], lambda a, b: np.where(a > 0, a, b),
     True),
    ("select", lambda a, b: ops.select([a > 0.5, a < -0.5], [a, b], 3.0), [X, Y],
     lambda a, b: np.select([a > 0.5, a < -0.5], [a, b], 3.0), False),
    ("matmul_vec", lambda a, b: ops.matmul(a[0], ops.transpose(b)), [X, Y],
     lambda a, b: a[0] @ b.T, True),
    ("dot", lambda a, b: ops.dot(a, ops.transpose(b)), [X, Y], lambda a, b: np.dot(a, b.T),
     False),
    ("tensordot", lambda a, b: ops.tensordot(a, b, axes=([1], [1])), [X, Y],
     lambda a, b: np.tensordot(a, b, ([1], [1])), False),
    ("inner", ops.inner, [X, Y], np.inner, False),
    ("outer", ops.outer, [X[0], Y[0]], np.outer, False),
    ("cross", lambda a, b: ops.cross(a[:, :3], b[:, :3]), [X, Y],
     lambda a, b: np.cross(a[:, :3], b[:, :3]), True),
    ("kron", lambda a, b: ops.kron(a[:2, :2], b[:2, :3]), [X, Y],
     lambda a, b: np.kron(a[:2, :2], b[:2, :3]), False),
    ("diagonal", lambda x: ops.diagonal(x, 1, 1, 2), [X.reshape(3, 2, 2)],
     lambda x: np.diagonal(x, 1, 1, 2), False),
    ("trace", ops.trace, [X], np.trace, False),
    ("logsumexp", lambda x: ops.logsumexp(x, axis=1), [X],
     lambda x: np.log(np.exp(x).sum(1)), True),
    ("erfinv", ops.erfinv, [np.linspace(-0.95, 0.95, 7)], None, True),
    ("segment_max", lambda x: ops.segment_max(x, [0, 0, 2], num_segments=3), [X],
     lambda x: np.stack([np.maximum(x[0], x[1]), np.full(4, -np.inf), x[2]]), False),
    ("segment_sum", lambda x: ops.segment_sum(x, [0, 0, 1]), [X],
     lambda x: np.stack([x[0] + x[1], x[2]]), True),
    ("softmax_axes", lambda x: ops.softmax(x, axis=(0, 1)), [X],
     lambda x: np.exp(x) / np.exp(x).sum(), True),
    ("glu", ops.glu, [X], lambda x: x[:, :2] * sig(x[:, 2:]), True),
    ("celu", ops.celu, [X], lambda x: np.maximum(x, 0) + np.minimum(0, np.expm1(x)), False),
    ("soft_shrink", ops.soft_shrink, [X],
     lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0)), False),
    ("sparsemax", ops.sparsemax, [X], None, False),
    ("normalize", ops.normalize, [X], lambda x: x / np.linalg.norm(x, axis=-1, keepdims=True),
     True),
    ("layer_normalization", ops.layer_normalization, [X],
     lambda x: (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-7),
     False),
    ("binary_crossentropy", ops.binary_crossentropy, [(X > 0) * 1.0, sig(Y)],
     lambda t, p: -(t * np.log(p) + (1 - t) * np.log(1 - p)), True),
    ("norm_nuc", lambda x: ops.norm(x, ord="nuc"), [X], lambda x: np.linalg.norm(x, "nuc"),
     False),
    ("norm_inf", lambda x: ops.norm(x, ord=-np.inf, axis=1), [X],
     lambda x: np.linalg.norm(x, -np.inf, axis=1), False),
    ("pinv", ops.pinv, [X], np.linalg.pinv, False),
    ("solve_vector", lambda a, b: ops.solve(a[:, :3] + 3 * np.eye(3), b[:, 0]), [X, Y],
     lambda a, b: np.linalg.solve(a[:, :3] + 3 * np.eye(3), b[:, 0]), True),
]


@pytest.mark.parametrize("name,op,args,reference,grad", NUMPY_CASES,
                         ids=[c[0] for c in NUMPY_CASES])
def test_against_numpy(name, op, args, reference, grad):
    check_op(op, args, reference, grad=grad, second_order=False, rtol=1e-5, atol=1e-6)


def test_erfinv_inverts_erf():
    u = np.linspace(-0.999, 0.999, 21)
    np.testing.assert_allclose(ops.erf(ops.erfinv(u)).numpy(), u, atol=1e-12)


def test_sparsemax_projects_onto_simplex():
    result = ops.sparsemax(X.astype(np.float32)).numpy()
    np.testing.assert_allclose(result.sum(-1), 1, rtol=1e-6)
    assert (result >= 0).all()


def test_second_order_through_composites():
    check_op(lambda a, b: ops.logaddexp(ops.take_along_axis(a, np.argsort(X, 1), 1), b),
             [X, Y], lambda a, b: np.logaddexp(np.take_along_axis(a, np.argsort(X, 1), 1), b))


# --- results stored from real Keras 3 -----------------------------------------------------------
def _from_json(value):
    if isinstance(value, dict):
        return np.asarray(value["array"], dtype=value["dtype"])
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return [_from_json(v) for v in value]
    return value


def _compare(got, want, label):
    if isinstance(want, list):
        assert len(got) == len(want), label
        for g, w in zip(got, want):
            _compare(g, w, label)
        return
    got_array = np.asarray(got)
    assert list(got_array.shape) == want["shape"], label
    assert ops.dtype(got) == want["dtype"], f"{label}: dtype {ops.dtype(got)}"
    np.testing.assert_allclose(got_array.astype(np.float64), np.asarray(want["array"]),
                               rtol=2e-3 if want["dtype"] == "float16" else 2e-5, atol=1e-5,
                               err_msg=label)


# Where Keras 3.15 (TensorFlow backend) is wrong, Fluxion does not copy it.
KERAS_BUGS = {
    "sparsemax": "Keras sums the running sums of the support for the threshold, so its rows "
                 "do not sum to 1; Fluxion computes the true simplex projection",
}


@pytest.mark.parametrize("case", FIXTURES["cases"],
                         ids=[f"{i}-{c['op']}" for i, c in enumerate(FIXTURES["cases"])])
def test_against_keras(case):
    if case["op"] in KERAS_BUGS:
        pytest.skip(KERAS_BUGS[case["op"]])
    op = getattr(ops, case["op"])
    result = op(*[_from_json(a) for a in case["args"]], **case["kwargs"])
    _compare(result, case["result"], f"{case['op']}{case['kwargs']}")


def test_result_type_matches_keras():
    table = FIXTURES["result_type"]
    for key, expected in table.items():
        a, b = key.split(",")
        if "bfloat16" in (a, b) and tf.bfloat16 is None:
            continue
        b = {"int": int, "float": float}.get(b, b)
        assert result_type(a, b) == expected, key


# --- dtype promotion ------------------------------------------------------------------------------
@pytest.mark.parametrize("x1,x2,expected", [
    (np.ones(2, np.int32), np.ones(2, np.float32), "float32"),
    (np.ones(2, np.int32), np.ones(2, np.float16), "float16"),
    (np.ones(2, np.uint8), np.ones(2, np.int8), "int16"),
    (np.ones(2, np.int8), 3, "int8"),
    (np.ones(2, np.int32), 1.5, "float32"),
    (np.ones(2, np.float16), 2.0, "float16"),
    (np.ones(2, np.float64), np.ones(2, np.float16), "float64"),
    (np.ones(2, np.int64), np.ones(2, np.float32), "float32"),
    (np.ones(2, np.bool_), 1, "int32"),
    (2, 3, "int32"),
    (2, 3.0, "float32"),
])
def test_binary_promotion(x1, x2, expected):
    assert ops.add(x1, x2).dtype.name == expected
    assert ops.maximum(x2, x1).dtype.name == expected


def test_promotion_of_float_only_and_reducing_ops():
    ints = tf.constant(INTS)
    assert ops.divide(ints, ints).dtype.name == "float32"
    assert ops.exp(ints).dtype.name == "float32"
    assert ops.mean(ints).dtype.name == "float32"
    assert ops.sum(np.ones(3, np.uint8)).dtype.name == "uint32"
    assert ops.sum(np.ones(3, np.bool_)).dtype.name == "int32"
    assert ops.argmax(ints).dtype.name == "int32"
    assert ops.concatenate([ints, np.ones((1, 4), np.float16)]).dtype.name == "float16"
    assert ops.where(ints > 0, ints, 1.5).dtype.name == "float32"
    assert ops.matmul(np.ones((2, 2), np.int8), np.ones((2, 2), np.int8)).dtype.name == "int32"
    assert ops.ones(2).dtype.name == ops.full((2,), 3).dtype.name == "float32"
    assert ops.arange(3).dtype.name == "int32"
    assert ops.full_like(ints, 2.5).dtype.name == "int32"


def test_floatx_is_followed():
    from fluxion.keras import config

    config.set_floatx("float64")
    try:
        assert ops.add(np.ones(2, np.int32), 0.5).dtype.name == "float64"
        assert ops.ones(2).dtype.name == "float64"
    finally:
        config.set_floatx("float32")


# --- core: shapes, control flow, updates ----------------------------------------------------------
def test_shape_helpers():
    x = tf.ones((2, 3))
    assert ops.shape(x) == (2, 3) and ops.ndim(x) == 2 and int(ops.size(x)) == 6
    assert ops.dtype(x) == "float32"
    assert ops.is_tensor(x) and not ops.is_tensor(np.ones(2))
    assert isinstance(ops.convert_to_numpy(x), np.ndarray)
    assert ops.convert_to_tensor([1, 2], dtype="float16").dtype.name == "float16"


def test_control_flow():
    assert float(ops.cond(tf.constant(True), lambda: 1.0, lambda: 2.0)) == 1.0
    i, total = ops.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s + i), (0, 0))
    assert int(i) == 3 and int(total) == 3
    assert int(ops.while_loop(lambda i: i < 5, lambda i: i + 2, 0)) == 6
    assert int(ops.fori_loop(0, 4, lambda i, t: t + i, 0)) == 6
    carry, ys = ops.scan(lambda c, x: (c + x, c * 2), 0.0, np.arange(4.0))
    assert float(carry) == 6.0 and ys.numpy().tolist() == [0, 0, 2, 6]
    assert ops.map(lambda r: ops.sum(r), INTS).numpy().tolist() == INTS.sum(1).tolist()
    assert float(ops.switch(1, [lambda a: a, lambda a: a * 2], 3.0)) == 6.0


def test_scatter_and_slice_updates():
    np.testing.assert_array_equal(ops.scatter([[0], [2], [0]], [1.0, 2.0, 3.0], (4,)),
                                  [4, 0, 2, 0])
    updated = ops.scatter_update(np.zeros((2, 3)), [[0, 1], [1, 2]], [5.0, 6.0])
    np.testing.assert_array_equal(updated, [[0, 5, 0], [0, 0, 6]])
    block = ops.slice_update(np.zeros((3, 4), np.float32), (1, 2), np.ones((2, 2)))
    np.testing.assert_array_equal(block, np.pad(np.ones((2, 2)), ((1, 0), (2, 0))))
    np.testing.assert_array_equal(ops.slice(INTS, (1, 1), (2, 2)), INTS[1:3, 1:3])
    np.testing.assert_array_equal(ops.saturate_cast(np.array([-5.0, 300.0]), "uint8"),
                                  [0, 255])


def test_ops_inside_function():
    @tf.function
    def step(x, y):
        loss = ops.mean(ops.square(ops.subtract(x, y)))
        total = ops.fori_loop(0, 3, lambda i, t: t + ops.cast(i, "float32"), 0.0)
        return loss + total, ops.shape(x)

    value, shape = step(tf.ones((2, 3)), tf.zeros((2, 3)))
    assert float(value) == 4.0 and shape == (2, 3)


def test_gradient_through_ops():
    x = tf.Variable([[1.0, -2.0], [0.5, 3.0]])
    with tf.GradientTape() as tape:
        loss = ops.sum(ops.relu(ops.matmul(x, x)) * ops.sigmoid(x))
    assert tape.gradient(loss, x).shape == (2, 2)


def test_keras_tensors_build_functional_nodes():
    from fluxion import keras

    inputs = keras.Input((4,))
    outputs = ops.concatenate([ops.mean(inputs, axis=1, keepdims=True), inputs * 2], axis=1)
    model = keras.Model(inputs, outputs)
    result = model(np.ones((2, 4), np.float32))
    assert tuple(result.shape) == (2, 5)
    np.testing.assert_allclose(np.asarray(result)[:, 0], 1.0)


# --- nn: convolutions, attention, losses ----------------------------------------------------------
def test_conv_family_shapes():
    img = rng.normal(size=(2, 5, 5, 3)).astype(np.float32)
    assert ops.conv(img, np.ones((3, 3, 3, 4), np.float32)).shape == (2, 3, 3, 4)
    first = ops.conv(np.transpose(img, (0, 3, 1, 2)), np.ones((3, 3, 3, 4), np.float32),
                     data_format="channels_first", padding="same")
    assert first.shape == (2, 4, 5, 5)
    assert ops.depthwise_conv(img, np.ones((3, 3, 3, 2), np.float32)).shape == (2, 3, 3, 6)
    assert ops.depthwise_conv(img[:, 0], np.ones((3, 3, 2), np.float32)).shape == (2, 3, 6)
    sep = ops.separable_conv(img, np.ones((3, 3, 3, 2), np.float32),
                             np.ones((1, 1, 6, 5), np.float32), padding="same")
    assert sep.shape == (2, 5, 5, 5)
    kernel = np.ones((3, 3, 4, 3), np.float32)
    assert ops.conv_transpose(img, kernel, strides=2).shape == (2, 11, 11, 4)
    assert ops.conv_transpose(img, kernel, strides=2, output_padding=1).shape == (2, 12, 12, 4)
    assert ops.max_pool(img, 2).shape == (2, 2, 2, 3)
    round_trip = ops.space_to_depth(ops.depth_to_space(np.ones((1, 2, 2, 8)), 2), 2)
    assert round_trip.shape == (1, 2, 2, 8)


def test_grouped_query_attention_and_mask():
    q = rng.normal(size=(1, 3, 4, 2)).astype(np.float32)
    k = rng.normal(size=(1, 5, 2, 2)).astype(np.float32)
    mask = np.zeros((1, 1, 3, 5), bool)
    mask[..., 0] = True
    out = ops.dot_product_attention(q, k, k, mask=mask)
    # Only the first key is visible: every query returns its value.
    np.testing.assert_allclose(out.numpy(), np.repeat(k[:, :1], 3, axis=1).repeat(2, axis=2),
                               rtol=1e-6)


def test_sparse_categorical_crossentropy_accepts_trailing_unit_axis():
    logits = X.astype(np.float32)
    a = ops.sparse_categorical_crossentropy([[0], [1], [3]], logits, from_logits=True)
    b = ops.sparse_categorical_crossentropy([0, 1, 3], logits, from_logits=True)
    np.testing.assert_allclose(a.numpy(), b.numpy())


# --- errors ---------------------------------------------------------------------------------------
def test_errors_are_clear():
    with pytest.raises(ValueError, match="both should be"):
        ops.where(X > 0, X)
    with pytest.raises(ValueError, match="mode"):
        ops.pad(X, 1, mode="edge")
    with pytest.raises(ValueError, match="data_format"):
        ops.conv(np.ones((1, 4, 4, 1)), np.ones((2, 2, 1, 1)), data_format="NHWC")
    with pytest.raises(ValueError, match="padding"):
        ops.max_pool(np.ones((1, 4, 4, 1)), 2, padding="full")
    with pytest.raises(ValueError, match="divisible by 2"):
        ops.glu(np.ones((2, 3)))
    with pytest.raises(ValueError, match="pad_width"):
        ops.pad(X, ((1, 1), (1, 1), (1, 1)))
    with pytest.raises(ValueError, match="method"):
        ops.quantile(X, 0.5, method="cubic")


def test_namespaces_follow_keras():
    assert ops.nn.relu is ops.relu and ops.linalg.svd is ops.svd
    assert ops.numpy.take_along_axis is ops.take_along_axis
    public = [n for n in dir(ops) if not n.startswith("_")]
    assert len(public) >= 250
