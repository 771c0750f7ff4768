"""Run by ``test_shared_memory.py``, alone or under ``mpiexec``: trains an MLP, replaces
its weights and optimizer slots between two ``fit`` calls (as a restore does), and saves
this rank's weights, ``optimizer.variables`` and a ``model.save`` file.

    python mpi_sharded.py OUT_DIR [adam|sgd]
"""

import os
import sys

import numpy as np

import fluxion as tf
from fluxion import keras


def main(out_dir: str, optimizer_name: str) -> None:
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    rank, workers = strategy.cluster_resolver.task_id, strategy.num_replicas_in_sync
    rng = np.random.default_rng(0)
    x = rng.random((96, 7), dtype=np.float32)
    y = (x @ rng.random((7, 3))).astype("float32")
    with strategy.scope():
        keras.utils.set_random_seed(5)
        # 7*13 + 13 + 13*3 + 3 = 146 parameters: the ranks' parts split a kernel.
        model = keras.Sequential([keras.Input((7,)), keras.layers.Dense(13, activation="tanh"),
                                  keras.layers.Dense(3)])
        optimizer = keras.optimizers.Adam(0.01) if optimizer_name == "adam" \
            else keras.optimizers.SGD(0.05, momentum=0.9)
        model.compile(optimizer, "mse", run_eagerly=bool(os.environ.get("FLUXION_TEST_EAGER")))
    model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    # Replaced values must reach every rank's next steps (assign, set_weights, loads).
    model.set_weights([w * 0.5 for w in model.get_weights()])
    for variable in optimizer.variables[1:]:
        variable.assign(variable.numpy() * 0.25)
    model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    tag = f"rank{rank}_of_{workers}"
    np.savez(os.path.join(out_dir, f"{tag}_weights.npz"), *[w.numpy() for w in model.weights])
    np.savez(os.path.join(out_dir, f"{tag}_slots.npz"),
             *[v.numpy() for v in optimizer.variables])
    model.save(os.path.join(out_dir, f"{tag}.keras"))
    loaded = keras.models.load_model(os.path.join(out_dir, f"{tag}.keras"))
    np.savez(os.path.join(out_dir, f"{tag}_loaded_slots.npz"),
             *[v.numpy() for v in loaded.optimizer.variables])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "adam")
