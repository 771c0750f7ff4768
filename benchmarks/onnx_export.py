"""ONNX export of the digits CNN: file size, export time, and inference latency of
onnxruntime on the exported file next to Fluxion's own ``model.predict``.

The model is Keras's mnist_convnet (Conv 32 -> pool -> Conv 64 -> pool -> Flatten ->
Dropout -> Dense 10, 34,826 parameters) with random weights: latency does not depend
on the values.  Latency is the median per call for batch 1 and batch 128.

    python benchmarks/onnx_export.py [--repeats 20]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))

import numpy as np  # noqa: E402
from _common import per_call_us, table  # noqa: E402


def digits_model():
    from fluxion import keras

    L = keras.layers
    return keras.Sequential([
        keras.Input((28, 28, 1)), L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(),
        L.Conv2D(64, 3, activation="relu"), L.MaxPooling2D(), L.Flatten(), L.Dropout(0.5),
        L.Dense(10, activation="softmax")])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=20)
    arguments = parser.parse_args()
    import onnxruntime

    import fluxion.onnx

    model = digits_model()
    path = os.path.join(tempfile.mkdtemp(), "digits.onnx")
    start = time.perf_counter()
    fluxion.onnx.export(model, path)
    export_ms = (time.perf_counter() - start) * 1e3
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    rows = []
    for batch in (1, 128):
        x = np.random.default_rng(0).random((batch, 28, 28, 1), dtype=np.float32)
        np.testing.assert_allclose(session.run(None, {name: x})[0],
                                   model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
        ort_us = per_call_us(lambda x=x: session.run(None, {name: x}), 1, arguments.repeats)
        flx_us = per_call_us(lambda x=x: model.predict_on_batch(x), 1, arguments.repeats)
        rows.append((batch, f"{ort_us / 1e3:.3f}", f"{flx_us / 1e3:.3f}"))
    print(f"digits CNN: {model.count_params():,} parameters; ONNX file "
          f"{os.path.getsize(path):,} bytes (float32 weights {4 * model.count_params():,}); "
          f"export {export_ms:.0f} ms")
    print(table(rows, ("batch", "onnxruntime ms", "fluxion predict_on_batch ms")))


if __name__ == "__main__":
    main()
