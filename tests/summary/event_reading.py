"""Reads event files back for the summary tests: every record as plain Python data."""

from __future__ import annotations

import glob
import io
import os

import numpy as np


def read_run(path: str) -> dict:
    """``{tag: [(step, array, plugin_name)]}`` for every summary value under ``path``,
    plus ``"__graph__"`` -> list of ``GraphDef`` protos."""
    from tensorboard.backend.event_processing import event_file_loader
    from tensorboard.compat.proto import graph_pb2
    from tensorboard.util import tensor_util

    records: dict = {}
    for file in sorted(glob.glob(os.path.join(path, "events.out.tfevents.*"))):
        for event in event_file_loader.LegacyEventFileLoader(file).Load():
            if event.HasField("graph_def"):
                records.setdefault("__graph__", []).append(
                    graph_pb2.GraphDef.FromString(event.graph_def))
            for value in event.summary.value:
                array = tensor_util.make_ndarray(value.tensor)
                records.setdefault(value.tag, []).append(
                    (event.step, array, value.metadata.plugin_data.plugin_name))
    return records


def first_event(path: str):
    from tensorboard.backend.event_processing import event_file_loader

    file = sorted(glob.glob(os.path.join(path, "events.out.tfevents.*")))[0]
    return next(iter(event_file_loader.LegacyEventFileLoader(file).Load()))


def png_pixels(blob: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(blob)))


def wav_samples(blob: bytes) -> np.ndarray:
    import wave

    with wave.open(io.BytesIO(blob)) as wav:
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
