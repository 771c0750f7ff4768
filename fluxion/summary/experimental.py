"""``fluxion.summary.experimental``: the default step and raw summary writing."""

from __future__ import annotations

import contextlib

from fluxion.summary.summary_ops import get_step, set_step

__all__ = ["get_step", "set_step", "summary_scope", "write_raw_pb"]


@contextlib.contextmanager
def summary_scope(name: str, default_name: str | None = None, values=None):
    """Yields ``(tag, scope)`` for a summary named ``name`` (``tf.summary.experimental``)."""
    del values
    tag = name or default_name or "summary"
    yield tag, tag


def write_raw_pb(tensor, step=None, name=None):
    """Writes serialized ``Summary`` protos as they are (``write_raw_pb``)."""
    import numpy as np

    from fluxion.core.primitive import bind
    from fluxion.core.primitives.host_call import host_call_p
    from fluxion.core.tensor import convert_to_tensor
    from fluxion.io import tensorboard_package
    from fluxion.summary import writer as writers

    del name
    writer, default_step = writers.default_writer_and_step()
    if writer is None:
        return convert_to_tensor(False)
    step = step if step is not None else (default_step if default_step is not None
                                          else get_step())
    if step is None:
        raise ValueError("write_raw_pb: no step set; pass step= or call set_step()")

    def callback(blobs, step_value):
        summary_pb2 = tensorboard_package.protos().summary_pb2
        for blob in np.asarray(blobs, dtype=object).reshape(-1):
            writer.add_summary(summary_pb2.Summary.FromString(bytes(blob)), int(step_value))
        return True

    return bind(host_call_p, convert_to_tensor(tensor), convert_to_tensor(step),
                callback=callback)
