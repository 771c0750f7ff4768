"""fluxion.js.save_keras_model: the model.json structure tfjs-layers reads, the weight
bytes, shards, atomic writes and the load_keras_model round trip (no browser needed;
tests/js/test_tfjs_browser.py runs the files in tfjs itself)."""

import json
import os

import numpy as np
import pytest

import fluxion.js as tfjs
from fluxion import keras


def mlp():
    return keras.Sequential([keras.Input((4,)),
                             keras.layers.Dense(8, activation="relu", name="hidden"),
                             keras.layers.Dense(3, activation="softmax", name="probs")])


def two_branch_cnn():
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.BatchNormalization(name="norm")(x)
    x = keras.layers.Flatten()(x)
    a = keras.layers.Dense(5)(x)
    b = keras.layers.Dense(5)(x)
    outputs = keras.layers.Concatenate()([keras.layers.Add()([a, b]), a])
    return keras.Model(inputs, [keras.layers.Dense(2)(x), outputs])


def read_json(directory):
    with open(os.path.join(directory, "model.json"), encoding="utf-8") as f:
        return json.load(f)


def all_keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from all_keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from all_keys(item)


def test_model_json_is_a_layers_model_in_keras2_form(tmp_path):
    tfjs.save_keras_model(mlp(), tmp_path)
    content = read_json(tmp_path)
    assert content["format"] == "layers-model"
    assert "Fluxion" in content["generatedBy"] and "Fluxion" in content["convertedBy"]
    topology = content["modelTopology"]
    assert topology["class_name"] == "Sequential"
    assert topology["backend"] == "tensor_flow.js"
    assert topology["keras_version"].startswith("2.")
    layers = topology["config"]["layers"]
    assert [layer["class_name"] for layer in layers] == ["InputLayer", "Dense", "Dense"]
    assert layers[0]["config"]["batch_input_shape"] == [None, 4]
    assert "batch_shape" not in layers[0]["config"]
    assert layers[1]["config"]["dtype"] == "float32"
    assert layers[1]["config"]["kernel_initializer"] == {
        "class_name": "GlorotUniform", "config": layers[1]["config"]["kernel_initializer"]
        ["config"]}
    keys = set(all_keys(topology))
    assert not keys & {"module", "registered_name", "build_config", "batch_shape"}


def test_functional_nodes_use_the_keras2_list_form(tmp_path):
    tfjs.save_keras_model(two_branch_cnn(), tmp_path)
    config = read_json(tmp_path)["modelTopology"]["config"]
    assert config["layers"][0]["class_name"] == "InputLayer"
    assert config["layers"][0]["inbound_nodes"] == []
    conv = next(layer for layer in config["layers"] if layer["class_name"] == "Conv2D")
    first_input = config["layers"][0]["name"]
    assert conv["inbound_nodes"] == [[[first_input, 0, 0, {}]]]
    concat = next(layer for layer in config["layers"] if layer["class_name"] == "Concatenate")
    add_name = next(layer["name"] for layer in config["layers"] if layer["class_name"] == "Add")
    assert [ref[0] for ref in concat["inbound_nodes"][0]][0] == add_name
    assert len(concat["inbound_nodes"][0]) == 2
    assert config["input_layers"] == [[first_input, 0, 0]]
    assert len(config["output_layers"]) == 2
    assert all(isinstance(ref, list) and len(ref) == 3 for ref in config["output_layers"])


def test_weight_bytes_are_little_endian_float32_in_manifest_order(tmp_path):
    model = mlp()
    tfjs.save_keras_model(model, tmp_path)
    manifest = read_json(tmp_path)["weightsManifest"]
    assert len(manifest) == 1 and manifest[0]["paths"] == ["group1-shard1of1.bin"]
    entries = manifest[0]["weights"]
    assert [e["name"] for e in entries] == ["hidden/kernel", "hidden/bias",
                                            "probs/kernel", "probs/bias"]
    assert [e["shape"] for e in entries] == [[4, 8], [8], [8, 3], [3]]
    assert {e["dtype"] for e in entries} == {"float32"}
    data = (tmp_path / "group1-shard1of1.bin").read_bytes()
    assert len(data) == 4 * (32 + 8 + 24 + 3)
    offset = 0
    for entry, variable in zip(entries, model.weights):
        count = int(np.prod(entry["shape"]))
        stored = np.frombuffer(data, "<f4", count, offset).reshape(entry["shape"])
        np.testing.assert_array_equal(stored, variable.numpy())
        offset += 4 * count


def test_batch_norm_statistics_are_exported(tmp_path):
    tfjs.save_keras_model(two_branch_cnn(), tmp_path)
    names = [e["name"] for e in read_json(tmp_path)["weightsManifest"][0]["weights"]]
    for leaf in ("gamma", "beta", "moving_mean", "moving_variance"):
        assert f"norm/{leaf}" in names


def test_small_shards_split_the_weights_and_read_back(tmp_path):
    model = mlp()
    tfjs.save_keras_model(model, tmp_path, weight_shard_size_bytes=100)
    manifest = read_json(tmp_path)["weightsManifest"]
    paths = manifest[0]["paths"]
    assert paths == [f"group1-shard{i}of3.bin" for i in (1, 2, 3)]  # 268 bytes
    assert [os.path.getsize(tmp_path / p) for p in paths] == [100, 100, 68]
    loaded = tfjs.load_keras_model(tmp_path / "model.json")
    for a, b in zip(loaded.weights, model.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("build", [mlp, two_branch_cnn])
def test_load_keras_model_round_trip_predicts_the_same(tmp_path, build):
    model = build()
    rng = np.random.default_rng(0)
    for variable in model.weights:
        variable.assign(rng.uniform(0.1, 1.0, variable.shape).astype(np.float32))
    tfjs.converters.save_keras_model(model, tmp_path / "web")
    loaded = tfjs.converters.load_keras_model(str(tmp_path / "web" / "model.json"))
    x = rng.random((3,) + tuple(model.inputs[0].shape[1:])).astype(np.float32)
    expected, got = model.predict(x, verbose=0), loaded.predict(x, verbose=0)
    for e, g in zip(expected if isinstance(expected, list) else [expected],
                    got if isinstance(got, list) else [got]):
        np.testing.assert_array_equal(g, e)


def test_user_metadata_is_stored(tmp_path):
    tfjs.save_keras_model(mlp(), tmp_path, metadata={"labels": ["a", "b", "c"]})
    assert read_json(tmp_path)["userDefinedMetadata"] == {"labels": ["a", "b", "c"]}


def test_failed_save_leaves_the_previous_export_intact(tmp_path):
    tfjs.save_keras_model(mlp(), tmp_path)
    before = {p: (tmp_path / p).read_bytes() for p in os.listdir(tmp_path)}
    with pytest.raises(TypeError):
        tfjs.save_keras_model(mlp(), tmp_path, metadata={"bad": object()})
    assert {p: (tmp_path / p).read_bytes() for p in os.listdir(tmp_path)} == before


def test_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="positive int"):
        tfjs.save_keras_model(mlp(), tmp_path, weight_shard_size_bytes=0)
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(ValueError, match="is a file"):
        tfjs.save_keras_model(mlp(), target)
    (tmp_path / "other.json").write_text(json.dumps({"format": "graph-model"}))
    with pytest.raises(ValueError, match="not a TensorFlow.js layers model"):
        tfjs.load_keras_model(tmp_path / "other.json")


def test_truncated_shard_is_reported(tmp_path):
    tfjs.save_keras_model(mlp(), tmp_path)
    shard = tmp_path / "group1-shard1of1.bin"
    shard.write_bytes(shard.read_bytes()[:50])
    with pytest.raises(ValueError, match="shards hold only 50"):
        tfjs.load_keras_model(tmp_path / "model.json")


def manifest_names(directory):
    return [e["name"] for e in read_json(directory)["weightsManifest"][0]["weights"]]


def test_inner_layer_weights_are_scoped_as_tfjs_looks_them_up(tmp_path):
    layers = keras.layers
    model = keras.Sequential([
        keras.Input((5, 3)), layers.LSTM(2, return_sequences=True, name="rnn"),
        layers.Bidirectional(layers.GRU(2, reset_after=False, name="gru"), name="bi")])
    tfjs.save_keras_model(model, tmp_path)
    names = manifest_names(tmp_path)
    assert names[:3] == ["rnn/lstm_cell/kernel", "rnn/lstm_cell/recurrent_kernel",
                         "rnn/lstm_cell/bias"]
    assert {n.split("/")[1] for n in names[3:]} == {"forward_gru", "backward_gru"}
    inner = read_json(tmp_path)["modelTopology"]["config"]["layers"][2]["config"]["layer"]
    assert inner["config"]["name"] == "gru"  # tfjs adds forward_/backward_ itself


def test_depthwise_kernel_keeps_its_keras2_name(tmp_path):
    model = keras.Sequential([keras.Input((5, 5, 2)),
                              keras.layers.DepthwiseConv2D(3, name="dw")])
    tfjs.save_keras_model(model, tmp_path)
    assert manifest_names(tmp_path) == ["dw/depthwise_kernel", "dw/bias"]


def test_reshape_minus_one_is_written_as_the_built_size(tmp_path):
    model = keras.Sequential([keras.Input((4, 3)), keras.layers.Reshape((2, -1), name="r")])
    tfjs.save_keras_model(model, tmp_path)
    layer = read_json(tmp_path)["modelTopology"]["config"]["layers"][1]
    assert layer["config"]["target_shape"] == [2, 6]


def test_silu_is_written_as_tfjs_swish(tmp_path):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="silu")])
    tfjs.save_keras_model(model, tmp_path)
    assert read_json(tmp_path)["modelTopology"]["config"]["layers"][1]["config"][
        "activation"] == "swish"


@pytest.mark.parametrize("build,message", [
    (lambda: keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation=
                                                                     "hard_sigmoid")]),
     "activation 'hard_sigmoid' has no TensorFlow.js"),
    (lambda: keras.Sequential([keras.Input((4, 3)), keras.layers.GRU(2)]),
     "reset_after=True"),
    (lambda: (lambda a, b: keras.Model([a, b], keras.layers.Subtract()([a, b])))(
        keras.Input((2,)), keras.Input((2,))), r"\(Subtract\) has no TensorFlow.js"),
])
def test_what_tfjs_cannot_run_is_refused_before_writing(tmp_path, build, message):
    with pytest.raises(ValueError, match=message):
        tfjs.save_keras_model(build(), tmp_path / "out")
    assert not os.path.exists(tmp_path / "out")


def test_nested_model_calls_are_numbered_as_keras2_and_load_back(tmp_path):
    base = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="inner")],
                            name="base")
    inputs = keras.Input((4,), name="outer_in")
    model = keras.Model(inputs, keras.layers.Dense(2, name="head")(base(inputs)))
    tfjs.save_keras_model(model, tmp_path)
    config = read_json(tmp_path)["modelTopology"]["config"]
    head = next(layer for layer in config["layers"] if layer["name"] == "head")
    assert head["inbound_nodes"] == [[["base", 1, 0, {}]]]  # node 0 is base's own
    assert manifest_names(tmp_path) == ["inner/kernel", "inner/bias", "head/kernel",
                                        "head/bias"]
    loaded = tfjs.load_keras_model(tmp_path / "model.json")
    x = np.random.default_rng(0).random((2, 4)).astype(np.float32)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_mixed_precision_policy_is_refused(tmp_path):
    model = keras.Sequential([keras.Input((3,)),
                              keras.layers.Dense(2, dtype="mixed_float16")])
    with pytest.raises(ValueError, match="'mixed_float16'.*float32"):
        tfjs.save_keras_model(model, tmp_path / "out")
