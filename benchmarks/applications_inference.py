"""Inference speed of keras.applications models, side by side.

    python benchmarks/applications_inference.py [--ref-python /work/refvenv/bin/python]

MobileNetV2 and ResNet50 at 224x224 (random weights, inference mode), predicting a batch
of 1 and of 32 images: Fluxion (``model.predict`` and a direct ``model(x)`` call),
Keras on TensorFlow (``predict`` and the model called inside ``tf.function``), and
PyTorch (the same two architectures written in plain PyTorch, no torchvision; eval mode
under ``torch.inference_mode``).  Each framework runs in its own process with default
thread settings, warms up, and reports the median milliseconds of ``--repeats`` calls.
Keras-on-TensorFlow and PyTorch run in ``--ref-python`` and are skipped when absent.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from _common import ROOT, table

WORKER = r"""
import json, statistics, sys, time
import numpy as np
sys.path.insert(0, ROOT)
framework, model_name, batch, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
x = np.random.default_rng(0).random((batch, 224, 224, 3), dtype=np.float32)

def median_ms(call):
    call(); call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter(); call(); times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)

results = {}
if framework == "fluxion":
    from fluxion import keras
    model = getattr(keras.applications, model_name)(weights=None)
    results["predict"] = median_ms(lambda: model.predict(x, batch_size=batch, verbose=0))
    results["call"] = median_ms(lambda: model(x, training=False))
elif framework == "keras-tf":
    import os
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras, tensorflow as tf
    model = getattr(keras.applications, model_name)(weights=None)
    results["predict"] = median_ms(lambda: model.predict(x, batch_size=batch, verbose=0))
    step = tf.function(lambda t: model(t, training=False))
    tensor = tf.constant(x)
    results["call"] = median_ms(lambda: step(tensor).numpy())
else:
    import torch
    from torch import nn

    def bn(c):
        return nn.BatchNorm2d(c, eps=1e-3)

    class Bottleneck(nn.Module):
        def __init__(self, cin, width, stride, project):
            super().__init__()
            self.body = nn.Sequential(
                nn.Conv2d(cin, width, 1, stride), bn(width), nn.ReLU(),
                nn.Conv2d(width, width, 3, 1, 1), bn(width), nn.ReLU(),
                nn.Conv2d(width, 4 * width, 1), bn(4 * width))
            self.shortcut = nn.Sequential(nn.Conv2d(cin, 4 * width, 1, stride),
                                          bn(4 * width)) if project else nn.Identity()

        def forward(self, t):
            return torch.relu(self.body(t) + self.shortcut(t))

    def resnet50():
        layers = [nn.Conv2d(3, 64, 7, 2, 3), bn(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
        cin = 64
        for width, blocks, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
            for index in range(blocks):
                layers.append(Bottleneck(cin, width, stride if index == 0 else 1, index == 0))
                cin = 4 * width
        return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                             nn.Linear(2048, 1000), nn.Softmax(-1))

    class Inverted(nn.Module):
        def __init__(self, cin, cout, stride, expansion):
            super().__init__()
            hidden = cin * expansion
            steps = [] if expansion == 1 else [nn.Conv2d(cin, hidden, 1, bias=False),
                                               bn(hidden), nn.ReLU6()]
            steps += [nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False),
                      bn(hidden), nn.ReLU6(), nn.Conv2d(hidden, cout, 1, bias=False), bn(cout)]
            self.body = nn.Sequential(*steps)
            self.residual = stride == 1 and cin == cout

        def forward(self, t):
            return t + self.body(t) if self.residual else self.body(t)

    def mobilenet_v2():
        layers = [nn.Conv2d(3, 32, 3, 2, 1, bias=False), bn(32), nn.ReLU6()]
        cin = 32
        for expansion, cout, repeat, stride in ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2),
                                                (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2),
                                                (6, 320, 1, 1)):
            for index in range(repeat):
                layers.append(Inverted(cin, cout, stride if index == 0 else 1, expansion))
                cin = cout
        return nn.Sequential(*layers, nn.Conv2d(320, 1280, 1, bias=False), bn(1280),
                             nn.ReLU6(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                             nn.Linear(1280, 1000), nn.Softmax(-1))

    model = (resnet50 if model_name == "ResNet50" else mobilenet_v2)().eval()
    tensor = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()

    def call():
        with torch.inference_mode():
            model(tensor).numpy()

    results["call"] = median_ms(call)
print("RESULT " + json.dumps(results))
"""


def run(python: str, framework: str, model: str, batch: int, repeats: int) -> dict | None:
    code = WORKER.replace("ROOT", repr(ROOT), 1)
    done = subprocess.run([python, "-c", code, framework, model, str(batch), str(repeats)],
                          capture_output=True, text=True, timeout=1800)
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    print(f"  ({framework} {model} batch {batch} did not run: "
          f"{(done.stderr.strip().splitlines() or ['?'])[-1][:160]})", file=sys.stderr)
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ref-python", default=sys.executable)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--models", default="MobileNetV2,ResNet50")
    args = parser.parse_args()
    rows = []
    for model in args.models.split(","):
        for batch in (1, 32):
            found = {"fluxion": run(sys.executable, "fluxion", model, batch, args.repeats),
                     "keras-tf": run(args.ref_python, "keras-tf", model, batch, args.repeats),
                     "pytorch": run(args.ref_python, "pytorch", model, batch, args.repeats)}
            ours = found["fluxion"]
            for framework, result in found.items():
                if result is None:
                    continue
                for how, ms in result.items():
                    ratio = ""
                    if ours and framework != "fluxion":
                        ratio = f"{ms / ours['predict']:.2f}x"
                    rows.append((model, batch, framework, how, f"{ms:.1f}",
                                 f"{batch * 1000 / ms:.1f}", ratio))
    print(table(rows, ("model", "batch", "framework", "how", "ms", "images/s",
                       "their ms / Fluxion predict ms (>1: Fluxion faster)")))


if __name__ == "__main__":
    main()
