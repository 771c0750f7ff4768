"""TFLite export of the digits CNN in each of TF's modes: file size, conversion time, and
the latency of LiteRT's interpreter and of Fluxion's fallback interpreter
(``fluxion.lite.FluxionInterpreter``, NumPy kernels) on the file, next to Fluxion's
``predict_on_batch``.

The model is Keras's mnist_convnet (the one ``onnx_export.py`` measures, 34,826
parameters) with random weights: sizes and latency do not depend on the values (int8
calibrates on 100 random images).  Latency is the median per call, batch 1 and 128,
LiteRT on one thread (XNNPACK, its default delegate); the fallback with NumPy's BLAS
threads as they are.

    python benchmarks/tflite_export.py [--repeats 20]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))

import numpy as np  # noqa: E402
from _common import per_call_us, table  # noqa: E402
from onnx_export import digits_model  # noqa: E402

MODES = ("float32", "dynamic range", "float16", "int8")


def convert(model, mode: str, samples) -> tuple[bytes, float]:
    import fluxion
    from fluxion.lite import OpsSet, Optimize, TFLiteConverter

    converter = TFLiteConverter.from_keras_model(model)
    if mode != "float32":
        converter.optimizations = [Optimize.DEFAULT]
    if mode == "float16":
        converter.target_spec.supported_types = [fluxion.float16]
    if mode == "int8":
        converter.representative_dataset = lambda: ([s[None]] for s in samples)
        converter.target_spec.supported_ops = [OpsSet.TFLITE_BUILTINS_INT8]
    start = time.perf_counter()
    content = converter.convert()
    return content, (time.perf_counter() - start) * 1e3


def _runner(interpreter_class, content: bytes, batch: int):
    """set_tensor + invoke + get_tensor on a batch of ``batch`` images."""
    options = {"num_threads": 1} if interpreter_class.__module__.startswith("ai_edge") \
        else {}
    interpreter = interpreter_class(model_content=content, **options)
    index = interpreter.get_input_details()[0]["index"]
    output = interpreter.get_output_details()[0]["index"]
    interpreter.resize_tensor_input(index, (batch, 28, 28, 1))
    interpreter.allocate_tensors()

    def run(x):
        interpreter.set_tensor(index, x)
        interpreter.invoke()
        return interpreter.get_tensor(output)
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=20)
    arguments = parser.parse_args()
    from ai_edge_litert.interpreter import Interpreter

    from fluxion.lite import FluxionInterpreter

    model = digits_model()
    rng = np.random.default_rng(0)
    samples = rng.random((100, 28, 28, 1), dtype=np.float32)
    rows = []
    for mode in MODES:
        content, convert_ms = convert(model, mode, samples)
        latencies, errors = [], []
        for interpreter_class in (Interpreter, FluxionInterpreter):
            for batch in (1, 128):
                x = rng.random((batch, 28, 28, 1), dtype=np.float32)
                run = _runner(interpreter_class, content, batch)
                errors.append(float(np.abs(run(x) - model.predict(x, verbose=0)).max()))
                latencies.append(per_call_us(lambda run=run, x=x: run(x), 1,
                                             arguments.repeats) / 1e3)
        rows.append((mode, f"{len(content):,}", f"{convert_ms:.0f}",
                     *(f"{ms:.3f}" for ms in latencies), f"{max(errors[:2]):.1e}",
                     f"{max(errors[2:]):.1e}"))
    fluxion_ms = [per_call_us(lambda b=b: model.predict_on_batch(
        rng.random((b, 28, 28, 1), dtype=np.float32)), 1, arguments.repeats) / 1e3
        for b in (1, 128)]
    print(f"digits CNN: {model.count_params():,} parameters; Fluxion predict_on_batch "
          f"{fluxion_ms[0]:.3f} ms (batch 1), {fluxion_ms[1]:.3f} ms (batch 128)")
    print(table(rows, ("mode", "bytes", "convert ms", "LiteRT ms b1", "LiteRT ms b128",
                       "Fluxion interp. ms b1", "Fluxion interp. ms b128",
                       "LiteRT max |error|", "Fluxion interp. max |error|")))


if __name__ == "__main__":
    main()
