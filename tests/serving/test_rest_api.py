"""TensorFlow Serving's REST API over real HTTP, against ``fluxion serve`` in a child
process serving three exported models from a ``--model_config_file``."""

import base64

import numpy as np
import pytest

from fluxion.testing.model_server import ModelServer, request

from .conftest import export_mlp, save_example_model, save_two_headed, serialized_example

pytest.importorskip("google.protobuf")

CONFIG = """
model_config_list {
  config {
    name: "mlp"  base_path: "%(root)s/mlp"  model_platform: "tensorflow"
    model_version_policy { specific { versions: 1 versions: 2 } }
    version_labels { key: "stable" value: 1 }
    version_labels { key: "canary" value: 2 }
  }
  config { name: "two" base_path: "%(root)s/two" }
  config { name: "examples" base_path: "%(root)s/examples" }
}
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("models")
    models = {"mlp1": export_mlp(root / "mlp" / "1", seed=0),
              "mlp2": export_mlp(root / "mlp" / "2", seed=5),
              "two": save_two_headed(root / "two" / "1")}
    models["examples"] = save_example_model(root / "examples" / "3")
    (root / "models.config").write_text(CONFIG % {"root": root})
    (root / "monitoring.config").write_text(
        'prometheus_config { enable: true path: "/monitoring/prometheus/metrics" }')
    args = [f"--model_config_file={root / 'models.config'}",
            f"--monitoring_config_file={root / 'monitoring.config'}",
            "--file_system_poll_wait_seconds=0"]
    with ModelServer(args, ready="port") as server:
        for name in ("mlp", "two", "examples") if "examples" in models else ("mlp", "two"):
            status, answer = server.get(f"/v1/models/{name}")
            assert status == 200, answer
        yield server, models


def _rows(n=3, width=4, seed=0):
    return np.random.default_rng(seed).standard_normal((n, width)).astype(np.float32)


def test_model_status_lists_versions_newest_first(served):
    server, _ = served
    status, answer = server.get("/v1/models/mlp")
    assert status == 200
    assert answer == {"model_version_status": [
        {"version": "2", "state": "AVAILABLE", "status": {"error_code": "OK",
                                                          "error_message": ""}},
        {"version": "1", "state": "AVAILABLE", "status": {"error_code": "OK",
                                                          "error_message": ""}}]}
    status, answer = server.get("/v1/models/mlp/versions/1")
    assert [v["version"] for v in answer["model_version_status"]] == ["1"]
    status, answer = server.get("/v1/models/mlp/labels/canary")
    assert [v["version"] for v in answer["model_version_status"]] == ["2"]


def test_predict_row_format_equals_model_predict(served):
    server, models = served
    x = _rows()
    status, answer = server.post("/v1/models/mlp:predict", {"instances": x.tolist()})
    assert status == 200
    np.testing.assert_allclose(answer["predictions"], models["mlp2"].predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
    for path, model in (("/v1/models/mlp/versions/1:predict", "mlp1"),
                        ("/v1/models/mlp/labels/stable:predict", "mlp1"),
                        ("/v1/models/mlp/labels/canary:predict", "mlp2")):
        status, answer = server.post(path, {"instances": x.tolist()})
        assert status == 200
        np.testing.assert_allclose(answer["predictions"], models[model].predict(x, verbose=0),
                                   rtol=1e-6, atol=1e-6)


def test_predict_columnar_format_and_named_instances(served):
    server, models = served
    x = _rows(2)
    status, answer = server.post("/v1/models/mlp:predict", {"inputs": {"x": x.tolist()}})
    assert status == 200 and set(answer) == {"outputs"}
    np.testing.assert_allclose(answer["outputs"], models["mlp2"].predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
    status, answer = server.post("/v1/models/mlp:predict",
                                 {"instances": [{"x": row} for row in x.tolist()]})
    np.testing.assert_allclose(answer["predictions"], models["mlp2"].predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)


def test_several_inputs_and_outputs(served):
    server, models = served
    a = np.array([[1.0, 2.0], [3.0, -4.0]], np.float32)
    b = np.array([1, -2], np.int32)
    total, scaled = models["two"](a, b)
    status, answer = server.post("/v1/models/two:predict", {"instances": [
        {"a": a[0].tolist(), "b": 1}, {"a": a[1].tolist(), "b": -2}]})
    assert status == 200
    assert [sorted(row) for row in answer["predictions"]] == [["scaled", "total"]] * 2
    np.testing.assert_allclose([r["total"] for r in answer["predictions"]], total)
    np.testing.assert_allclose([r["scaled"] for r in answer["predictions"]], scaled)
    status, answer = server.post("/v1/models/two:predict",
                                 {"inputs": {"a": a.tolist(), "b": b.tolist()}})
    np.testing.assert_allclose(answer["outputs"]["total"], total)
    np.testing.assert_allclose(answer["outputs"]["scaled"], scaled)


def test_nan_and_infinity_round_trip(served):
    server, _ = served
    body = b'{"inputs": {"a": [[NaN, 1.0], [Infinity, 0.0]], "b": [0, 0]}}'
    status, text = request(server.port, "POST", "/v1/models/two:predict", body)
    assert status == 200
    scaled = text["outputs"]["scaled"]  # json.loads reads NaN and Infinity back
    assert np.isnan(scaled[0][0]) and scaled[1][0] == np.inf


def test_b64_binary_inputs_and_classify_regress(served):
    server, models = served
    x = _rows(2, seed=3)
    scores = models["examples"].predict(x, verbose=0)
    records = [serialized_example(row) for row in x]
    instances = [{"b64": base64.b64encode(r).decode()} for r in records]
    status, answer = server.post("/v1/models/examples:predict", {"instances": instances})
    assert status == 200
    np.testing.assert_allclose(answer["predictions"], scores, rtol=1e-6, atol=1e-6)
    examples = [{"x": row.tolist()} for row in x]
    status, answer = server.post("/v1/models/examples:classify", {"examples": examples})
    assert status == 200
    assert [[label for label, _ in row] for row in answer["results"]] == [[""] * 3] * 2
    np.testing.assert_allclose([[s for _, s in row] for row in answer["results"]], scores,
                               rtol=1e-6, atol=1e-6)
    status, answer = server.post("/v1/models/examples:regress",
                                 {"signature_name": "regress", "examples": examples})
    assert status == 200
    np.testing.assert_allclose(answer["results"], scores @ [0.0, 1.0, 2.0], rtol=1e-5)
    status, answer = server.post("/v1/models/examples:regress", {"examples": examples})
    assert status == 400 and "Expected regression signature method_name" in answer["error"]


def test_metadata_renders_the_signature_defs(served):
    server, models = served
    status, answer = server.get("/v1/models/two/metadata")
    assert status == 200
    assert answer["model_spec"] == {"name": "two", "signature_name": "", "version": "1"}
    signature = answer["metadata"]["signature_def"]["signature_def"]["serving_default"]
    assert signature["method_name"] == "tensorflow/serving/predict"
    assert signature["inputs"]["a"]["dtype"] == "DT_FLOAT"
    assert signature["inputs"]["a"]["tensor_shape"] == {
        "dim": [{"size": "-1", "name": ""}, {"size": "2", "name": ""}], "unknown_rank": False}
    assert signature["inputs"]["b"]["dtype"] == "DT_INT32"
    assert set(signature["outputs"]) == {"scaled", "total"}
    status, answer = server.get("/v1/models/examples/versions/3/metadata")
    methods = {k: v["method_name"]
               for k, v in answer["metadata"]["signature_def"]["signature_def"].items()}
    assert methods == {"serving_default": "tensorflow/serving/classify",
                       "regress": "tensorflow/serving/regress"}


@pytest.mark.parametrize("method, path, body, status, message", [
    ("POST", "/v1/models/nope:predict", {"instances": [1]}, 404,
     "Servable not found for request: Latest(nope)"),
    ("POST", "/v1/models/mlp/versions/9:predict", {"instances": [[1, 2, 3, 4]]}, 404,
     "Servable not found for request: Specific(mlp, 9)"),
    ("GET", "/v1/models/nope", None, 404, "Could not find any versions of model nope"),
    ("GET", "/v1/models/mlp/versions/7", None, 404, "Could not find version 7 of model mlp"),
    ("POST", "/v1/models/mlp/labels/nope:predict", {"instances": [[1, 2, 3, 4]]}, 400,
     "Unrecognized servable version label: nope"),
    ("POST", "/v1/models/mlp/versions/1/labels/stable:predict", {"instances": [[1]]}, 400,
     "Malformed request"),
    ("POST", "/v1/models/mlp:predict", b"{not json", 400, "JSON Parse error"),
    ("POST", "/v1/models/mlp:predict", {"instances": [["a", 1, 2, 3]]}, 400,
     "is not of expected type: float"),
    ("POST", "/v1/models/mlp:predict", {"instances": [[1, 2, 3]]}, 400, "shape"),
    ("POST", "/v1/models/mlp:predict", {"signature_name": "x", "instances": [[1]]}, 400,
     'Serving signature name: "x" not found in signature def'),
    ("POST", "/v1/models/mlp:predict", {"instances": [[1, 2, 3, 4]], "inputs": [1]}, 400,
     "expecting only one of 'inputs' or 'instances'"),
    ("GET", "/v1/models/mlp:predict", None, 400, "Malformed request: GET"),
    ("PUT", "/v1/models/mlp", b"{}", 400, "Malformed request: PUT"),
])
def test_errors_have_tf_serving_status_codes(served, method, path, body, status, message):
    server, _ = served
    got_status, answer = request(server.port, method, path, body)
    assert got_status == status, answer
    assert set(answer) == {"error"} and message in answer["error"]


def test_a_failing_request_leaves_the_server_serving(served):
    server, models = served
    for _ in range(3):
        assert server.post("/v1/models/mlp:predict", b"\xff\xfe")[0] == 400
    x = _rows(1)
    status, answer = server.post("/v1/models/mlp:predict", {"instances": x.tolist()})
    assert status == 200


def test_prometheus_metrics(served):
    server, _ = served
    server.post("/v1/models/mlp:predict", {"instances": _rows(1).tolist()})
    status, text = server.get("/monitoring/prometheus/metrics")
    assert status == 200
    assert ':tensorflow:serving:request_count{model_name="mlp",status="OK"}' in text
    assert ':tensorflow:serving:request_latency_bucket{model_name="mlp",API="predict"' in text
    status, _ = server.get("/not/a/route")
    assert status == 404
