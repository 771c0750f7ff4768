"""keras.metrics against Keras 3's numbers (fixtures), traced updates, state and configs."""

import json
import os
import re

import numpy as np
import pytest

import fluxion as tf
from fluxion import keras
from fluxion.keras.engine.tensor_annotations import set_keras_mask

metrics = keras.metrics
FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "loss_metric_fixtures.json")
with open(FIXTURES) as _f:
    DATA = json.load(_f)
CASES = [c for c in DATA["metrics"] if "batches" in c]
VALUE_CASES = [c for c in DATA["metrics"] if "values" in c]


def dec(spec):
    if spec is None:
        return None
    return np.array(spec["data"], dtype=spec["dtype"]).reshape(spec["shape"])


def _case_id(case):
    return f"{case['class']}-{case['config']}-{case['label']}"


def _batches(case):
    return [tuple(None if x is None else tf.constant(dec(x)) for x in batch)
            for batch in case["batches"]]


def _check_config(metric, case):
    config, want = metric.get_config(), dict(case["get_config"])
    if "name" not in case["config"]:  # auto-generated names carry a counter
        assert config.pop("name").split("_")[0] == want.pop("name").split("_")[0]
    if want.get("label_weights") is not None:  # Keras keeps them as a float32 tensor
        np.testing.assert_allclose(config.pop("label_weights"), want.pop("label_weights"),
                                   rtol=1e-6)
    assert config == want


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_metric_matches_keras(case):
    metric = getattr(metrics, case["class"])(**case["config"])
    for y_true, y_pred, weight in _batches(case):
        metric.update_state(y_true, y_pred, sample_weight=weight)
    np.testing.assert_allclose(metric.result().numpy(), case["expected"], rtol=1e-5,
                               atol=1e-6)
    _check_config(metric, case)
    metric.reset_state()
    for variable in metric.variables:
        assert not variable.trainable
        np.testing.assert_array_equal(variable.numpy(), 0)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_traced_updates_equal_eager(case):
    metric = getattr(metrics, case["class"])(**case["config"])
    batches = _batches(case)
    weighted = [b for b in batches if b[2] is not None]
    plain = [b for b in batches if b[2] is None]
    if case["class"] in ("AUC", "R2Score", "F1Score", "FBetaScore"):
        metric.update_state(*plain[0][:2])  # variables built lazily: build them eagerly
        plain = plain[1:]

    @tf.function
    def update(y_true, y_pred):
        metric.update_state(y_true, y_pred)
        return metric.result()

    @tf.function
    def update_weighted(y_true, y_pred, weight):
        metric.update_state(y_true, y_pred, sample_weight=weight)
        return metric.result()

    for y_true, y_pred, _ in plain:
        update(y_true, y_pred)
    for y_true, y_pred, weight in weighted:
        last = update_weighted(y_true, y_pred, weight)
    np.testing.assert_allclose(metric.result().numpy(), case["expected"], rtol=1e-5,
                               atol=1e-6)
    if weighted:
        np.testing.assert_allclose(last.numpy(), case["expected"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", VALUE_CASES, ids=_case_id)
def test_reduction_metrics_match_keras(case):
    metric = getattr(metrics, case["class"])()
    for values, weight in case["values"]:
        metric.update_state(dec(values), sample_weight=dec(weight))
    np.testing.assert_allclose(metric.result().numpy(), case["expected"], rtol=1e-6)
    assert metric.get_config() == case["get_config"]


def test_mean_accumulates_across_calls_and_resets():
    m = metrics.Mean()
    assert float(m([1.0, 3.0])) == 2.0
    assert float(m([5.0, 7.0], sample_weight=[0.0, 1.0])) == pytest.approx(11 / 3)
    assert [v.name for v in m.variables] == ["total", "count"]
    assert [v.path for v in m.variables] == [f"{m.name}/total", f"{m.name}/count"]
    m.reset_state()
    assert float(m.result()) == 0.0


def test_mean_metric_wrapper_uses_the_mask_of_predictions():
    m = metrics.MeanMetricWrapper(keras.losses.mean_absolute_error)
    y_pred = tf.constant([[1.0], [5.0], [2.0]])
    set_keras_mask(y_pred, tf.constant([True, False, True]))
    m.update_state(tf.zeros([3, 1]), y_pred)
    assert float(m.result()) == pytest.approx(1.5)


def test_mean_traced_with_unknown_batch():
    m = metrics.Mean()
    update = tf.function(lambda v: m.update_state(v), input_signature=[tf.TensorSpec([None])])
    update(np.array([1.0, 2.0], "float32"))
    update(np.array([3.0, 4.0, 5.0], "float32"))
    assert float(m.result()) == 3.0


def test_custom_metric_subclass():
    class Count(metrics.Metric):
        def __init__(self, name="count", dtype=None):
            super().__init__(name=name, dtype=dtype)
            self.count = self.add_variable((), "zeros", name="count")

        def update_state(self, values):
            self.count.assign_add(tf.cast(tf.size(values), self.dtype))

        def result(self):
            return self.count.value

    m = Count()
    assert float(m(tf.ones([4]))) == 4.0 and float(m(tf.ones([2, 3]))) == 10.0
    assert Count.from_config(m.get_config()).name == "count"

    class Forgot(metrics.Metric):
        def __init__(self):
            pass

    with pytest.raises(RuntimeError, match="super"):
        Forgot()([1.0])


def test_nested_metrics_expose_their_variables():
    class Pair(metrics.Metric):
        def __init__(self):
            super().__init__(name="pair")
            self.a = metrics.Mean(name="a")
            self.b = metrics.Sum(name="b")

    assert len(Pair().variables) == 3


def test_iou_dtype_is_int64_like_keras():
    m = metrics.MeanIoU(num_classes=3)
    assert m.dtype == "int64" and m.variables[0].dtype == tf.int64


def test_auc_multi_label_builds_from_data_and_resets():
    m = metrics.AUC(multi_label=True)
    m.update_state(np.array([[1, 0], [0, 1], [1, 1]]),
                   np.array([[0.9, 0.2], [0.4, 0.6], [0.7, 0.3]], "float32"))
    assert tuple(m.true_positives.shape) == (200, 2)
    m.reset_state()
    assert float(m.result()) == 0.0


def test_metric_argument_errors():
    with pytest.raises(ValueError, match="num_thresholds"):
        metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="curve"):
        metrics.AUC(curve="XY")
    with pytest.raises(ValueError, match="num_labels"):
        metrics.AUC(num_labels=3)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        metrics.Precision(thresholds=[1.5])
    with pytest.raises(ValueError, match="beta"):
        metrics.FBetaScore(beta=2)
    with pytest.raises(ValueError, match="average"):
        metrics.F1Score(average="mean")
    with pytest.raises(ValueError, match="out of range"):
        metrics.IoU(num_classes=2, target_class_ids=[2])
    with pytest.raises(ValueError, match="range"):
        metrics.PrecisionAtRecall(recall=1.5)
    with pytest.raises(ValueError, match="2D"):
        metrics.R2Score()(np.ones(3, "float32"), np.ones(3, "float32"))
    with pytest.raises(ValueError, match="class_id"):
        metrics.Precision(class_id=1)(np.ones(3, "float32"), np.ones(3, "float32"))


@pytest.mark.parametrize("name", sorted(DATA["resolved_metrics"]))
def test_get_resolves_names_like_keras(name):
    want = DATA["resolved_metrics"][name]
    if want is None:
        with pytest.raises(ValueError, match="Could not interpret metric"):
            metrics.get(name)
        return
    obj = metrics.get(name)
    assert type(obj).__name__ == want[0]
    unnumbered = lambda text: re.sub(r"_\d+$", "", text)  # noqa: E731 - session numbering
    assert unnumbered(obj.name) == unnumbered(want[1])


def test_serialization_round_trip():
    auc = metrics.AUC(curve="PR")
    config = metrics.serialize(auc)
    want = DATA["serialized"]["metric_class"]
    assert {k: v for k, v in config.items() if k != "config"} == \
        {k: v for k, v in want.items() if k != "config"}
    restored = metrics.deserialize(config)
    assert isinstance(restored, metrics.AUC) and restored.curve == "PR"
    wrapper = metrics.MeanMetricWrapper(metrics.binary_accuracy, name="acc", threshold=0.7)
    again = metrics.MeanMetricWrapper.from_config(wrapper.get_config())
    assert again._fn is metrics.binary_accuracy and again._fn_kwargs == {"threshold": 0.7}
    assert metrics.get({"class_name": "F1Score", "config": {"average": "macro"}}).average == \
        "macro"


@pytest.mark.parametrize("identifier,loss,expected", [
    ("accuracy", "binary_crossentropy", "BinaryAccuracy"),
    ("acc", keras.losses.BinaryCrossentropy(from_logits=True), "BinaryAccuracy"),
    ("accuracy", keras.losses.BinaryFocalCrossentropy(), "BinaryAccuracy"),
    ("accuracy", "sparse_categorical_crossentropy", "SparseCategoricalAccuracy"),
    ("acc", keras.losses.SparseCategoricalCrossentropy(), "SparseCategoricalAccuracy"),
    ("accuracy", "categorical_crossentropy", "CategoricalAccuracy"),
    ("accuracy", keras.losses.categorical_crossentropy, "CategoricalAccuracy"),
    ("accuracy", "mse", "Accuracy"),
    ("Accuracy", None, "Accuracy"),
    ("crossentropy", "binary_crossentropy", "BinaryCrossentropy"),
    ("ce", keras.losses.SparseCategoricalCrossentropy(), "SparseCategoricalCrossentropy"),
    ("mae", "mse", "MeanAbsoluteError"),
])
def test_get_metric_for_loss(identifier, loss, expected):
    metric = metrics.get_metric_for_loss(identifier, loss)
    assert type(metric).__name__ == expected
    assert metric.name == identifier


def test_get_metric_uses_shapes_as_keras_3():
    spec = tf.TensorSpec
    assert isinstance(metrics.get_metric("accuracy", spec([None, 1]), spec([None, 1])),
                      metrics.BinaryAccuracy)
    assert isinstance(metrics.get_metric("acc", spec([None]), spec([None, 5])),
                      metrics.SparseCategoricalAccuracy)
    assert isinstance(metrics.get_metric("acc", spec([None, 5]), spec([None, 5])),
                      metrics.CategoricalAccuracy)
    wrapped = metrics.get_metric(keras.losses.huber, None, None)
    assert isinstance(wrapped, metrics.MeanMetricWrapper) and wrapped.name == "huber"


@pytest.mark.parametrize("make", [metrics.R2Score, metrics.F1Score,
                                  lambda: metrics.AUC(multi_label=True)])
def test_lazily_built_metrics_build_inside_traced_functions(make):
    y_true = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], "float32")
    y_pred = np.array([[0.9, 0.2], [0.3, 0.6], [0.7, 0.4]], "float32")
    traced, eager = make(), make()
    update = tf.function(lambda a, b: traced.update_state(a, b))
    for _ in range(2):
        update(y_true, y_pred)
        eager.update_state(y_true, y_pred)
    np.testing.assert_allclose(traced.result().numpy(), eager.result().numpy(), rtol=1e-6)
