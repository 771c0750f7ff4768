"""Reading the pickled batches of the CIFAR-10 and CIFAR-100 archives, safely."""

from __future__ import annotations

import numpy as np

from fluxion.keras import config
from fluxion.keras.datasets._sources import NumpyOnlyUnpickler


def load_batch(fpath: str, label_key: str = "labels"):
    """``(data uint8 [n, 3, 32, 32], labels list)`` from one pickled CIFAR batch."""
    with open(fpath, "rb") as handle:
        batch = NumpyOnlyUnpickler(handle, encoding="bytes").load()
    batch = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in batch.items()}
    data = np.asarray(batch["data"], dtype=np.uint8)
    return data.reshape(data.shape[0], 3, 32, 32), batch[label_key]


def finish(x_train, y_train, x_test, y_test, label_dtype):
    """Column labels, channels-last images when Keras is configured so.

    Keras gives CIFAR-10 ``uint8`` labels and CIFAR-100 ``int64`` ones (its labels come
    from Python lists); ``label_dtype`` keeps that difference.
    """
    y_train = np.reshape(np.asarray(y_train, dtype=label_dtype), (len(y_train), 1))
    y_test = np.reshape(np.asarray(y_test, dtype=label_dtype), (len(y_test), 1))
    if config.image_data_format() == "channels_last":
        x_train, x_test = x_train.transpose(0, 2, 3, 1), x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test.astype(x_train.dtype), y_test)
