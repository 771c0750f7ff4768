"""Every preprocessing layer against Keras 3 on fixed inputs.

``fixtures/keras_preprocessing.json`` was written once by
``fixtures/make_preprocessing_fixtures.py`` with real Keras 3 (TensorFlow backend).  Each
case is replayed here: the same constructor arguments, the same ``adapt`` data, the same
input, applied by calling the layer (with ``training`` when stated) or by
``transform_images`` with the recorded transformation.  The output, its dtype, adapted
vocabularies and boundaries, and the layer config must match Keras's.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from fluxion.core.tensor import convert_to_tensor
from fluxion.keras import layers
from fluxion.core.primitives import fingerprint
from fluxion.keras.saving.serialization import deserialize_keras_object

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
with open(os.path.join(HERE, "keras_preprocessing.json")) as _file:
    FIXTURES = json.load(_file)
CASES = FIXTURES["cases"]
# Keys whose values legitimately differ: generated names and the vocabulary file path.
_IGNORED_CONFIG_KEYS = {"name"}


def resolve(kwargs: dict) -> dict:
    out = {}
    for key, value in kwargs.items():
        if isinstance(value, str) and value.startswith("@fixture:"):
            value = os.path.join(HERE, value[len("@fixture:"):])
        if key in ("ngrams", "factor", "axis") and isinstance(value, list):
            value = tuple(value)
        out[key] = value
    return out


def as_input(value, dtype):
    if dtype == "string":
        return convert_to_tensor(value)
    return np.asarray(value, dtype=dtype or "float32")


def adapt_input(case):
    data = case["adapt"]
    if case["layer"] == "IntegerLookup":
        return np.asarray(data, "int64")
    if case["input_dtype"] == "string":
        return np.asarray(data, dtype=object)
    return np.asarray(data, "float32")


def transformation_for(spec):
    if "tuple" in spec:
        return tuple(spec["tuple"])
    out = {}
    for key, value in spec.items():
        value = np.asarray(value)
        out[key] = value.astype("float32") if value.dtype.kind == "f" else value
    return out


def build_case(name: str):
    case = CASES[name]
    layer = getattr(layers, case["layer"])(**resolve(case["kwargs"]))
    if case["adapt"] is not None:
        layer.adapt(adapt_input(case))
    x = as_input(case["input"], case["input_dtype"])
    return case, layer, x


def run_case(name: str):
    case, layer, x = build_case(name)
    if case["transformation"] is not None:
        y = layer.transform_images(convert_to_tensor(x),
                                   transformation_for(case["transformation"]), training=True)
    else:
        kwargs = dict(case["call_kwargs"] or {})
        if "count_weights" in kwargs:
            kwargs["count_weights"] = np.asarray(kwargs["count_weights"], "float32")
        if case["training"] is not None:
            kwargs["training"] = case["training"]
        y = layer(x, **kwargs)
    return case, layer, y


def plain_output(y) -> np.ndarray:
    value = np.asarray(y.numpy())
    if value.dtype == object:
        return np.vectorize(lambda b: b.decode("utf-8"), otypes=[object])(value)
    return value


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if "error" not in c))
def test_output_matches_keras(name):
    case, layer, y = run_case(name)
    out = plain_output(y)
    expected = np.asarray(case["output"], dtype=object if case["output_dtype"] == "string"
                          else case["output_dtype"])
    assert list(out.shape) == case["output_shape"], f"{name}: shape {out.shape}"
    if case["output_dtype"] == "string":
        assert out.tolist() == expected.tolist()
    else:
        assert str(out.dtype) == case["output_dtype"], f"{name}: dtype {out.dtype}"
        np.testing.assert_allclose(out.astype(np.float64), expected.astype(np.float64),
                                   rtol=1e-4, atol=2e-3, err_msg=name)
    if "vocabulary" in case:
        assert layer.get_vocabulary() == case["vocabulary"]
    if "bin_boundaries" in case:
        np.testing.assert_allclose(layer.bin_boundaries, case["bin_boundaries"], rtol=1e-6)
    if "mean" in case:
        np.testing.assert_allclose(layer.adapt_mean.numpy(), case["mean"], rtol=1e-5,
                                   atol=1e-6)
        np.testing.assert_allclose(layer.adapt_variance.numpy(), case["variance"], rtol=1e-5,
                                   atol=1e-6)


def _comparable(config: dict) -> dict:
    config = {k: v for k, v in config.items() if k not in _IGNORED_CONFIG_KEYS}
    return json.loads(json.dumps(config, default=list))


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if "error" not in c))
def test_config_matches_keras(name):
    case, layer, _ = run_case(name)
    serialized = case["serialized"]
    ours = _comparable(layer.get_config())
    theirs = _comparable(serialized["config"])
    if case["layer"] in ("StringLookup", "IntegerLookup", "TextVectorization") and \
            isinstance(case["kwargs"].get("vocabulary"), str):
        assert ours.get("vocabulary") is None  # file vocabularies travel as assets
    assert set(ours) == set(theirs), f"{name}: {set(ours) ^ set(theirs)}"
    for key in theirs:
        assert ours[key] == pytest.approx(theirs[key]) if isinstance(theirs[key], float) \
            else ours[key] == theirs[key], f"{name}: {key}: {ours[key]!r} != {theirs[key]!r}"


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items()
                                        if "error" not in c and c["transformation"] is None
                                        and not isinstance(c["kwargs"].get("vocabulary"), str)))
def test_keras_config_deserializes(name):
    """Keras's own serialized layer loads into Fluxion and computes the same output
    (for stateless or config-carried state: adapted state lives in weights/assets)."""
    case = CASES[name]
    layer = deserialize_keras_object(case["serialized"])
    assert type(layer).__name__ == case["layer"]
    if case["adapt"] is not None and case["layer"] not in ("Discretization",):
        return
    x = as_input(case["input"], case["input_dtype"])
    kwargs = dict(case["call_kwargs"] or {})
    if "count_weights" in kwargs:
        kwargs["count_weights"] = np.asarray(kwargs["count_weights"], "float32")
    if case["training"] is not None:
        kwargs["training"] = case["training"]
    out = plain_output(layer(x, **kwargs))
    if case["output_dtype"] == "string":
        assert out.tolist() == case["output"]
    else:
        np.testing.assert_allclose(out.astype(np.float64), np.asarray(case["output"], float),
                                   rtol=1e-4, atol=2e-3)


def test_hash_functions_match_tensorflow():
    hashes = FIXTURES["hashes"]
    words = np.asarray([w.encode("utf-8") for w in hashes["words"]], dtype=object)
    assert [fingerprint.fingerprint64(w) for w in words] == \
        [int(v) for v in hashes["fingerprint64"]]
    assert fingerprint.hash_buckets(words, 1000003).tolist() == hashes["fast_1000003"]
    assert fingerprint.hash_buckets(words, 1000003, (123, 456)).tolist() == \
        hashes["strong_123_456"]
    assert [fingerprint.siphash24((2 ** 40 + 5, 7), w) % 2 ** 62 for w in words] == \
        [int(v) for v in hashes["strong_big"]]
