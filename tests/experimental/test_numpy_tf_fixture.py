"""``tf.experimental.numpy`` against results recorded from real TensorFlow
(fixtures/tnp.json, made by fixtures/make_tnp_fixture.py from ``tnp_calls``): the
dtypes TF's NumPy layer picks (NumPy promotion, float64 defaults, weak Python scalars)
and the values."""

import json
import os

import numpy as np
import pytest
from tnp_calls import CALLS

import fluxion as tf

with open(os.path.join(os.path.dirname(__file__), "fixtures", "tnp.json")) as _f:
    FIXTURE = json.load(_f)["calls"]


@pytest.mark.parametrize("name", sorted(name for name in CALLS
                                        if "error" not in FIXTURE[name]))
def test_matches_tensorflow(name):
    want = FIXTURE[name]
    got = np.asarray(CALLS[name](tf.experimental.numpy))
    assert got.dtype.name == want["dtype"]
    assert list(got.shape) == want["shape"]
    np.testing.assert_allclose(got.reshape(-1).astype(np.float64), want["values"],
                               rtol=1e-6, atol=1e-7)
