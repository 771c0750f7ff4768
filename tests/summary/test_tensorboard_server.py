"""End to end: the real `tensorboard` server shows a Fluxion run's dashboards.

The server is started on 127.0.0.1 on a free port, in the background, and stopped by
its PID; every wait is bounded.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import numpy as np
import pytest

import fluxion as tf
from fluxion import keras

STARTUP_SECONDS = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_a_run(log_dir: str) -> None:
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="d1"),
                              keras.layers.Dense(1, name="d2")])
    model.compile("adam", "mse")
    x = np.random.default_rng(0).random((32, 4)).astype("float32")
    model.fit(x, x[:, :1], epochs=2, batch_size=8, verbose=0, callbacks=[
        keras.callbacks.TensorBoard(log_dir, histogram_freq=1, write_images=True),
        keras.callbacks.HParamsCallback(log_dir, {"units": 3}, trial_id="trial")])
    writer = tf.summary.create_file_writer(os.path.join(log_dir, "extras"))
    with writer.as_default(step=0):
        tf.summary.text("notes", "trained with **Fluxion**")
    writer.close()


class Server:
    def __init__(self, log_dir: str):
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tensorboard.main", "--logdir", log_dir,
             "--host", "127.0.0.1", "--port", str(self.port), "--reload_interval", "1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)

    def get(self, route: str, body: dict | None = None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{route}", data=data,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            payload = answer.read()
        return json.loads(payload) if payload[:1] in (b"{", b"[") else payload

    def wait_for(self, route: str, ready) -> object:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"tensorboard exited: {self.process.stderr.read().decode()[-2000:]}")
            try:
                answer = self.get(route)
                if ready(answer):
                    return answer
            except (urllib.error.URLError, ConnectionError, json.JSONDecodeError):
                pass
            time.sleep(0.5)
        pytest.fail(f"tensorboard did not answer {route} within {STARTUP_SECONDS} s")

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=20)


def test_tensorboard_serves_every_dashboard_of_a_fluxion_run(tmp_path):
    log_dir = str(tmp_path / "logs")
    write_a_run(log_dir)
    server = Server(log_dir)
    try:
        tags = server.wait_for("/data/plugin/scalars/tags",
                               lambda a: "epoch_loss" in a.get("train", {}))
        losses = server.get("/data/plugin/scalars/scalars?run=train&tag=epoch_loss")
        assert [step for _, step, _ in losses] == [0, 1]
        name = next(t for t in server.get("/data/plugin/histograms/tags")["train"]
                    if t.endswith("d1/kernel/histogram"))
        histogram = server.get(f"/data/plugin/histograms/histograms?run=train&tag={name}")
        assert len(histogram) == 2 and sum(b[2] for b in histogram[0][2]) == 12
        image_tags = server.get("/data/plugin/images/tags")["train"]
        image_tag = next(t for t in image_tags if t.endswith("d1/kernel/image"))
        images = server.get(f"/data/plugin/images/images?run=train&tag={image_tag}&sample=0")
        assert images and "query" in images[0]
        graph_runs = server.get("/data/plugin/graphs/info")
        assert graph_runs["train"]["run_graph"]
        graph = server.get("/data/plugin/graphs/graph?run=train")
        assert b"matmul" in graph and b"d1" in graph
        text_tags = server.wait_for("/data/plugin/text/tags", lambda a: "extras" in a)
        assert text_tags["extras"] == ["notes"]
        experiment = server.get("/data/plugin/hparams/experiment", {"experimentName": ""})
        assert [info["name"] for info in experiment["hparamInfos"]] == ["units"]
    finally:
        server.stop()
    assert server.process.returncode is not None
