"""Train a digits classifier, export it, serve it with ``fluxion serve``, and query it
over HTTP exactly as a TensorFlow Serving client would.

    python examples/serve_digits.py [--epochs 20] [--port 8501]

The model is exported with ``model.export`` as version 1 under a base path, then served
by the same command ``tensorflow_model_server`` takes::

    fluxion serve --model_name=digits --model_base_path=BASE --rest_api_port=8501

and asked, with nothing but the standard library, for the model's status and for
predictions of held-out digits (``POST /v1/models/digits:predict`` with
``{"instances": [...]}``).  The served answers equal ``model.predict``'s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def train_and_export(base_path: str, epochs: int):
    """A Dense 64-32-10 softmax classifier of 8x8 digits, exported as version 1."""
    from fluxion import keras
    from fluxion.datasets import digits

    (x_train, y_train), _ = digits.load_data()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((64,), name="pixels"),
                              keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_train.reshape(-1, 64) / 16.0, y_train, epochs=epochs, batch_size=32,
              verbose=0)
    model.export(os.path.join(base_path, "1"), verbose=False)
    return model


def call(port: int, path: str, body: dict | None = None):
    """A JSON request to the server; ``(HTTP status, answer)``."""
    data = None if body is None else json.dumps(body).encode()
    url = f"http://127.0.0.1:{port}{path}"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def serve_and_query(base_path: str, port: int, pixels: np.ndarray):
    """Starts ``fluxion serve``, waits for the model, asks for predictions, stops it."""
    command = [sys.executable, "-m", "fluxion.cli", "serve", "--model_name=digits",
               f"--model_base_path={base_path}", f"--rest_api_port={port}",
               "--rest_api_host=127.0.0.1"]
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    server = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, answer = call(port, "/v1/models/digits")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("fluxion serve did not start") from None
                time.sleep(0.2)
        print("status:", json.dumps(answer["model_version_status"]))
        status, answer = call(port, "/v1/models/digits:predict",
                              {"instances": pixels.tolist()})
        if status != 200:
            raise RuntimeError(f"predict failed with HTTP {status}: {answer['error']}")
        return np.asarray(answer["predictions"], np.float32)
    finally:
        server.terminate()  # SIGTERM: the server finishes what is in flight and exits
        server.wait(timeout=30)


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--port", type=int, default=8501)
    args = parser.parse_args(argv)
    from fluxion.datasets import digits

    _, (x_test, y_test) = digits.load_data()
    pixels = (x_test[:8].reshape(-1, 64) / 16.0).astype(np.float32)
    with tempfile.TemporaryDirectory() as base_path:
        model = train_and_export(base_path, args.epochs)
        served = serve_and_query(base_path, args.port, pixels)
    local = model.predict(pixels, verbose=0)
    print("served digits:", served.argmax(axis=1).tolist())
    print("true digits:  ", y_test[:8].tolist())
    difference = float(np.max(np.abs(served - local)))
    print(f"largest difference from model.predict: {difference:.2e}")
    return difference


if __name__ == "__main__":
    main()
