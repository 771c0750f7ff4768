"""Lazy access to the ``tensorboard`` package (the optional extra ``fluxion-ml[tensorboard]``).

Fluxion writes TensorBoard's files with TensorBoard's own pieces: its protos and its
plugins' metadata helpers (the TFRecord framing is ``fluxion.io.tfrecord``'s).  None of
them imports TensorFlow when TensorFlow is absent.  They are imported on first use, so
``import fluxion`` stays light; a missing package gets an error that says how to install
it.  It lives in ``io`` because both the summary writers and ``tf.io.write_graph``
(``graph_def``) read TensorBoard's protos.
"""

from __future__ import annotations

import functools
import importlib
import types

_INSTALL_HINT = ("fluxion.summary needs the 'tensorboard' package: "
                 "pip install 'fluxion-ml[tensorboard]' (or pip install tensorboard)")


def _module(name: str):
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise ImportError(f"{_INSTALL_HINT}; importing {name} failed: {error}") from None


@functools.cache
def protos() -> types.SimpleNamespace:
    """The event, summary, tensor and graph protos of ``tensorboard.compat.proto``."""
    return types.SimpleNamespace(
        event_pb2=_module("tensorboard.compat.proto.event_pb2"),
        summary_pb2=_module("tensorboard.compat.proto.summary_pb2"),
        tensor_pb2=_module("tensorboard.compat.proto.tensor_pb2"),
        graph_pb2=_module("tensorboard.compat.proto.graph_pb2"),
        node_def_pb2=_module("tensorboard.compat.proto.node_def_pb2"),
        attr_value_pb2=_module("tensorboard.compat.proto.attr_value_pb2"),
        tensor_shape_pb2=_module("tensorboard.compat.proto.tensor_shape_pb2"),
        types_pb2=_module("tensorboard.compat.proto.types_pb2"),
    )


def plugin_metadata(plugin: str):
    """``tensorboard.plugins.<plugin>.metadata`` (scalar, histogram, image, text, audio...)."""
    return _module(f"tensorboard.plugins.{plugin}.metadata")


@functools.cache
def tensor_util():
    return _module("tensorboard.util.tensor_util")


def hparams_summary():
    return _module("tensorboard.plugins.hparams.summary_v2")
