"""keras.losses against Keras 3's numbers (fixtures), traced vs eager, gradients, configs."""

import json
import os
import warnings

import numpy as np
import pytest

import fluxion as tf
from fluxion import keras
from fluxion.keras.engine.tensor_annotations import set_keras_mask
from fluxion.testing.op_check import check_op

losses = keras.losses
FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "loss_metric_fixtures.json")
with open(FIXTURES) as _f:
    DATA = json.load(_f)


def dec(spec):
    if spec is None:
        return None
    return np.array(spec["data"], dtype=spec["dtype"]).reshape(spec["shape"])


def _case_id(case):
    return f"{case['class']}-{case['config']}-{case['label']}"


def _fluxion_loss(case):
    return getattr(losses, case["class"])(**case["config"])


def _call(loss, case, y_true, y_pred, sample_weight, mask):
    if mask is not None:
        y_pred = tf.identity(y_pred)
        set_keras_mask(y_pred, tf.constant(mask))
    return loss(y_true, y_pred, sample_weight=sample_weight)


@pytest.mark.parametrize("case", DATA["losses"], ids=_case_id)
def test_loss_matches_keras_eager_and_traced(case):
    loss = _fluxion_loss(case)
    y_true, y_pred = tf.constant(dec(case["y_true"])), tf.constant(dec(case["y_pred"]))
    weight, mask = dec(case["sample_weight"]), dec(case["mask"])
    weight = None if weight is None else tf.constant(weight)
    eager = _call(loss, case, y_true, y_pred, weight, mask).numpy()
    np.testing.assert_allclose(eager, case["expected"], rtol=2e-5, atol=2e-6)
    assert np.all(np.isfinite(eager))
    traced = tf.function(lambda t, p, w: _call(loss, case, t, p, w, mask))
    np.testing.assert_allclose(traced(y_true, y_pred, weight).numpy(), eager,
                               rtol=1e-6, atol=1e-7)
    assert loss.get_config() == case["get_config"]


@pytest.mark.parametrize("case", DATA["functions"], ids=lambda c: f"{c['name']}-{c['kwargs']}")
def test_function_forms_match_keras(case):
    fn = getattr(getattr(keras, case["module"]), case["name"])
    got = fn(tf.constant(dec(case["y_true"])), tf.constant(dec(case["y_pred"])),
             **case["kwargs"])
    np.testing.assert_allclose(got.numpy(), case["expected"], rtol=2e-5, atol=2e-6)


rng = np.random.default_rng(0)


def _probs(*shape):
    p = rng.uniform(0.1, 1.0, shape)
    return p / p.sum(-1, keepdims=True)


GRADIENT_CASES = [
    ("mse", lambda t, p: losses.MeanSquaredError(dtype="float64")(t, p),
     rng.normal(size=(3, 2)), rng.normal(size=(3, 2))),
    ("huber", lambda t, p: losses.huber(t, p, delta=0.7),
     rng.normal(size=(3, 2)), rng.normal(size=(3, 2))),
    ("log_cosh", losses.log_cosh, rng.normal(size=(3, 2)), rng.normal(size=(3, 2))),
    ("cosine", losses.cosine_similarity, rng.normal(size=(2, 3)), rng.normal(size=(2, 3))),
    ("bce_logits", lambda t, p: losses.BinaryCrossentropy(from_logits=True, dtype="float64",
                                                          label_smoothing=0.1)(t, p),
     rng.integers(0, 2, (3, 2)).astype("float64"), rng.normal(size=(3, 2))),
    ("bce_probs", losses.binary_crossentropy, rng.integers(0, 2, (3, 2)).astype("float64"),
     rng.uniform(0.1, 0.9, (3, 2))),
    ("cce_logits", lambda t, p: losses.categorical_crossentropy(t, p, from_logits=True),
     _probs(2, 3), rng.normal(size=(2, 3))),
    ("cce_probs", losses.categorical_crossentropy, _probs(2, 3), _probs(2, 3)),
    ("focal", lambda t, p: losses.binary_focal_crossentropy(t, p, from_logits=True),
     rng.integers(0, 2, (2, 3)).astype("float64"), rng.normal(size=(2, 3))),
    ("kld", losses.kl_divergence, _probs(2, 3), _probs(2, 3)),
    ("poisson", losses.poisson, rng.uniform(0.5, 2, (2, 3)), rng.uniform(0.5, 2, (2, 3))),
    ("tversky", losses.tversky, rng.integers(0, 2, (2, 3)).astype("float64"),
     rng.uniform(0.1, 0.9, (2, 3))),
]


@pytest.mark.parametrize("name,fn,y_true,y_pred", GRADIENT_CASES,
                         ids=[c[0] for c in GRADIENT_CASES])
def test_gradients_match_finite_differences(name, fn, y_true, y_pred):
    check_op(fn, [y_true, y_pred], wrt=[1], second_order=name in ("mse", "bce_logits"))


def test_sparse_crossentropy_gradient_wrt_logits():
    labels = np.array([0, 2, 1], dtype=np.int32)
    check_op(lambda p: losses.sparse_categorical_crossentropy(labels, p, from_logits=True),
             [rng.normal(size=(3, 3))], second_order=False)


@pytest.mark.parametrize("loss", [
    losses.BinaryCrossentropy(from_logits=True),
    losses.CategoricalCrossentropy(from_logits=True),
    losses.BinaryFocalCrossentropy(from_logits=True),
    losses.CategoricalFocalCrossentropy(from_logits=True),
], ids=lambda loss: type(loss).__name__)
def test_huge_logits_give_finite_loss_and_gradient(loss):
    logits = tf.Variable([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0]])
    labels = tf.constant([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    with tf.GradientTape() as tape:
        value = loss(labels, logits)
    grad = tape.gradient(value, logits)
    assert np.isfinite(value.numpy()) and np.all(np.isfinite(grad.numpy()))


def test_sparse_huge_logits_finite():
    logits = tf.Variable([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0]])
    with tf.GradientTape() as tape:
        value = losses.SparseCategoricalCrossentropy(from_logits=True)([2, 0], logits)
    assert np.isfinite(value.numpy()) and np.all(np.isfinite(tape.gradient(value, logits)))


def test_ignore_class_sets_a_mask_and_traces():
    y_true, y_pred = tf.constant([0, 2, 1]), tf.constant(_probs(3, 3).astype("float32"))
    per_sample = losses.sparse_categorical_crossentropy(y_true, y_pred, ignore_class=2)
    np.testing.assert_array_equal(per_sample._keras_mask.numpy(), [True, False, True])
    assert per_sample.numpy()[1] == 0.0
    loss = losses.SparseCategoricalCrossentropy(ignore_class=2)
    eager = loss(y_true, y_pred)
    np.testing.assert_allclose(tf.function(loss)(y_true, y_pred).numpy(), eager.numpy())
    np.testing.assert_allclose(eager.numpy(), per_sample.numpy().sum() / 2, rtol=1e-6)


def test_loss_under_function_with_unknown_batch():
    loss = losses.CategoricalCrossentropy(label_smoothing=0.1)
    fn = tf.function(loss, input_signature=[tf.TensorSpec([None, 4]), tf.TensorSpec([None, 4])])
    y_true, y_pred = np.eye(4, dtype="float32")[[0, 3, 1]], _probs(3, 4).astype("float32")
    np.testing.assert_allclose(fn(y_true, y_pred).numpy(), loss(y_true, y_pred).numpy(),
                               rtol=1e-6)


def test_nested_structures_of_outputs():
    a, b = np.ones((2, 2), "float32"), np.zeros((2, 2), "float32")
    loss = losses.MeanSquaredError()
    assert float(loss([a, b], [b, b])) == pytest.approx(0.5)


def test_custom_subclass_and_reductions():
    class Absolute(losses.Loss):
        def call(self, y_true, y_pred):
            return tf.abs(y_pred - y_true)

    assert Absolute().name.startswith("absolute")
    assert float(Absolute()([0.0, 0.0], [1.0, 3.0])) == 2.0
    assert float(Absolute(reduction="sum")([0.0, 0.0], [1.0, 3.0])) == 4.0
    np.testing.assert_array_equal(Absolute(reduction=None)([0.0, 0.0], [1.0, 3.0]), [1.0, 3.0])
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="average")
    with pytest.raises(NotImplementedError):
        losses.Loss()([1.0], [1.0])


def test_dtype_argument():
    loss = losses.MeanAbsoluteError(dtype="float64")
    assert loss.dtype == "float64"
    assert loss([1, 2], [2, 4]).dtype == tf.float64


def test_shape_errors_name_the_loss():
    with pytest.raises(ValueError, match="categorical_crossentropy.*same shape"):
        losses.categorical_crossentropy(np.zeros((2, 3), "float32"), np.ones((2, 4), "float32"))
    with pytest.raises(ValueError, match="binary_crossentropy.*same rank"):
        losses.binary_crossentropy(np.zeros((2, 3, 1), "float32"), np.ones((2, 3), "float32"),
                                   from_logits=True)
    with pytest.raises(ValueError, match="axis"):
        losses.categorical_crossentropy([[1.0, 0.0]], [[0.5, 0.5]], axis=True)
    with pytest.raises(ValueError, match="q must be"):
        losses.CategoricalGeneralizedCrossEntropy(q=1.5)


def test_single_class_categorical_warns():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        losses.categorical_crossentropy([[1.0]], [[1.0]])
    assert any("binary_crossentropy" in str(w.message) for w in caught)


@pytest.mark.parametrize("name", sorted(DATA["resolved_losses"]))
def test_get_resolves_names_like_keras(name):
    want = DATA["resolved_losses"][name]
    if want is None:
        with pytest.raises(ValueError, match="Could not interpret loss"):
            losses.get(name)
        return
    obj = losses.get(name)
    kind = "function" if callable(obj) and not isinstance(obj, losses.Loss) else \
        type(obj).__name__
    label = getattr(obj, "__name__", None) or obj.name
    assert [kind, label] == want


def test_serialize_round_trips_and_reads_keras_configs():
    config = losses.serialize(losses.CategoricalCrossentropy(from_logits=True))
    assert config == DATA["serialized"]["loss_class"]
    restored = losses.deserialize(config)
    assert isinstance(restored, losses.CategoricalCrossentropy) and restored.from_logits
    assert losses.deserialize(DATA["serialized"]["loss_function"]) is losses.mean_squared_error
    assert losses.deserialize(losses.serialize(losses.mse)) is losses.mean_squared_error
    assert isinstance(losses.get({"class_name": "Huber", "config": {"delta": 2.0}}),
                      losses.Huber)
    wrapper = losses.LossFunctionWrapper(losses.huber, name="h", delta=0.5)
    again = losses.LossFunctionWrapper.from_config(wrapper.get_config())
    assert again.fn is losses.huber and again._fn_kwargs == {"delta": 0.5}
    assert keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(
        losses.Tversky(alpha=0.2))).alpha == 0.2
    with pytest.raises(ValueError):
        losses.get(3)
    assert losses.get(None) is None and losses.get(losses.hinge) is losses.hinge


def test_ctc_gradient_and_unknown_batch():
    labels = np.array([[1, 2, 0], [2, 2, 1]], dtype=np.int32)
    check_op(lambda p: losses.ctc(labels, p), [rng.normal(size=(2, 5, 3))], second_order=False)
    fn = tf.function(losses.ctc, input_signature=[tf.TensorSpec([None, 3], tf.int32),
                                                  tf.TensorSpec([None, 5, 3])])
    logits = rng.normal(size=(2, 5, 3)).astype("float32")
    np.testing.assert_allclose(fn(labels, logits).numpy(), losses.ctc(labels, logits).numpy(),
                               rtol=1e-6)
    with pytest.raises(ValueError, match="y_true"):
        losses.ctc(np.zeros(3, "int32"), logits)


def test_get_loss_resolves_crossentropy_from_shapes():
    spec = tf.TensorSpec
    assert losses.get_loss("ce", spec([None, 1]), spec([None, 1])).fn is \
        losses.binary_crossentropy
    assert losses.get_loss("crossentropy", spec([None]), spec([None, 4])).fn is \
        losses.sparse_categorical_crossentropy
    chosen = losses.get_loss("crossentropy", spec([None, 4]), spec([None, 4]))
    assert chosen.fn is losses.categorical_crossentropy and chosen.name == "crossentropy"
    assert isinstance(losses.get_loss("Huber", None, None), losses.Huber)
    assert losses.get_loss("mse", None, None).name == "mse"
