"""Run-time shape checks (squeeze, split, boolean_mask... of dimensions unknown when
traced) are saved as named checks and still refuse bad shapes after loading."""

import json

import numpy as np
import pytest

import fluxion as tf
from fluxion.saved_model import SavedModelError


@tf.function(input_signature=[tf.TensorSpec([None, None], tf.float32, name="x")])
def checked(x):
    column = tf.squeeze(x[:, :1], axis=1)
    kept = tf.boolean_mask(column, column > 0.5)
    left, right = tf.split(x, [1, 1], axis=1)
    return {"kept": kept, "sum": left + right}


def test_saved_checks_pass_and_refuse(tmp_path):
    tf.saved_model.save(checked, tmp_path / "m")
    text = (tmp_path / "m" / "saved_model.json").read_text()
    assert '"shape_check"' in text
    signature = tf.saved_model.load(tmp_path / "m").signatures["serving_default"]
    x = np.array([[0.9, 1.0], [0.1, 2.0], [0.7, 3.0]], "float32")
    out = signature(x=x)
    np.testing.assert_allclose(out["kept"].numpy(), [0.9, 0.7])
    np.testing.assert_allclose(out["sum"].numpy(), [[1.9], [2.1], [3.7]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="sizes \\[1, 1\\] must add up"):
        signature(x=np.ones((2, 3), "float32"))


def test_unknown_check_name_is_malformed(tmp_path):
    tf.saved_model.save(checked, tmp_path / "m")
    path = tmp_path / "m" / "saved_model.json"
    document = json.loads(path.read_text())
    for node in document["functions"]["f0"]["graph"]["nodes"]:
        if node["primitive"] == "runtime_check":
            node["attrs"]["check"]["shape_check"]["name"] = "__import__"
            break
    path.write_text(json.dumps(document))
    with pytest.raises(SavedModelError, match="unknown run-time shape check '__import__'"):
        tf.saved_model.load(tmp_path / "m")
