"""The summary ops of ``fluxion.summary``: ``scalar``, ``histogram``, ``image``, ``text``,
``audio``, ``write``, and the recording switches ``record_if`` / ``set_step``.

Every op is one ``host_call`` node: eagerly it writes at once; inside
``fluxion.function`` (and a compiled Keras step) the node stays in the graph and
writes each time the step runs, with the values of that run, at the step of that run
when the step is a variable (``optimizer.iterations``, as usual).  The default writer
and a Python step are fixed when the function is traced, as in TensorFlow.

Each op returns a boolean tensor: whether it recorded (False without a default writer,
or when ``record_if`` says not to).
"""

from __future__ import annotations

import contextlib
import functools
import threading

import numpy as np

from fluxion.core.primitive import bind
from fluxion.core.primitives.host_call import host_call_p
from fluxion.core.tensor import Tensor, convert_to_tensor, is_tensor
from fluxion.io import tensorboard_package
from fluxion.summary import payloads
from fluxion.summary import writer as writers

_conditions = threading.local()


# --- step and recording condition --------------------------------------------------------------
def set_step(step) -> None:
    """Sets the default step of summary ops (``tf.summary.experimental.set_step``).

    An int is fixed; a variable (e.g. ``optimizer.iterations``) is read when each
    summary is written, inside compiled steps too.
    """
    writers._process_step[0] = step


def get_step():
    """The default step set with ``set_step``, or None."""
    return writers._process_step[0]


def _condition_stack() -> list:
    if not hasattr(_conditions, "stack"):
        _conditions.stack = []
    return _conditions.stack


@contextlib.contextmanager
def record_if(condition):
    """Records summaries in the block only when ``condition`` holds (``tf.summary.record_if``).

    ``condition`` is a bool, a boolean tensor, or a callable returning one; a callable
    is evaluated each time a summary would be written (in compiled steps: at each run).
    """
    stack = _condition_stack()
    stack.append(condition)
    try:
        yield
    finally:
        stack.pop()


def _holds(condition) -> bool:
    if callable(condition):
        condition = condition()
    if is_tensor(condition) or hasattr(condition, "numpy"):
        condition = np.asarray(condition.numpy())
    return bool(np.asarray(condition))


def should_record_summaries() -> bool:
    """Whether summary ops would record now: a default writer and every ``record_if`` true."""
    writer, _ = writers.default_writer_and_step()
    if writer is None or isinstance(writer, writers.NoopSummaryWriter):
        return False
    return all(_holds(c) for c in _condition_stack())


# --- the host callback -------------------------------------------------------------------------
class _WriteSummary:
    """Called by the ``host_call`` node with the data (and step) arrays of one run."""

    def __init__(self, writer, tag: str, make_tensor, metadata, step, conditions: tuple):
        self.writer = writer
        self.tag = tag
        self.make_tensor = make_tensor
        self.metadata = metadata
        self.step = step  # an int, or None when the step arrives as the second input
        self.conditions = conditions  # callables; tensor conditions arrive as inputs

    def __call__(self, data, *rest) -> bool:
        step_inputs = rest[:1] if self.step is None else ()
        tensor_conditions = rest[len(step_inputs):]
        if not all(bool(np.asarray(c)) for c in tensor_conditions):
            return False
        if not all(_holds(c) for c in self.conditions):
            return False
        step = int(np.asarray(step_inputs[0])) if step_inputs else int(self.step)
        proto = tensorboard_package.protos()
        value = self.make_tensor(data)
        if value.dtype == np.float32 and value.ndim == 0:  # scalars: the common case, direct
            tensor = proto.tensor_pb2.TensorProto(
                dtype=proto.types_pb2.DT_FLOAT, float_val=[float(value)],
                tensor_shape=proto.tensor_shape_pb2.TensorShapeProto())
        else:
            tensor = tensorboard_package.tensor_util().make_tensor_proto(value)
        summary = proto.summary_pb2.Summary(value=[proto.summary_pb2.Summary.Value(
            tag=self.tag, tensor=tensor, metadata=self.metadata)])
        self.writer.add_summary(summary, step)
        return True


def _scoped(name: str) -> str:
    from fluxion.core import context

    scope = "/".join(getattr(context, "name_scopes", ()) or ())
    return f"{scope}/{name}" if scope else name


def _emit(name: str, data, step, make_tensor, metadata, op: str) -> Tensor:
    writer, default_step = writers.default_writer_and_step()
    static = [c for c in _condition_stack() if isinstance(c, (bool, np.bool_))]
    if writer is None or isinstance(writer, writers.NoopSummaryWriter) or not all(static):
        return convert_to_tensor(False)
    if step is None:
        step = default_step if default_step is not None else get_step()
    if step is None:
        raise ValueError(
            f"fluxion.summary.{op}({name!r}): no step set. Pass step=, use "
            f"writer.as_default(step=...), or call fluxion.summary.experimental.set_step().")
    dynamic = [c for c in _condition_stack() if not isinstance(c, (bool, np.bool_))]
    inputs = [data]
    if isinstance(step, (int, np.integer)):
        fixed_step = int(step)
    else:
        fixed_step = None
        inputs.append(convert_to_tensor(step))
    inputs += [convert_to_tensor(c) for c in dynamic if not callable(c)]
    conditions = tuple(c for c in dynamic if callable(c))
    callback = _WriteSummary(writer, _scoped(name), make_tensor, metadata, fixed_step,
                             conditions)
    return bind(host_call_p, *inputs, callback=callback)


@functools.lru_cache(maxsize=256)
def _metadata(plugin: str, description: str):
    """The plugin's ``SummaryMetadata`` (built once per plugin and description)."""
    return tensorboard_package.plugin_metadata(plugin).create_summary_metadata(
        display_name=None, description=description)


def _static_shape(tensor: Tensor) -> tuple:
    shape = tensor.shape
    return tuple(shape.as_list()) if shape.rank is not None else ()


# --- the ops -------------------------------------------------------------------------------------
def scalar(name: str, data, step=None, description: str | None = None) -> Tensor:
    """Writes a scalar summary (``tf.summary.scalar``): one float per step, as a curve.

    Args:
      name: the tag, prefixed with the current name scope.
      data: a real number or a tensor holding one value.
      step: the step (int or int tensor/variable); default: the writer's or ``set_step``'s.
      description: shown in TensorBoard.

    Returns:
      A boolean tensor: True if the summary was recorded.
    """
    data = convert_to_tensor(data)
    shape = _static_shape(data)
    if None not in shape and int(np.prod(shape, dtype=np.int64)) != 1:
        raise ValueError(f"fluxion.summary.scalar({name!r}) takes a scalar, got a tensor of "
                         f"shape {list(shape)}; reduce it first (e.g. tf.reduce_mean).")
    if not (data.dtype.is_floating or data.dtype.is_integer or data.dtype.is_bool):
        raise TypeError(f"fluxion.summary.scalar({name!r}) takes a number, got dtype "
                        f"{data.dtype.name}")
    metadata = _metadata("scalar", description or "")
    return _emit(name, data, step, payloads.scalar, metadata, "scalar")


def histogram(name: str, data, step=None, buckets: int | None = None,
              description: str | None = None) -> Tensor:
    """Writes a histogram of ``data``'s values (``tf.summary.histogram``), TF's bucketing.

    ``buckets`` (default 30) equal-width buckets between the minimum and the maximum.
    """
    data = convert_to_tensor(data)
    if not (data.dtype.is_floating or data.dtype.is_integer or data.dtype.is_bool):
        raise TypeError(f"fluxion.summary.histogram({name!r}) takes numbers, got dtype "
                        f"{data.dtype.name}")
    count = payloads.DEFAULT_BUCKET_COUNT if buckets is None else int(buckets)
    metadata = _metadata("histogram", description or "")
    return _emit(name, data, step, lambda d: payloads.histogram_buckets(d, count), metadata,
                 "histogram")


def image(name: str, data, step=None, max_outputs: int = 3,
          description: str | None = None) -> Tensor:
    """Writes images (``tf.summary.image``), PNG-encoded.

    Args:
      data: ``[k, height, width, channels]``, channels 1, 3 or 4; uint8, or floats in
        [0, 1]. At most ``max_outputs`` images are kept per step.
    """
    data = convert_to_tensor(data)
    shape = data.shape
    if shape.rank is not None and (shape.rank != 4 or shape[-1] not in (1, 3, 4, None)):
        raise ValueError(
            f"fluxion.summary.image({name!r}) takes a [k, height, width, channels] tensor "
            f"with 1, 3 or 4 channels, got shape {shape}")
    if not (data.dtype.is_floating or data.dtype.is_integer):
        raise TypeError(f"fluxion.summary.image({name!r}) takes uint8 or float images, got "
                        f"dtype {data.dtype.name}")
    metadata = _metadata("image", description or "")
    return _emit(name, data, step, lambda d: payloads.image(d, max_outputs), metadata, "image")


def text(name: str, data, step=None, description: str | None = None) -> Tensor:
    """Writes a string tensor (``tf.summary.text``); TensorBoard renders it as Markdown."""
    data = convert_to_tensor(data)
    if data.dtype.name != "string":
        raise TypeError(f"fluxion.summary.text({name!r}) takes strings, got dtype "
                        f"{data.dtype.name}")
    metadata = _metadata("text", description or "")
    return _emit(name, data, step, payloads.text, metadata, "text")


def audio(name: str, data, sample_rate, step=None, max_outputs: int = 3,
          encoding: str | None = None, description: str | None = None) -> Tensor:
    """Writes audio clips (``tf.summary.audio``) as WAV.

    Args:
      data: ``[k, samples, channels]`` floats in [-1, 1].
      sample_rate: samples per second.
    """
    if encoding not in (None, "wav"):
        raise ValueError(f"fluxion.summary.audio({name!r}): only 'wav' encoding exists, got "
                         f"{encoding!r}")
    data = convert_to_tensor(data)
    if data.shape.rank is not None and data.shape.rank != 3:
        raise ValueError(f"fluxion.summary.audio({name!r}) takes a [k, samples, channels] "
                         f"tensor, got shape {data.shape}")
    rate = int(np.asarray(sample_rate.numpy() if is_tensor(sample_rate) else sample_rate))
    module = tensorboard_package.plugin_metadata("audio")
    metadata = module.create_summary_metadata(
        display_name=None, description=description or "",
        encoding=module.Encoding.Value("WAV"))
    return _emit(name, data, step, lambda d: payloads.audio(d, rate, max_outputs), metadata,
                 "audio")


def write(tag: str, tensor, step=None, metadata=None, name=None) -> Tensor:
    """Writes ``tensor`` under ``tag`` with optional ``SummaryMetadata`` (``tf.summary.write``).

    ``metadata`` is a ``SummaryMetadata`` proto or its serialized bytes.
    """
    del name
    proto = tensorboard_package.protos()
    if metadata is None:
        metadata = proto.summary_pb2.SummaryMetadata()
    elif isinstance(metadata, bytes):
        metadata = proto.summary_pb2.SummaryMetadata.FromString(metadata)
    tensor = convert_to_tensor(tensor)
    return _emit(tag, tensor, step, np.asarray, metadata, "write")
