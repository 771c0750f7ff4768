"""A compiled Keras training step of a small ViT-like encoder: Fluxion vs Keras-TF.

    python benchmarks/attention_step.py [--framework fluxion|tf] [--nodes] [--blocks 2]
    /work/refvenv/bin/python benchmarks/attention_step.py --framework tf

The model: 144 tokens of width 64 (a 12x12 patch grid), ``--blocks`` pre-norm
encoder blocks (LayerNormalization, MultiHeadAttention(num_heads=4, key_dim=64),
residual, LayerNormalization, Dense(128, gelu), Dense(64), residual), then
global average pooling and a 10-way softmax; batch 64, Adam, sparse categorical
cross-entropy.  Each framework runs in its own process (run the script once per
framework, interleaving runs on a loaded machine).  Prints the median
milliseconds of one step (median of 7 blocks of 5 steps) and the process CPU
time per step; with ``--nodes`` (Fluxion only) the per-primitive profile of the
step's optimised graph (``train_step_profile.node_profile``).
"""

from __future__ import annotations

import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

BATCH, TOKENS, WIDTH = 64, 144, 64
BLOCKS, STEPS = 7, 5


def build(keras, blocks: int):
    inputs = keras.Input((TOKENS, WIDTH))
    x = inputs
    for _ in range(blocks):
        h = keras.layers.LayerNormalization(epsilon=1e-6)(x)
        h = keras.layers.MultiHeadAttention(num_heads=4, key_dim=64, dropout=0.1)(h, h)
        x = keras.layers.Add()([x, h])
        h = keras.layers.LayerNormalization(epsilon=1e-6)(x)
        h = keras.layers.Dense(2 * WIDTH, activation="gelu")(h)
        h = keras.layers.Dropout(0.1)(h)
        h = keras.layers.Dense(WIDTH)(h)
        x = keras.layers.Add()([x, h])
    x = keras.layers.GlobalAveragePooling1D()(x)
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(BATCH, TOKENS, WIDTH)).astype("float32")
    y = rng.integers(0, 10, BATCH).astype("int32")
    return x, y


def timed(step) -> tuple[float, float]:
    """Median wall ms per step and CPU ms per step over all blocks."""
    for _ in range(2):
        step()
    walls, cpu_start = [], time.process_time()
    for _ in range(BLOCKS):
        start = time.perf_counter()
        for _ in range(STEPS):
            step()
        walls.append((time.perf_counter() - start) / STEPS * 1e3)
    cpu = (time.process_time() - cpu_start) / (BLOCKS * STEPS) * 1e3
    return statistics.median(walls), cpu


def node_profile(concrete, arrays, clock) -> dict[str, float]:
    """Microseconds per primitive by ``clock``: each node's kernel run alone on concrete
    arrays (median of 5), as ``train_step_profile.node_profile`` but with a choice of
    clock: on a loaded machine ``time.process_time`` shows the work, not the waiting."""
    from benchmarks.train_step_profile import _graph_inputs
    from fluxion.graph.executor import propagate_shapes

    graph = concrete.graph
    inputs = [np.asarray(a) for a in _graph_inputs(concrete, arrays)]
    propagate_shapes(graph, tuple(a.shape for a in inputs))
    env = {v.id: a for v, a in zip(graph.inputs, inputs)}
    totals: dict[str, float] = {}
    for node in graph.nodes:
        args = [env[v.id] if v.id in env else v.constant for v in node.inputs]
        attrs = {k: v for k, v in node.attrs.items() if not k.startswith("_")}
        times = []
        for _ in range(5):
            start = clock()
            result = node.prim.impl(*args, **attrs)
            times.append(clock() - start)
        results = result if node.prim.multiple_results else (result,)
        for value, array in zip(node.outputs, results):
            env[value.id] = array
        name = node.prim.name
        totals[name] = totals.get(name, 0.0) + statistics.median(times) * 1e6
    return totals


def run_tf(blocks: int) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    import tensorflow as tf

    model = build(keras, blocks)
    x, y = data()
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    step = model.make_train_function()
    batch = (tf.constant(x), tf.constant(y))

    def one():
        step(iter([batch]))

    wall, cpu = timed(one)
    print(f"keras-tf {tf.__version__}: {blocks} blocks, step {wall:.1f} ms, "
          f"cpu {cpu:.1f} ms/step (batch {BATCH})")


def run_fluxion(blocks: int, show_nodes: bool) -> None:
    from fluxion import keras

    model = build(keras, blocks)
    x, y = data()
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    concrete = model._train_function._latest()
    args = ((x, y),)
    wall, cpu = timed(lambda: concrete.call_structured(args))
    names = [n.prim.name for n in concrete.graph.nodes]
    print(f"fluxion: {blocks} blocks, {len(names)} nodes, step {wall:.1f} ms, "
          f"cpu {cpu:.1f} ms/step (batch {BATCH})")
    if show_nodes:
        from fluxion.core import blas_threads

        blas_threads.set_pool_size(1)  # as the step runs on a loaded machine (serial)
        for clock in ("perf_counter", "process_time"):
            profile = node_profile(concrete, (x, y), clock=getattr(time, clock))
            total = sum(profile.values())
            print(f"  per-node kernel total {total / 1e3:.1f} ms ({clock})")
            for prim, us in sorted(profile.items(), key=lambda kv: -kv[1])[:15]:
                print(f"    {prim:28s} {us / 1e3:8.2f} ms  ({names.count(prim)} nodes)")


def main() -> None:
    argv = sys.argv[1:]
    framework = argv[argv.index("--framework") + 1] if "--framework" in argv else "fluxion"
    blocks = int(argv[argv.index("--blocks") + 1]) if "--blocks" in argv else 2
    print(f"load average {os.getloadavg()[0]:.1f}")
    if framework == "tf":
        run_tf(blocks)
    else:
        run_fluxion(blocks, "--nodes" in argv)


if __name__ == "__main__":
    main()
