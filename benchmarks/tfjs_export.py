"""TensorFlow.js export of the digits convnet: file sizes per weight dtype, accuracy
after quantization, and prediction latency of tfjs (CPU backend) in headless Chromium.

    python benchmarks/tfjs_export.py [--epochs 10] [--runs 200]

The browser columns need Chromium and @tensorflow/tfjs (see tests/js/tfjs_browser.py);
without them only the sizes and accuracies are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "js"))
sys.path.insert(0, os.path.join(HERE, "..", "examples", "digits_in_the_browser"))
import tfjs_browser  # noqa: E402
from export_digits import train_and_export  # noqa: E402

import fluxion.js as tfjs  # noqa: E402
from fluxion.datasets import digits  # noqa: E402

_TIMING_PAGE = """<!doctype html><html><body><pre id="out">pending</pre>
<script src="tf.min.js"></script><script>
(async () => {
  await tf.setBackend("cpu");
  const model = await tf.loadLayersModel("model/model.json");
  const x = tf.tensor(%(pixels)s, [1, 8, 8, 1]);
  for (let i = 0; i < %(runs)d; i++) await model.predict(x).data();
  document.getElementById("out").textContent = "done";
})();
</script></body></html>"""


def browser_latency_ms(model_dir: str, pixels: np.ndarray, runs: int) -> float | None:
    """Milliseconds a prediction (batch 1), from the wall time of pages that predict
    ``runs`` times and 10 times (headless Chromium's clock is virtual, so the page
    cannot time itself)."""
    if tfjs_browser.missing():
        return None
    with tempfile.TemporaryDirectory() as root:
        shutil.copytree(model_dir, os.path.join(root, "model"))
        shutil.copy(tfjs_browser.tfjs_script(), os.path.join(root, "tf.min.js"))
        seconds = {}
        for count in (10, runs + 10, 10, runs + 10):
            with open(os.path.join(root, "time.html"), "w", encoding="utf-8") as f:
                f.write(_TIMING_PAGE % {"pixels": json.dumps(pixels.ravel().tolist()),
                                        "runs": count})
            start = time.perf_counter()
            dom = tfjs_browser.page_dom(root, "time.html")
            elapsed = time.perf_counter() - start
            if ">done<" not in dom:
                return None
            seconds[count] = min(seconds.get(count, elapsed), elapsed)
    return 1000 * (seconds[runs + 10] - seconds[10]) / runs


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args(argv)
    _, (x_test, y_test) = digits.load_data()
    x_test = (x_test / 16.0).astype(np.float32)[..., None]
    with tempfile.TemporaryDirectory() as work:
        model = train_and_export(os.path.join(work, "float32"), args.epochs)
        reference = model.predict(x_test, verbose=0).argmax(axis=1)
        print(f"{'weights':>8} {'.bin bytes':>11} {'accuracy':>9} {'argmax agree':>13} "
              f"{'tfjs ms/pred':>13}")
        for dtype in ("float32", "float16", "uint16", "uint8"):
            out = os.path.join(work, dtype)
            if dtype != "float32":
                tfjs.save_keras_model(model, out, quantization_dtype_map={dtype: "*"})
            size = sum(os.path.getsize(os.path.join(out, name)) for name in os.listdir(out)
                       if name.endswith(".bin"))
            loaded = tfjs.load_keras_model(os.path.join(out, "model.json"))
            predicted = loaded.predict(x_test, verbose=0).argmax(axis=1)
            latency = browser_latency_ms(out, x_test[0], args.runs)
            print(f"{dtype:>8} {size:>11} {np.mean(predicted == y_test):>9.1%} "
                  f"{np.mean(predicted == reference):>13.1%} "
                  f"{'n/a' if latency is None else f'{latency:.3f}':>13}")


if __name__ == "__main__":
    main()
