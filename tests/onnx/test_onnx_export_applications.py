"""Whole keras.applications networks (random weights, logits out) exported to ONNX give
Fluxion's predictions: residual, densely connected, depthwise-separable and
squeeze-excite graphs."""

import pytest

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from onnx_harness import assert_exports_exactly  # noqa: E402

from fluxion import keras  # noqa: E402

APPLICATIONS = {
    "ResNet50": dict(input_shape=(64, 64, 3)),
    "DenseNet121": dict(input_shape=(64, 64, 3)),
    "MobileNetV2": dict(alpha=0.35, input_shape=(96, 96, 3)),
    "MobileNetV3Small": dict(input_shape=(96, 96, 3)),  # hard swish, squeeze-excite
    "EfficientNetB0": dict(input_shape=(64, 64, 3)),  # rescaling, normalization, swish
}


@pytest.mark.parametrize("name", sorted(APPLICATIONS))
def test_application_exports(tmp_path, name):
    model = getattr(keras.applications, name)(weights=None, classes=5,
                                               classifier_activation=None,
                                               **APPLICATIONS[name])
    assert_exports_exactly(model, tmp_path / "m.onnx", batches=(1, 2))
