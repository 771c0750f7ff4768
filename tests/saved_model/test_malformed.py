"""Hostile or broken saved-model directories: each fault is a SavedModelError naming the
file and what is wrong; nothing in a file is run as code."""

import json
import os
import shutil

import numpy as np
import pytest

import fluxion as tf
from fluxion.saved_model import SavedModelError, SavedModelNotFoundError


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A model with a variable, a constant and a cond sub-graph."""
    path = tmp_path_factory.mktemp("good") / "m"

    class Model(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable([[1.0, 2.0], [3.0, 4.0]])

        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32, name="x")])
        def __call__(self, x):
            y = tf.matmul(x, self.w) + tf.constant([0.5, -0.5])
            return tf.cond(tf.reduce_sum(y) > 0, lambda: y * 2.0, lambda: -y)

    tf.saved_model.save(Model(), path)
    return path


def _copy(saved, tmp_path):
    target = tmp_path / "copy"
    shutil.copytree(saved, target)
    return target


def _edit(path, change):
    document_path = path / "saved_model.json"
    document = json.loads(document_path.read_text())
    change(document)
    document_path.write_text(json.dumps(document))


def _nodes(document):
    return document["functions"]["f0"]["graph"]["nodes"]


def _node(document, primitive):
    return next(n for n in _nodes(document) if n["primitive"] == primitive)


def _load_fails(path, *patterns):
    with pytest.raises(SavedModelError) as caught:
        tf.saved_model.load(path)
    message = str(caught.value)
    for pattern in patterns:
        assert pattern in message, message
    return message


def test_good_copy_loads(saved, tmp_path):
    loaded = tf.saved_model.load(_copy(saved, tmp_path))
    out = loaded.signatures["serving_default"](x=[[1.0, 0.0]])["output_0"].numpy()
    np.testing.assert_allclose(out, [[3.0, 3.0]])


def test_missing_directory_and_document(tmp_path):
    with pytest.raises(SavedModelNotFoundError, match="no such directory"):
        tf.saved_model.load(tmp_path / "nowhere")
    with pytest.raises(tf.errors.NotFoundError, match="no saved_model.json"):
        tf.saved_model.load(tmp_path)
    assert not tf.saved_model.contains_saved_model(tmp_path)
    (tmp_path / "saved_model.pb").write_bytes(b"\x08\x01")
    _load_fails(tmp_path, "TensorFlow SavedModel (saved_model.pb)")


def test_not_json_and_wrong_format(saved, tmp_path):
    path = _copy(saved, tmp_path)
    (path / "saved_model.json").write_text("{not json")
    _load_fails(path, "saved_model.json", "not valid JSON")
    (path / "saved_model.json").write_text('{"format": "something-else"}')
    _load_fails(path, "not a Fluxion saved model")
    (path / "saved_model.json").write_text('[1, 2]')
    _load_fails(path, "must be a JSON object")
    (path / "saved_model.json").write_text('{"a": NaN}')
    _load_fails(path, "not valid JSON")


def test_newer_format_version(saved, tmp_path):
    path = _copy(saved, tmp_path)
    _edit(path, lambda d: d.update(format_version=99))
    _load_fails(path, "format_version 99")


def test_truncated_json(saved, tmp_path):
    path = _copy(saved, tmp_path)
    text = (path / "saved_model.json").read_text()
    (path / "saved_model.json").write_text(text[: len(text) // 2])
    _load_fails(path, "not valid JSON")


def test_unknown_primitive(saved, tmp_path):
    path = _copy(saved, tmp_path)
    _edit(path, lambda d: _node(d, "matmul").update(primitive="os_system"))
    _load_fails(path, "unknown primitive 'os_system'", "node")


def test_refused_primitive(saved, tmp_path):
    path = _copy(saved, tmp_path)
    _edit(path, lambda d: _node(d, "matmul").update(primitive="fused_elementwise"))
    _load_fails(path, "'fused_elementwise' may not be loaded")


def test_attribute_of_the_wrong_type(saved, tmp_path):
    path = _copy(saved, tmp_path)

    def change(document):
        _node(document, "reduce_sum")["attrs"]["axes"] = "not axes"

    _edit(path, change)
    _load_fails(path, "reduce_sum", "rejects")


def test_unknown_attribute_tag(saved, tmp_path):
    path = _copy(saved, tmp_path)

    def change(document):
        _node(document, "reduce_sum")["attrs"]["axes"] = {"pickle": "Y29zCnN5c3RlbQo="}

    _edit(path, change)
    _load_fails(path, "unknown attribute tag 'pickle'", "attribute 'axes'")


def test_attribute_the_primitive_does_not_take(saved, tmp_path):
    path = _copy(saved, tmp_path)
    _edit(path, lambda d: _node(d, "reduce_sum")["attrs"].update(evil=1))
    _load_fails(path, "['evil'] are not taken by primitive 'reduce_sum'")


def test_attribute_removed(saved, tmp_path):
    path = _copy(saved, tmp_path)
    _edit(path, lambda d: _node(d, "reduce_sum")["attrs"].pop("axes"))
    _load_fails(path, "reduce_sum")


def test_bad_attribute_inside_subgraph(saved, tmp_path):
    path = _copy(saved, tmp_path)

    def change(document):
        graph = _node(document, "cond")["attrs"]["true_graph"]["subgraph"]
        graph["nodes"][0]["primitive"] = "no_such_thing"

    _edit(path, change)
    _load_fails(path, "true_graph", "unknown primitive 'no_such_thing'")


def test_declared_output_shape_disagrees(saved, tmp_path):
    path = _copy(saved, tmp_path)
    _edit(path, lambda d: _node(d, "matmul")["outputs"][0].update(shape=[None, 7]))
    _load_fails(path, "matmul", "declared float32[?, 7]")


def test_value_used_before_defined(saved, tmp_path):
    path = _copy(saved, tmp_path)
    _edit(path, lambda d: _node(d, "matmul").update(inputs=[0, 999]))
    _load_fails(path, "value 999, which is not defined")


def test_bad_field_types(saved, tmp_path):
    path = _copy(saved, tmp_path)
    _edit(path, lambda d: _node(d, "matmul").update(inputs="0,1"))
    _load_fails(path, "field 'inputs' must be a list")
    path = _copy(saved, tmp_path / "b")
    _edit(path, lambda d: d["functions"]["f0"]["graph"]["inputs"][0].update(dtype="float99"))
    _load_fails(path, "unknown dtype 'float99'")


def test_variable_reference_out_of_range(saved, tmp_path):
    path = _copy(saved, tmp_path)
    _edit(path, lambda d: _node(d, "read_variable")["attrs"].update(
        variable={"variable": 5}))
    _load_fails(path, "variable 5 does not exist")


def test_variable_of_the_wrong_shape(saved, tmp_path):
    path = _copy(saved, tmp_path)
    _edit(path, lambda d: d["variables"][0].update(shape=[3, 3]))
    _load_fails(path, "variables", "declared float32[3, 3]", "holds float32[2, 2]")


def test_missing_variables_files(saved, tmp_path):
    path = _copy(saved, tmp_path)
    os.remove(path / "variables" / "variables.index")
    _load_fails(path, "variables", "cannot read the checkpoint")
    path = _copy(saved, tmp_path / "b")
    os.remove(path / "variables" / "variables.data-00000-of-00001")
    _load_fails(path, "variables", "missing")


def test_truncated_and_corrupt_variable_data(saved, tmp_path):
    path = _copy(saved, tmp_path)
    data = path / "variables" / "variables.data-00000-of-00001"
    data.write_bytes(data.read_bytes()[:5])
    _load_fails(path, "variables", "truncated")
    path = _copy(saved, tmp_path / "b")
    data = path / "variables" / "variables.data-00000-of-00001"
    raw = bytearray(data.read_bytes())
    raw[0] ^= 0xFF
    data.write_bytes(bytes(raw))
    _load_fails(path, "checksum")


def test_missing_constants(saved, tmp_path):
    path = _copy(saved, tmp_path)
    shutil.rmtree(path / "constants")
    _load_fails(path, "constants", "cannot read the checkpoint")


def test_signature_refers_to_missing_function(saved, tmp_path):
    path = _copy(saved, tmp_path)
    _edit(path, lambda d: d["signatures"]["serving_default"].update(function="f9"))
    _load_fails(path, "signature 'serving_default'", "function 'f9'")


def test_signature_input_index_out_of_range(saved, tmp_path):
    path = _copy(saved, tmp_path)
    _edit(path, lambda d: d["signatures"]["serving_default"]["inputs"][0].update(index=3))
    _load_fails(path, "input 'x' refers to graph input 3")


def test_object_path_cannot_shadow_or_reach_private_names(saved, tmp_path):
    path = _copy(saved, tmp_path)
    _edit(path, lambda d: d["objects"]["variables"].update({"__class__": 0}))
    _load_fails(path, "'__class__' is not a dotted path")
    path = _copy(saved, tmp_path / "b")
    _edit(path, lambda d: d["objects"]["functions"].update({"signatures": "f0"}))
    _load_fails(path, "'signatures' is not a dotted path")


def test_deeply_nested_attribute(saved, tmp_path):
    path = _copy(saved, tmp_path)
    nested = 0
    for _ in range(200):
        nested = {"tuple": [nested]}
    _edit(path, lambda d: _node(d, "reduce_sum")["attrs"].update(axes=nested))
    _load_fails(path, "nested more than")


def test_deeply_nested_subgraphs(saved, tmp_path):
    path = _copy(saved, tmp_path)

    def change(document):
        cond = _node(document, "cond")
        inner = cond["attrs"]["true_graph"]["subgraph"]
        graph = inner
        for _ in range(40):  # a cond whose branch holds a cond whose branch holds...
            nested = json.loads(json.dumps(cond))
            nested["inputs"] = []
            nested["attrs"]["true_graph"]["subgraph"] = graph
            graph = {"name": "g", "inputs": [], "constants": [], "nodes": [nested],
                     "outputs": []}
        cond["attrs"]["true_graph"]["subgraph"] = graph

    _edit(path, change)
    _load_fails(path, "nested more than 32 deep")


@pytest.mark.parametrize("primitive", ["write_file", "read_file", "py_call", "host_call"])
def test_primitives_that_reach_outside_the_graph_are_refused(saved, tmp_path, primitive):
    path = _copy(saved, tmp_path)
    _edit(path, lambda d: _node(d, "matmul").update(primitive=primitive))
    _load_fails(path, f"primitive '{primitive}' may not be loaded from a file")
