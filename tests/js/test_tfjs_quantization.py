"""quantization_dtype_map: uint8/uint16 affine and float16 weights in tfjs's manifest
form, with zero exactly representable and errors within half a step."""

import json
import os

import numpy as np
import pytest

import fluxion.js as tfjs
from fluxion import keras
from fluxion.js import quantization


def model():
    return keras.Sequential([keras.Input((6,)),
                             keras.layers.Dense(32, activation="relu", name="hidden"),
                             keras.layers.Dense(3, name="logits")])


@pytest.mark.parametrize("dtype", ["uint8", "uint16"])
def test_affine_quantization_keeps_zero_and_half_a_step(dtype):
    values = np.random.default_rng(0).normal(size=1000).astype(np.float32)
    values[:5] = 0.0
    stored, info = quantization.quantize(values, dtype)
    assert stored.dtype == np.dtype(dtype).newbyteorder("<")
    back = quantization.dequantize(stored, info)
    assert np.all(back[:5] == 0.0)
    assert np.abs(back - values).max() <= info["scale"] * 0.5 + 1e-6
    assert info["min"] <= values.min() + info["scale"] and info["original_dtype"] == "float32"


def test_constant_and_positive_weights_quantize_exactly():
    stored, info = quantization.quantize(np.full(4, 0.5, np.float32), "uint8")
    np.testing.assert_allclose(quantization.dequantize(stored, info), 0.5, rtol=1e-6)
    stored, info = quantization.quantize(np.zeros(3, np.float32), "uint16")
    assert np.all(quantization.dequantize(stored, info) == 0.0)


@pytest.mark.parametrize("dtype,size,tolerance", [("uint8", 1, 0.02), ("uint16", 2, 1e-4),
                                                  ("float16", 2, 2e-3)])
def test_quantized_export_is_smaller_and_loads_back_close(tmp_path, dtype, size, tolerance):
    net = model()
    tfjs.save_keras_model(net, tmp_path, quantization_dtype_map={dtype: "*"})
    with open(tmp_path / "model.json", encoding="utf-8") as f:
        entries = json.load(f)["weightsManifest"][0]["weights"]
    assert all(e["dtype"] == "float32" and e["quantization"]["dtype"] == dtype
               for e in entries)
    count = sum(int(np.prod(e["shape"])) for e in entries)
    assert os.path.getsize(tmp_path / "group1-shard1of1.bin") == count * size
    loaded = tfjs.load_keras_model(tmp_path / "model.json")
    x = np.random.default_rng(1).random((8, 6)).astype(np.float32)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), net.predict(x, verbose=0),
                               atol=tolerance)


def test_patterns_choose_the_weights(tmp_path):
    tfjs.save_keras_model(model(), tmp_path,
                          quantization_dtype_map={"float16": ["hidden/*"],
                                                  "uint8": "logits/kernel"})
    with open(tmp_path / "model.json", encoding="utf-8") as f:
        entries = json.load(f)["weightsManifest"][0]["weights"]
    kinds = {e["name"]: e.get("quantization", {}).get("dtype") for e in entries}
    assert kinds == {"hidden/kernel": "float16", "hidden/bias": "float16",
                     "logits/kernel": "uint8", "logits/bias": None}


def test_unknown_quantization_dtype_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown dtype 'int4'"):
        tfjs.save_keras_model(model(), tmp_path, quantization_dtype_map={"int4": "*"})
    assert not os.path.exists(tmp_path / "model.json")
