"""TF 1 names that are TF 2 objects: Fluxion's alias tables against real TensorFlow's.

``fixtures/v1_aliases.json`` lists every ``compat.v1`` (``.nn``, ``.train``) name that
TensorFlow 2.21 publishes as the same object as a TF 2 name
(``tools/compat/generate_v1_aliases.py``).  Wherever Fluxion has the TF 2 object, its
TF 1 name must give it (itself, or wrapped to name its graph ops as TF 1 does).
"""

import json
import os

import numpy as np
import pytest

import fluxion
import fluxion.compat.v1 as v1
from fluxion.compat import v1_aliases
from fluxion.graph.v1 import train as v1_train

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "v1_aliases.json")

# TF 1 names Fluxion gives its own TF 1 version of (graph-aware, or TF 1's arguments).
OWN_V1_VERSIONS = {
    "compat.v1.control_dependencies", "compat.v1.group", "compat.v1.no_op",
    "compat.v1.nn.local_response_normalization", "compat.v1.nn.lrn",
    "compat.v1.nn.log_poisson_loss", "compat.v1.nn.normalize_moments",
    "compat.v1.nn.zero_fraction",
}


def _resolve(dotted: str):
    value = fluxion
    for part in filter(None, dotted.split(".")):
        value = getattr(value, part)
    return value


def _unwrapped(value):
    return getattr(value, "__wrapped__", value)


def _reference() -> dict:
    with open(FIXTURE) as handle:
        table = json.load(handle)
    table.pop("_tensorflow_version")
    return table


def _pairs():
    return sorted(_reference().items())


@pytest.mark.parametrize("v1_name,v2_name", _pairs())
def test_v1_name_is_the_v2_object(v1_name, v2_name):
    try:
        target = _resolve(v2_name)
    except AttributeError:
        pytest.skip(f"fluxion has no {v2_name} yet")
    value = _resolve(v1_name)
    if v1_name in OWN_V1_VERSIONS:
        assert callable(value)
        return
    assert _unwrapped(value) is _unwrapped(target), (v1_name, v2_name)


def test_alias_tables_match_tensorflow():
    reference = _reference()
    tables = {"compat.v1": v1_aliases.V1, "compat.v1.nn": v1_aliases.NN,
              "compat.v1.train": v1_train.ALIASES}
    for namespace, table in tables.items():
        for name, target in table.items():
            assert reference[f"{namespace}.{name}"] == target, name


def test_aliases_compute():
    a = np.array([[4.0, 1.0], [1.0, 3.0]], np.float32)
    np.testing.assert_allclose(v1.matrix_inverse(a).numpy(), np.linalg.inv(a), rtol=1e-5)
    np.testing.assert_allclose(v1.matrix_determinant(a).numpy(), np.linalg.det(a), rtol=1e-5)
    np.testing.assert_allclose(v1.segment_sum([1.0, 2.0, 3.0], [0, 0, 1]).numpy(), [3.0, 3.0])
    np.testing.assert_allclose(v1.lin_space(0.0, 1.0, 3).numpy(), [0.0, 0.5, 1.0])
    np.testing.assert_allclose(v1.nn.max_pool_v2(np.ones((1, 2, 2, 1), np.float32), 2, 2,
                                                  "VALID").numpy(), np.ones((1, 1, 1, 1)))
