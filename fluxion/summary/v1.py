"""``fluxion.compat.v1.summary``: TensorFlow 1's summaries, run through a ``Session``.

In TF 1 a summary op is a graph op whose value is a serialized ``Summary`` proto (a
string scalar); ``merge_all()`` merges every summary op of the graph into one; the
program runs it with ``sess.run`` and hands the bytes to a ``FileWriter`` with the
step.  The records are TF 1's own kinds, which TensorBoard reads as TF 1's: scalars as
``simple_value``, histograms as ``HistogramProto`` with TF 1's exponential buckets,
images and audio as encoded PNG / WAV values tagged ``<name>/image/<i>`` /
``<name>/audio/<i>``, text as a text-plugin tensor.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import bind
from fluxion.core.primitives.host_call import host_call_p
from fluxion.core.tensor import convert_to_tensor
from fluxion.io import tensorboard_package
from fluxion.summary import payloads
from fluxion.summary.writer import SummaryWriter

__all__ = ["FileWriter", "FileWriterCache", "Summary", "audio", "histogram", "image", "merge",
           "merge_all", "scalar", "summary_iterator", "tensor_summary", "text"]

_STRING_SCALAR = ((), dtypes.string)
SUMMARIES = "summaries"


def __getattr__(name):
    protos = tensorboard_package.protos()
    known = {"Summary": protos.summary_pb2.Summary, "Event": protos.event_pb2.Event,
             "SessionLog": protos.event_pb2.SessionLog,
             "SummaryDescription": protos.summary_pb2.SummaryDescription,
             "HistogramProto": protos.summary_pb2.HistogramProto,
             "SummaryMetadata": protos.summary_pb2.SummaryMetadata,
             "LogMessage": protos.event_pb2.LogMessage}
    if name in known:
        return known[name]
    raise AttributeError(f"module 'fluxion.compat.v1.summary' has no attribute {name!r}")


# --- summary ops: values -> serialized Summary protos ------------------------------------------
def _summary_op(name: str, tensor, make_values, collections) -> object:
    """A string-scalar op serializing ``Summary(value=make_values(array))``, collected."""
    def serialize(array):
        summary_pb2 = tensorboard_package.protos().summary_pb2
        return np.array(summary_pb2.Summary(value=make_values(array)).SerializeToString(),
                        dtype=object)

    op = bind(host_call_p, convert_to_tensor(tensor), callback=serialize,
              result=_STRING_SCALAR)
    _collect(op, collections)
    return op


def _collect(op, collections) -> None:
    from fluxion.graph.v1.graph import get_default_graph

    for key in (collections if collections is not None else [SUMMARIES]):
        get_default_graph().add_to_collection(key, op)


def _tag(name: str, family: str | None) -> str:
    """The summary's tag: its op's unique name in the graph, as in TF 1 (``loss_1``...)."""
    from fluxion.graph.v1.graph import get_default_graph

    name = f"{family}/{name}" if family else name
    graph = get_default_graph()
    return graph.unique_name(name) if graph is not None else name


def scalar(name: str, tensor, collections=None, family=None):
    """A scalar summary op (``tf.compat.v1.summary.scalar``): ``simple_value``."""
    tensor = convert_to_tensor(tensor)
    if tensor.shape.rank not in (None, 0) and tensor.shape.num_elements() != 1:
        raise ValueError(f"summary.scalar({name!r}) takes a scalar, got shape {tensor.shape}")
    tag = _tag(name, family)

    def values(array):
        value = float(payloads.scalar(array))
        return [tensorboard_package.protos().summary_pb2.Summary.Value(tag=tag, simple_value=value)]

    return _summary_op(name, tensor, values, collections)


def _tf1_bucket_limits() -> np.ndarray:
    """TF 1's default histogram bucket edges: +-1e-12 growing by 10% up to 1e20."""
    positive = [1e-12]
    while positive[-1] < 1e20:
        positive.append(positive[-1] * 1.1)
    limits = [-v for v in reversed(positive)] + [0.0] + positive + [np.finfo(np.float64).max]
    return np.array(limits)


_LIMITS = None


def histogram_proto(values: np.ndarray):
    """A ``HistogramProto`` of ``values`` as TF 1 builds it (runs of empty buckets merged)."""
    global _LIMITS
    if _LIMITS is None:
        _LIMITS = _tf1_bucket_limits()
    data = np.asarray(values, dtype=np.float64).reshape(-1)
    proto = tensorboard_package.protos().summary_pb2.HistogramProto()
    if data.size == 0:
        return proto
    counts = np.bincount(np.searchsorted(_LIMITS, data, side="right"),
                         minlength=len(_LIMITS))[:len(_LIMITS)]
    proto.min, proto.max = float(data.min()), float(data.max())
    proto.num, proto.sum = float(data.size), float(data.sum())
    proto.sum_squares = float(np.dot(data, data))
    index = 0
    while index < len(counts):
        # A run of empty buckets collapses into one, ending at the run's last limit.
        end, count = _LIMITS[index], counts[index]
        index += 1
        if count == 0:
            while index < len(counts) and counts[index] == 0:
                end = _LIMITS[index]
                index += 1
        proto.bucket_limit.append(float(end))
        proto.bucket.append(float(count))
    return proto


def histogram(name: str, values, collections=None, family=None):
    """A histogram summary op (``tf.compat.v1.summary.histogram``)."""
    tag = _tag(name, family)

    def make(array):
        return [tensorboard_package.protos().summary_pb2.Summary.Value(
            tag=tag, histo=histogram_proto(array))]

    return _summary_op(name, values, make, collections)


def image(name: str, tensor, max_outputs: int = 3, collections=None, family=None):
    """An image summary op: ``[k, h, w, c]`` uint8 or [0, 1] floats, PNG-encoded."""
    tensor = convert_to_tensor(tensor)
    if tensor.shape.rank is not None and tensor.shape.rank != 4:
        raise ValueError(f"summary.image({name!r}) takes [k, height, width, channels], got "
                         f"shape {tensor.shape}")
    tag = _tag(name, family)

    def make(array):
        encoded = payloads.image(_tf1_image_normalize(array), max_outputs)
        width, height = int(encoded[0]), int(encoded[1])
        summary_pb2 = tensorboard_package.protos().summary_pb2
        pictures = encoded[2:]
        return [summary_pb2.Summary.Value(
            tag=f"{tag}/image" if max_outputs == 1 else f"{tag}/image/{i}",
            image=summary_pb2.Summary.Image(height=height, width=width,
                                            colorspace=int(array.shape[-1]),
                                            encoded_image_string=bytes(png)))
            for i, png in enumerate(pictures)]

    return _summary_op(name, tensor, make, collections)


def _tf1_image_normalize(images: np.ndarray) -> np.ndarray:
    """TF 1's float images, per image: non-negative ones scaled so the maximum is 255;
    others scaled so the larger magnitude reaches 127 and shifted by 128."""
    images = np.asarray(images)
    if not np.issubdtype(images.dtype, np.floating):
        return images
    result = np.empty(images.shape, dtype=np.uint8)
    for index, picture in enumerate(images.astype(np.float64)):
        finite = picture[np.isfinite(picture)]
        low = finite.min() if finite.size else 0.0
        high = finite.max() if finite.size else 0.0
        if low >= 0:
            scale, offset = (255.0 / high if high > 0 else 0.0), 0.0
        else:
            reach = max(-low, high)
            scale, offset = (127.0 / reach if reach > 0 else 0.0), 128.0
        scaled = np.where(np.isfinite(picture), picture * scale + offset, 0.0)
        result[index] = np.clip(scaled, 0, 255).astype(np.uint8)
    return result


def audio(name: str, tensor, sample_rate, max_outputs: int = 3, collections=None,
          family=None):
    """An audio summary op: ``[k, frames, channels]`` (or ``[k, frames]``) floats, WAV."""
    tag = _tag(name, family)
    rate = float(np.asarray(sample_rate))

    def make(array):
        clips = np.asarray(array, dtype=np.float32)
        if clips.ndim == 2:
            clips = clips[..., np.newaxis]
        rows = payloads.audio(clips, int(rate), max_outputs)
        summary_pb2 = tensorboard_package.protos().summary_pb2
        return [summary_pb2.Summary.Value(
            tag=f"{tag}/audio" if max_outputs == 1 else f"{tag}/audio/{i}",
            audio=summary_pb2.Summary.Audio(
                sample_rate=rate, num_channels=int(clips.shape[2]),
                length_frames=int(clips.shape[1]), encoded_audio_string=bytes(row[0]),
                content_type="audio/wav"))
            for i, row in enumerate(rows)]

    return _summary_op(name, tensor, make, collections)


def text(name: str, tensor, collections=None):
    """A text summary op (strings; TensorBoard's text plugin)."""
    name = _tag(name, None)
    metadata = tensorboard_package.plugin_metadata("text").create_summary_metadata(
        display_name=None, description="")

    def make(array):
        proto = tensorboard_package.tensor_util().make_tensor_proto(payloads.text(array))
        return [tensorboard_package.protos().summary_pb2.Summary.Value(tag=name, tensor=proto,
                                                                metadata=metadata)]

    return _summary_op(name, tensor, make, collections)


def tensor_summary(name: str, tensor, summary_description=None, collections=None,
                   summary_metadata=None, family=None, display_name=None):
    """A summary op holding ``tensor`` itself."""
    del summary_description, display_name
    tag = _tag(name, family)
    metadata = summary_metadata or tensorboard_package.protos().summary_pb2.SummaryMetadata()

    def make(array):
        proto = tensorboard_package.tensor_util().make_tensor_proto(np.asarray(array))
        return [tensorboard_package.protos().summary_pb2.Summary.Value(tag=tag, tensor=proto,
                                                                metadata=metadata)]

    return _summary_op(name, tensor, make, collections)


def merge(inputs, collections=None, name=None):
    """One op whose value is the union of the serialized summaries ``inputs``."""
    del name
    tensors = [convert_to_tensor(t) for t in inputs]

    def combine(*blobs):
        summary_pb2 = tensorboard_package.protos().summary_pb2
        merged = summary_pb2.Summary()
        for blob in blobs:
            merged.MergeFromString(bytes(np.asarray(blob, dtype=object).reshape(())[()]))
        return np.array(merged.SerializeToString(), dtype=object)

    op = bind(host_call_p, *tensors, callback=combine, result=_STRING_SCALAR)
    if collections:
        _collect(op, collections)
    return op


def merge_all(key: str = SUMMARIES, scope=None, name=None):
    """Merges every summary op of the default graph's ``key`` collection (None if none)."""
    from fluxion.graph.v1.graph import get_default_graph

    ops = get_default_graph().get_collection(key, scope)
    return merge(ops, name=name) if ops else None


# --- FileWriter -----------------------------------------------------------------------------------
class FileWriter:
    """Writes TF 1 summaries and graphs to an event file (``tf.compat.v1.summary.FileWriter``).

    Args:
      logdir: the directory of the event file.
      graph: a ``Graph`` to write at once (as ``add_graph``).
      max_queue, flush_secs, filename_suffix: as ``create_file_writer``'s.
    """

    def __init__(self, logdir, graph=None, max_queue: int = 10, flush_secs: float = 120,
                 graph_def=None, filename_suffix: str | None = None, session=None):
        del session
        self._writer = SummaryWriter(logdir, max_queue, int(flush_secs * 1000),
                                     filename_suffix or "")
        if graph is not None or graph_def is not None:
            self.add_graph(graph, graph_def=graph_def)

    def get_logdir(self) -> str:
        return self._writer.logdir

    def add_summary(self, summary, global_step=None) -> None:
        """Adds a ``Summary`` proto or its serialized bytes (a summary op's value)."""
        summary_pb2 = tensorboard_package.protos().summary_pb2
        if not isinstance(summary, summary_pb2.Summary):
            blob = np.asarray(summary, dtype=object).reshape(-1)
            if blob.size != 1 or not isinstance(blob[0], (bytes, bytearray)):
                raise TypeError(f"FileWriter.add_summary takes a Summary proto or the bytes "
                                f"of a summary op, got {type(summary).__name__}")
            summary = summary_pb2.Summary.FromString(bytes(blob[0]))
        self._writer.add_summary(summary, 0 if global_step is None else int(global_step))

    def add_graph(self, graph=None, global_step=None, graph_def=None) -> None:
        """Writes a TF 1 ``Graph`` (or a ``GraphDef``) for TensorBoard's graph view."""
        from fluxion.io.graph_def import to_graph_def

        event_pb2 = tensorboard_package.protos().event_pb2
        if graph_def is None:
            ir_graph = getattr(graph, "ir_graph", graph)
            graph_def = to_graph_def(ir_graph)
        self._writer.add_event(event_pb2.Event(graph_def=graph_def.SerializeToString(),
                                               step=int(global_step or 0)))

    def add_event(self, event) -> None:
        self._writer.add_event(event)

    def add_session_log(self, session_log, global_step=None) -> None:
        event_pb2 = tensorboard_package.protos().event_pb2
        self._writer.add_event(event_pb2.Event(session_log=session_log,
                                               step=int(global_step or 0)))

    def add_run_metadata(self, run_metadata, tag, global_step=None) -> None:
        event_pb2 = tensorboard_package.protos().event_pb2
        tagged = event_pb2.TaggedRunMetadata(tag=tag,
                                             run_metadata=run_metadata.SerializeToString())
        self._writer.add_event(event_pb2.Event(tagged_run_metadata=tagged,
                                               step=int(global_step or 0)))

    def flush(self) -> None:
        self._writer.flush()

    def close(self) -> None:
        self._writer.close()

    def reopen(self) -> None:
        if self._writer._closed:
            self._writer = SummaryWriter(self._writer.logdir, self._writer._max_queue,
                                         int(self._writer._flush_secs * 1000),
                                         self._writer._suffix)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class FileWriterCache:
    """One ``FileWriter`` per log directory (``tf.compat.v1.summary.FileWriterCache``)."""

    _writers: dict = {}

    @classmethod
    def get(cls, logdir) -> FileWriter:
        if logdir not in cls._writers:
            cls._writers[logdir] = FileWriter(logdir)
        return cls._writers[logdir]

    @classmethod
    def clear(cls) -> None:
        for writer in cls._writers.values():
            writer.close()
        cls._writers.clear()


def summary_iterator(path: str):
    """Yields the ``Event`` protos of one event file (``tf.compat.v1.train.summary_iterator``)."""
    from tensorboard.backend.event_processing import event_file_loader

    yield from event_file_loader.LegacyEventFileLoader(path).Load()
