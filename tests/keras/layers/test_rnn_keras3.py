"""Recurrent layers against real Keras 3 with the same weights.

The fixtures were written by ``fixtures/make_rnn_fixtures.py`` with Keras 3 (TensorFlow
backend): each layer is rebuilt here from Keras's own serialized config, given Keras's
(random) weights, inputs, mask and initial states, and must give Keras's outputs.  The
cases cover return_sequences / return_state / go_backwards, masks with left and right
padding and holes, initial states, GRU reset_after both ways, the fused and the generic
paths, Bidirectional merge modes, stacked cells and TimeDistributed.
"""

import json
import os

import numpy as np
import pytest

from fluxion.core.tensor import Tensor
from fluxion.keras.saving.serialization import deserialize_keras_object

HERE = os.path.join(os.path.dirname(__file__), "fixtures")
with open(os.path.join(HERE, "keras_rnn.json")) as f:
    CONFIGS = json.load(f)["configs"]
ARRAYS = dict(np.load(os.path.join(HERE, "keras_rnn.npz")))


def _series(case: str, kind: str) -> list:
    found, i = [], 0
    while f"{case}/{kind}{i}" in ARRAYS:
        found.append(ARRAYS[f"{case}/{kind}{i}"])
        i += 1
    return found


def _flat(out) -> list:
    if isinstance(out, (list, tuple)):
        return [leaf for item in out for leaf in _flat(item)]
    return [out]


@pytest.mark.parametrize("case", sorted(CONFIGS))
def test_matches_keras3(case):
    config = CONFIGS[case]
    layer = deserialize_keras_object(config)
    assert layer.get_config()["name"] == config["config"]["name"]
    kwargs = {}
    if f"{case}/mask" in ARRAYS:
        kwargs["mask"] = Tensor(ARRAYS[f"{case}/mask"])
    states = _series(case, "state")
    if states:
        kwargs["initial_state"] = [Tensor(s) for s in states]
    x = Tensor(ARRAYS[f"{case}/in0"])
    layer(x, **kwargs)
    layer.set_weights(_series(case, "weight"))
    got = _flat(layer(x, **kwargs))
    want = _series(case, "out")
    assert len(got) == len(want), f"{len(got)} outputs, Keras gives {len(want)}"
    for g, w in zip(got, want):
        np.testing.assert_allclose(np.asarray(g._value), w, rtol=1e-5, atol=2e-6)
