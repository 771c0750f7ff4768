"""``keras.callbacks.CSVLogger``: one CSV row of metrics per epoch.

Each row is written whole and flushed to disk at the end of its epoch, so a run that
crashes leaves a valid CSV holding every finished epoch.
"""

from __future__ import annotations

import collections.abc
import csv
import io
import os

import numpy as np

from fluxion.keras.callbacks.callback import Callback
from fluxion.keras.saving.serialization import keras_class


def _cell(value):
    if isinstance(value, str):
        return value
    if isinstance(value, collections.abc.Iterable) and not (
            isinstance(value, np.ndarray) and value.ndim == 0):
        return f'"[{", ".join(map(str, value))}]"'
    return value


@keras_class("keras.callbacks")
class CSVLogger(Callback):
    """Streams epoch results to a CSV file.

    Columns are ``epoch`` then the metric names, sorted; when the first epoch has no
    validation metrics, ``val_`` columns are reserved for later ones (``NA`` until then).
    Rows end in CRLF, as Keras writes them (the ``excel`` CSV dialect).

    Args:
        filename: the CSV file.
        separator: the column separator.
        append: append to an existing file (no second header) instead of overwriting it.

    Example:
    >>> callback = CSVLogger("training.log")
    >>> # model.fit(x, y, callbacks=[callback])
    """

    def __init__(self, filename, separator: str = ",", append: bool = False):
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        self.append_header = True
        if self.append and os.path.exists(self.filename):
            with open(self.filename, encoding="utf-8") as existing:
                self.append_header = not existing.readline()
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = open(self.filename, "a" if self.append else "w", encoding="utf-8",
                             newline="")
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(key.startswith("val_") for key in self.keys):
                self.keys.extend([f"val_{key}" for key in self.keys])
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=["epoch"] + self.keys, delimiter=self.sep)
        if self.writer is None:
            self.writer = writer
            if self.append_header:
                writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _cell(logs.get(key, "NA"))) for key in self.keys)
        writer.writerow(row)
        # One write of whole lines, then to disk: a crash cannot leave half a row.
        self.csv_file.write(text.getvalue())
        self.csv_file.flush()
        try:
            os.fsync(self.csv_file.fileno())
        except OSError:
            pass

    def on_train_end(self, logs=None):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None
