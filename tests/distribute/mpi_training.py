"""Run by the distribute tests, alone or under ``mpiexec -n 2``: trains the seed Keras
model data-parallel and saves the final weights of this rank."""

import os
import sys

import numpy as np

import fluxion as tf
from fluxion import keras


class DieOnce(keras.callbacks.Callback):
    """Kills this worker at ``epoch``'s batch ``step`` the first time the script runs
    (a marker file remembers): a crash in the middle of training."""

    def __init__(self, marker: str, epoch: int, step: int):
        super().__init__()
        self.marker, self.epoch, self.step = marker, epoch, step
        self.current = None

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch

    def on_train_batch_begin(self, batch, logs=None):
        if (self.current, batch) == (self.epoch, self.step) and \
                not os.path.exists(self.marker):
            with open(self.marker, "w") as file:
                file.write("killed")
            print(f"killing this worker at epoch {self.epoch}, batch {batch}", flush=True)
            os._exit(9)


def main(out_dir: str, global_batch: int = 16, epochs: int = 2) -> None:
    if os.environ.get("FLUXION_TEST_KERAS_DISTRIBUTION"):  # Keras 3's spelling
        keras.distribution.set_distribution(keras.distribution.DataParallel())
        strategy = tf.distribute.get_strategy()
    else:
        pack = int(os.environ.get("FLUXION_TEST_BYTES_PER_PACK", "0"))  # small: overlap
        strategy = tf.distribute.MultiWorkerMirroredStrategy(
            communication_options=tf.distribute.experimental.CommunicationOptions(
                bytes_per_pack=pack))
    rank = strategy.cluster_resolver.task_id
    rng = np.random.default_rng(0)
    x = rng.random((128, 6), dtype=np.float32)
    y = (x @ rng.random((6, 3))).astype("float32")
    with strategy.scope():
        keras.utils.set_random_seed(100 + rank)  # different init: the chief's must win
        model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(16, activation="tanh"),
                                  keras.layers.Dense(3)])
        model.compile(keras.optimizers.Adam(0.01), "mse")
    if rank == 0:
        keras.utils.set_random_seed(100)
    callbacks = [keras.callbacks.ModelCheckpoint(os.path.join(out_dir, "model.keras"))] \
        if os.environ.get("FLUXION_TEST_CHECKPOINT") else []
    if os.environ.get("FLUXION_TEST_BACKUP"):  # resumable: rerun the command after a crash
        callbacks.append(keras.callbacks.BackupAndRestore(os.environ["FLUXION_TEST_BACKUP"]))
        callbacks.append(keras.callbacks.LambdaCallback(
            on_train_batch_begin=lambda batch, logs: started.append(batch),
            on_epoch_begin=lambda epoch, logs: started.append(epoch)))
        started = []  # the first epoch and batch this run trains
    kill_at = os.environ.get("FLUXION_TEST_KILL_AT")  # "epoch,batch": rank 1 dies there once
    if kill_at and rank == 1:
        epoch, step = (int(v) for v in kill_at.split(","))
        callbacks.append(DieOnce(os.path.join(out_dir, "killed-once"), epoch, step))
    epochs = int(os.environ.get("FLUXION_TEST_EPOCHS", epochs))
    source = os.environ.get("FLUXION_TEST_SOURCE", "arrays")
    if source == "arrays":
        model.fit(x, y, batch_size=global_batch, epochs=epochs, shuffle=False, verbose=0,
                  callbacks=callbacks)
    else:
        model.fit(dataset(source, x, y, global_batch, out_dir), epochs=epochs, verbose=0,
                  callbacks=callbacks)
    if os.environ.get("FLUXION_TEST_BACKUP"):
        with open(os.path.join(out_dir, f"started_rank{rank}.txt"), "w") as file:
            file.write(f"epoch {started[0]}, batch {started[1]}")
    np.savez(os.path.join(out_dir, f"rank{rank}_of_{strategy.num_replicas_in_sync}.npz"),
             *[w.numpy() for w in model.weights])
    fault = os.environ.get("FLUXION_TEST_FAULT")
    if fault == "die" and rank == 1:
        os._exit(3)
    if fault == "hang" and rank == 1:
        import time
        time.sleep(600)
    total = strategy.reduce("SUM", tf.constant(float(rank + 1)))
    print(f"rank {rank}: reduce={float(total)}", flush=True)


def dataset(source: str, x, y, global_batch: int, out_dir: str):
    """The training data as a pipeline: ``dataset`` slices the arrays (sharded by data);
    ``files`` reads them from 3 files of fixed-length records of different lengths
    (sharded by file: rank 0 reads files 0 and 2, rank 1 file 1, so the ranks' epochs
    differ in length and end together when rank 1 runs out)."""
    if source == "dataset":
        return tf.data.Dataset.from_tensor_slices((x, y)).batch(global_batch)
    rows = np.concatenate([x, y], axis=1).astype(np.float32)
    paths = []
    for i, part in enumerate(np.split(rows, [48, 80])):  # 48, 32 and 48 rows
        path = os.path.join(out_dir, f"part{i}.bin")
        if not os.path.exists(path):
            part.tofile(path)
        paths.append(path)

    def decode(record):
        values = tf.io.decode_raw(record, tf.float32)
        return values[:6], values[6:]

    return tf.data.FixedLengthRecordDataset(paths, record_bytes=36).map(decode) \
        .batch(global_batch)


if __name__ == "__main__":
    main(sys.argv[1])
