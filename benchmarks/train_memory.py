"""Peak memory of one compiled Keras training step: Fluxion against Keras on TensorFlow.

    python benchmarks/train_memory.py [--batch 32] [--models vit,mlp,convnet]
                                      [--tf-python /work/refvenv/bin/python]

Each (framework, model) runs in its own process, so one's arrays never count in the
other's figures.  A worker builds the model, compiles it (Adam/AdamW, sparse
cross-entropy), traces its step on a 2-example batch, then reports:

* ``rss MB``: the growth of ``ru_maxrss`` (the process's peak resident memory) over
  one ``train_on_batch`` at the full batch, against the peak after the small warm-up.
  It is the figure both frameworks share: TensorFlow allocates outside Python, so
  ``tracemalloc`` does not see its tensors; the TF column is ru_maxrss only.
* ``traced MB`` (Fluxion only): ``tracemalloc``'s peak over one more step at the full
  batch, the step already specialised: the NumPy arrays the step holds at its worst
  moment.

The models: a ViT-like classifier (keras-io's vision transformer on CIFAR-100, its shapes:
72x72 images, 144 patches of 6x6 projected to 64, 8 blocks of 4-head attention and a
gelu MLP with dropout, a 2048-1024 gelu head, the patches reshaped to the batch size
read at run time; the data augmentation left out),
and the MLP and convnet of ``benchmarks/train_step_profile.py``.  ru_maxrss is noisy on
a loaded machine (other processes do not count, but allocator reuse does); compare
figures from one run.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def vit(keras, batch):
    import numpy as np

    layers = keras.layers
    inputs = keras.Input((72, 72, 3))
    patches = layers.Conv2D(64, 6, strides=6)(inputs)  # 12x12 patches, projected to 64
    # The batch size read at run time, as keras-io's Patches layer reshapes.
    tokens = layers.Lambda(
        lambda t: keras.ops.reshape(t, (keras.ops.shape(t)[0], 144, 64)))(patches)
    x = layers.Dense(64)(tokens)
    for _ in range(8):
        h = layers.LayerNormalization(epsilon=1e-6)(x)
        h = layers.MultiHeadAttention(num_heads=4, key_dim=64, dropout=0.1)(h, h)
        x = layers.Add()([h, x])
        h = layers.LayerNormalization(epsilon=1e-6)(x)
        h = layers.Dense(128, activation="gelu")(h)
        h = layers.Dropout(0.1)(h)
        h = layers.Dense(64, activation="gelu")(h)
        h = layers.Dropout(0.1)(h)
        x = layers.Add()([h, x])
    x = layers.LayerNormalization(epsilon=1e-6)(x)
    x = layers.Dropout(0.5)(layers.Flatten()(x))
    x = layers.Dropout(0.5)(layers.Dense(2048, activation="gelu")(x))
    x = layers.Dropout(0.5)(layers.Dense(1024, activation="gelu")(x))
    model = keras.Model(inputs, layers.Dense(100)(x))
    data = np.random.default_rng(0).normal(size=(batch, 72, 72, 3)).astype("float32")
    return model, data, 100


def mlp(keras, batch):
    import numpy as np

    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(256, activation="relu"),
                              keras.layers.Dense(256, activation="relu"),
                              keras.layers.Dense(10)])
    return model, np.random.default_rng(0).normal(size=(batch, 784)).astype("float32"), 10


def convnet(keras, batch):
    import numpy as np

    layers = keras.layers
    model = keras.Sequential([
        keras.Input((28, 28, 1)), layers.Conv2D(16, 3, activation="relu"),
        layers.MaxPooling2D(), layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(), layers.Flatten(), layers.Dense(10)])
    data = np.random.default_rng(0).normal(size=(batch, 28, 28, 1)).astype("float32")
    return model, data, 10


MODELS = {"vit": vit, "mlp": mlp, "convnet": convnet}


def worker(framework: str, model_name: str, batch: int) -> dict:
    """One measurement, in this process: the figures as a dict."""
    import numpy as np

    if framework == "tensorflow":
        os.environ["KERAS_BACKEND"] = "tensorflow"
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import keras
    else:
        sys.path.insert(0, ROOT)
        from fluxion import keras
    model, x, classes = MODELS[model_name](keras, batch)
    y = np.random.default_rng(1).integers(0, classes, batch).astype("int32")
    model.compile(optimizer="adamw",
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.train_on_batch(x[:2], y[:2])  # traces and compiles the step
    before = _maxrss_mb()
    model.train_on_batch(x, y)
    figures = {"rss_mb": _maxrss_mb() - before}
    if framework == "fluxion":
        import tracemalloc

        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        model.train_on_batch(x, y)
        figures["traced_mb"] = (tracemalloc.get_traced_memory()[1] - base) / 2**20
        tracemalloc.stop()
    return figures


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _measure(python: str, framework: str, model_name: str, batch: int) -> dict | None:
    command = [python, os.path.abspath(__file__), "--worker", framework, model_name,
               str(batch)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    if done.returncode != 0 or not lines:
        print(f"  {framework} {model_name} failed: {done.stderr.strip()[-400:]}")
        return None
    return json.loads(lines[-1])


def _option(name: str, default: str) -> str:
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def main() -> None:
    if "--worker" in sys.argv:
        at = sys.argv.index("--worker")
        framework, model_name, batch = sys.argv[at + 1: at + 4]
        print(json.dumps(worker(framework, model_name, int(batch))))
        return
    batch = int(_option("--batch", "32"))
    tf_python = _option("--tf-python", sys.executable)
    print(f"peak memory of one training step, batch {batch}, load {os.getloadavg()[0]:.1f}")
    print(f"{'model':8s} {'Fluxion rss MB':>15s} {'Fluxion traced MB':>18s} "
          f"{'Keras-TF rss MB':>16s}")
    for model_name in _option("--models", "vit,mlp,convnet").split(","):
        ours = _measure(sys.executable, "fluxion", model_name, batch) or {}
        theirs = _measure(tf_python, "tensorflow", model_name, batch) or {}
        cell = lambda d, k: f"{d[k]:.1f}" if k in d else "-"  # noqa: E731
        print(f"{model_name:8s} {cell(ours, 'rss_mb'):>15s} {cell(ours, 'traced_mb'):>18s} "
              f"{cell(theirs, 'rss_mb'):>16s}")


if __name__ == "__main__":
    main()
