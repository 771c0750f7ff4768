"""``fluxion serve`` in a child process, for tests and benchmarks that talk HTTP to it.

    with ModelServer(["--model_name=mlp", "--model_base_path=/m"]) as server:
        status, answer = server.post("/v1/models/mlp:predict", {"instances": [[1.0]]})

The server listens on 127.0.0.1 on a free port; the context waits (with a timeout) for
the first model's status to say AVAILABLE, or for the port to answer when ``ready`` is
``"port"``, and always stops the process by its PID: SIGTERM, then SIGKILL if it does
not exit within ``stop_timeout`` seconds.  Requests use ``http.client``, as a plain
TensorFlow Serving client would.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(port: int, method: str, path: str, body=None, timeout: float = 30.0):
    """``(HTTP status, parsed JSON or text)``; ``body`` is a dict (sent as JSON) or bytes."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
        headers = {"Content-Type": "application/json"} if data is not None else {}
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8")
        if response.getheader("Content-Type", "").startswith("application/json"):
            return response.status, json.loads(text)
        return response.status, text
    finally:
        connection.close()


class ModelServer:
    """A ``fluxion serve`` child process with ``args`` (port and host are added)."""

    def __init__(self, args, ready_timeout: float = 60.0, stop_timeout: float = 20.0,
                 ready: str = "available", env: dict | None = None):
        self.args = list(args)
        self.port = free_port()
        self.ready_timeout = ready_timeout
        self.stop_timeout = stop_timeout
        self.ready = ready
        self.env = env
        self.process: subprocess.Popen | None = None
        self.log_path: str | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def start(self) -> ModelServer:
        import tempfile

        command = [sys.executable, "-m", "fluxion.cli", "serve", *self.args,
                   f"--rest_api_port={self.port}", "--rest_api_host=127.0.0.1"]
        env = dict(os.environ, **(self.env or {}))
        env["PYTHONPATH"] = _ROOT + os.pathsep + env.get("PYTHONPATH", "")
        handle, self.log_path = tempfile.mkstemp(prefix="fluxion-serve-", suffix=".log")
        self.process = subprocess.Popen(command, env=env, stdout=handle, stderr=handle)
        os.close(handle)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_timeout
        name = next((a.split("=", 1)[1] for a in self.args if a.startswith("--model_name=")),
                    None)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"fluxion serve exited with {self.process.returncode}:\n"
                                   f"{self.log()[-3000:]}")
            try:
                if self.ready == "port" or name is None:
                    status, _ = request(self.port, "GET", "/v1/models/_", timeout=1)
                    return
                status, answer = request(self.port, "GET", f"/v1/models/{name}", timeout=1)
                if status == 200 and any(v["state"] == "AVAILABLE"
                                         for v in answer["model_version_status"]):
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"fluxion serve was not ready within {self.ready_timeout} s:\n"
                           f"{self.log()[-3000:]}")

    def log(self) -> str:
        """What the server wrote to stdout and stderr so far."""
        if self.log_path is None:
            return ""
        with open(self.log_path, encoding="utf-8", errors="replace") as handle:
            return handle.read()

    def stop(self) -> int | None:
        """Stops the process by its PID (SIGTERM, then SIGKILL); its exit status."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return self.process.returncode

    def get(self, path: str, timeout: float = 30.0):
        return request(self.port, "GET", path, timeout=timeout)

    def post(self, path: str, body, timeout: float = 30.0):
        return request(self.port, "POST", path, body, timeout=timeout)

    def __enter__(self) -> ModelServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
        if self.log_path is not None and os.path.exists(self.log_path):
            os.unlink(self.log_path)
