"""Versions under a base path: a new one is served within the poll interval, a broken
one is refused while the old keeps serving, old ones are unloaded by the policy, and
SIGTERM shuts the server down cleanly."""

import os
import shutil
import time

import numpy as np
import pytest

from fluxion.testing.model_server import ModelServer

from .conftest import export_mlp

POLL = 0.2


def _wait_for(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"condition not met within {timeout} s")


def _states(server, name="mlp"):
    status, answer = server.get(f"/v1/models/{name}")
    assert status == 200, answer
    return {int(v["version"]): v for v in answer["model_version_status"]}


def _predict(server, x, path="/v1/models/mlp:predict"):
    status, answer = server.post(path, {"instances": x.tolist()})
    assert status == 200, answer
    return np.asarray(answer["predictions"])


def test_new_version_is_served_within_the_poll_interval(tmp_path):
    base = tmp_path / "mlp"
    first = export_mlp(base / "1", seed=0)
    x = np.random.default_rng(0).standard_normal((2, 4)).astype(np.float32)
    args = ["--model_name=mlp", f"--model_base_path={base}",
            f"--file_system_poll_wait_seconds={POLL}"]
    with ModelServer(args) as server:
        np.testing.assert_allclose(_predict(server, x), first.predict(x, verbose=0), rtol=1e-6)
        # A version being written (no complete saved model yet) is not picked up.
        (base / "3").mkdir()
        (base / "3" / "partial.bin").write_bytes(b"\0" * 10)
        # Export elsewhere, then move into place, as a deployment would.
        second = export_mlp(tmp_path / "staging", seed=7)
        os.rename(tmp_path / "staging", base / "2")
        added = time.monotonic()
        _wait_for(lambda: _states(server).get(2, {}).get("state") == "AVAILABLE")
        assert time.monotonic() - added < POLL + 15  # one poll plus the load itself
        np.testing.assert_allclose(_predict(server, x), second.predict(x, verbose=0),
                                   rtol=1e-6)
        # latest-1 policy: version 1 is unloaded once 2 serves
        _wait_for(lambda: _states(server)[1]["state"] == "END")
        status, answer = server.post("/v1/models/mlp/versions/1:predict",
                                     {"instances": x.tolist()})
        assert status == 404
        assert 3 not in _states(server)
        assert server.stop() == 0  # SIGTERM: graceful exit


def test_a_corrupt_version_is_refused_and_the_old_one_keeps_serving(tmp_path):
    base = tmp_path / "mlp"
    first = export_mlp(base / "1", seed=0)
    x = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    args = ["--model_name=mlp", f"--model_base_path={base}",
            f"--file_system_poll_wait_seconds={POLL}"]
    with ModelServer(args) as server:
        broken = tmp_path / "broken"
        shutil.copytree(base / "1", broken)
        document = next(p for p in broken.iterdir() if p.suffix == ".json")
        document.write_text(document.read_text()[: len(document.read_text()) // 2])
        os.rename(broken, base / "2")
        state = _wait_for(lambda: _states(server).get(2, {}).get("state") == "END"
                          and _states(server)[2])
        assert state["status"]["error_code"] != "OK" and state["status"]["error_message"]
        assert _states(server)[1]["state"] == "AVAILABLE"
        for _ in range(3):
            np.testing.assert_allclose(_predict(server, x), first.predict(x, verbose=0),
                                       rtol=1e-6)
            time.sleep(POLL)
        assert "Loading servable: {name: mlp version: 2} failed" in server.log()
        # Once repaired (rewritten), the version is tried again and served.
        shutil.rmtree(base / "2")
        second = export_mlp(tmp_path / "fixed", seed=3)
        os.rename(tmp_path / "fixed", base / "2")
        _wait_for(lambda: _states(server)[2]["state"] == "AVAILABLE")
        np.testing.assert_allclose(_predict(server, x), second.predict(x, verbose=0),
                                   rtol=1e-6)


def test_a_base_path_without_versions_answers_not_found_until_one_arrives(tmp_path):
    base = tmp_path / "empty"
    base.mkdir()
    args = ["--model_name=mlp", f"--model_base_path={base}",
            f"--file_system_poll_wait_seconds={POLL}"]
    with ModelServer(args, ready="port") as server:
        status, answer = server.post("/v1/models/mlp:predict", {"instances": [[0, 0, 0, 0]]})
        assert status == 404 and "Servable not found" in answer["error"]
        model = export_mlp(tmp_path / "staging", seed=2)
        os.rename(tmp_path / "staging", base / "5")
        x = np.ones((1, 4), np.float32)
        _wait_for(lambda: server.post("/v1/models/mlp:predict",
                                      {"instances": x.tolist()})[0] == 200)
        np.testing.assert_allclose(_predict(server, x), model.predict(x, verbose=0),
                                   rtol=1e-6)


@pytest.mark.parametrize("flag", ["--model_base_path=", "--model_config_file=/no/such.config"])
def test_bad_flags_exit_with_a_message(flag, tmp_path):
    server = ModelServer(["--model_name=m", f"--model_base_path={tmp_path}", flag],
                         ready_timeout=30)
    with pytest.raises(RuntimeError, match="exited with 2"):
        server.start()


def test_a_reloaded_config_file_adds_and_removes_models(tmp_path):
    first = export_mlp(tmp_path / "a" / "1", seed=0)
    second = export_mlp(tmp_path / "b" / "1", seed=1)
    config = tmp_path / "models.config"

    def config_text(name):
        return f'model_config_list {{ config {{ name: "{name}" base_path: "{tmp_path / name}" }} }}'

    config.write_text(config_text("a"))
    args = [f"--model_config_file={config}", "--model_config_file_poll_wait_seconds=0.2",
            f"--file_system_poll_wait_seconds={POLL}"]
    x = np.ones((1, 4), np.float32)
    with ModelServer(args, ready="port") as server:
        np.testing.assert_allclose(_predict(server, x, "/v1/models/a:predict"),
                                   first.predict(x, verbose=0), rtol=1e-6)
        config.write_text(config_text("b"))
        _wait_for(lambda: server.post("/v1/models/b:predict", {"instances": x.tolist()})[0]
                  == 200)
        np.testing.assert_allclose(_predict(server, x, "/v1/models/b:predict"),
                                   second.predict(x, verbose=0), rtol=1e-6)
        assert server.post("/v1/models/a:predict", {"instances": x.tolist()})[0] == 404
        config.write_text("model_config_list { config { nonsense: 1 } }")
        time.sleep(1.0)
        assert server.post("/v1/models/b:predict", {"instances": x.tolist()})[0] == 200
        assert "config file is unusable" in server.log()


def test_sigterm_lets_the_requests_in_flight_finish(tmp_path):
    import threading

    from fluxion.testing.model_server import request

    from .conftest import save_slow_model

    save_slow_model(tmp_path / "slow" / "1")
    args = ["--model_name=slow", f"--model_base_path={tmp_path / 'slow'}"]
    x = [[1.0, 2.0, 3.0, 4.0]]
    with ModelServer(args) as server:
        started = time.monotonic()
        assert server.post("/v1/models/slow:predict", {"instances": x}) == (
            200, {"predictions": [[2.0, 3.0, 4.0, 5.0]]})
        took = time.monotonic() - started
        answers = []
        thread = threading.Thread(target=lambda: answers.append(
            request(server.port, "POST", "/v1/models/slow:predict", {"instances": x})))
        thread.start()
        time.sleep(min(0.3, took / 3))  # the request is in flight
        assert server.stop() == 0
        thread.join()
        assert answers == [(200, {"predictions": [[2.0, 3.0, 4.0, 5.0]]})]
        assert "after draining the requests in flight" in server.log()
