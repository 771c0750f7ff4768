"""Access to the Keras 3 references of the convolution, pooling and normalization tests.

The files come from ``fixtures/make_conv_pool_norm_fixtures.py`` (run once with real
Keras); see that script for what each case holds.
"""

from __future__ import annotations

import json
import os

import numpy as np

import fluxion.keras.layers  # noqa: F401 - registers the layer classes for deserialization
from fluxion.keras.saving.serialization import deserialize_keras_object

_HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
ARRAYS = np.load(os.path.join(_HERE, "keras_conv_pool_norm.npz"))
with open(os.path.join(_HERE, "keras_conv_pool_norm.json")) as _file:
    CASES = json.load(_file)["cases"]


def case_names(*class_names: str) -> list:
    return sorted(name for name, case in CASES.items()
                  if case["class_name"] in class_names and "steps" not in case)


def array(name: str, key: str) -> np.ndarray:
    return ARRAYS[f"{name}/{key}"]


def weights(name: str) -> list:
    return [array(name, f"w{i}") for i in range(CASES[name]["num_weights"])]


def check_against_keras(name: str, rtol: float = 1e-5, atol: float = 1e-5) -> None:
    """Rebuilds the case from Keras's own serialized config and compares the output."""
    layer = deserialize_keras_object(CASES[name]["serialized"])
    x = array(name, "x")
    layer(x)
    layer.set_weights(weights(name))
    np.testing.assert_allclose(layer(x).numpy(), array(name, "y"), rtol=rtol, atol=atol,
                               err_msg=f"{name}: output differs from Keras 3")


def check_config_matches_keras(layer_cls, name: str) -> None:
    """A layer made from the case's kwargs has Keras's exact config (its name aside)."""
    case = CASES[name]
    layer = layer_cls(**case["kwargs"])
    x = array(name, "x0" if "steps" in case else "x")
    layer(x)  # configs may change on build (LayerNormalization's axis)
    ours = json.loads(json.dumps(layer.get_config()))
    theirs = dict(case["serialized"]["config"])
    ours.pop("name")
    theirs.pop("name")
    assert sorted(ours) == sorted(theirs), f"{name}: config keys differ from Keras 3"
    assert ours == theirs, f"{name}: config differs from Keras 3:\n{ours}\n{theirs}"
