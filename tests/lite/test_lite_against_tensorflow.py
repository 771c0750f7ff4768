"""Fluxion's full integer quantization against TensorFlow's converter: the same model
and representative data give the same scales and zero points (fixtures made once with
TensorFlow by ``fixtures/make_tflite_fixtures.py``)."""

import json
import os

import numpy as np
import pytest

pytest.importorskip("ai_edge_litert")
pytest.importorskip("tflite")

import fluxion as tf  # noqa: E402
from fluxion import keras  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
COMPARED = ("CONV_2D", "DEPTHWISE_CONV_2D", "MAX_POOL_2D", "AVERAGE_POOL_2D",
            "FULLY_CONNECTED", "SOFTMAX", "QUANTIZE")


def _fluxion_record(content: bytes) -> list:
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_content=content)
    tensors = {t["index"]: t for t in interpreter.get_tensor_details()}
    record = []
    for op in interpreter._get_ops_details():
        if op["op_name"] not in COMPARED:
            continue
        output = tensors[op["outputs"][0]]["quantization"]
        entry = {"op": op["op_name"], "output": [output[0], output[1]]}
        if op["op_name"] in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
            inputs = [tensors[i] for i in op["inputs"]]
            entry["weights"] = inputs[1]["quantization_parameters"]["scales"]
            entry["bias"] = inputs[2]["quantization_parameters"]["scales"]
        record.append(entry)
    return record


@pytest.mark.parametrize("name", ["convnet", "mlp"])
def test_int8_parameters_match_tensorflow(name):
    model = keras.models.load_model(os.path.join(FIXTURES, f"{name}.keras"))
    samples = np.load(os.path.join(FIXTURES, f"{name}_samples.npy"))
    with open(os.path.join(FIXTURES, f"{name}_tf_int8.json")) as handle:
        expected = json.load(handle)
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ([s] for s in samples)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    got = _fluxion_record(converter.convert())
    assert [e["op"] for e in got] == [e["op"] for e in expected]
    for mine, theirs in zip(got, expected):
        assert mine["output"][0] == pytest.approx(theirs["output"][0], rel=1e-5), mine["op"]
        assert mine["output"][1] == theirs["output"][1], mine["op"]
        if "weights" in theirs:
            np.testing.assert_allclose(mine["weights"], theirs["weights"], rtol=1e-5)
            if theirs["bias"] is not None:
                np.testing.assert_allclose(mine["bias"], theirs["bias"], rtol=1e-4)
