"""``tf.io`` file and string ops: ``read_file``, ``write_file``, ``matching_files``,
``match_filenames_once``, ``write_graph``, and web-safe base64 (``encode_base64``,
``decode_base64``).  Strings are bytes tensors (dtype ``string``)."""

from __future__ import annotations

import base64
import glob
import os

import numpy as np

from fluxion.core import dtypes
from fluxion.core.tensor import convert_to_tensor


def _strings(value) -> np.ndarray:
    array = np.asarray(convert_to_tensor(value, dtype=dtypes.string).numpy(), dtype=object)
    return array


def _text(item) -> str:
    return item.decode("utf-8") if isinstance(item, bytes) else str(item)


def read_file(filename, name=None):
    """The bytes of the file ``filename`` (a scalar string tensor)."""
    path = _text(_strings(filename).reshape(-1)[0])
    with open(path, "rb") as handle:
        return convert_to_tensor(handle.read(), dtype=dtypes.string)


def write_file(filename, contents, name=None) -> None:
    """Writes the bytes ``contents`` to ``filename`` (folders made as needed)."""
    path = _text(_strings(filename).reshape(-1)[0])
    data = _strings(contents).reshape(-1)[0]
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data if isinstance(data, bytes) else str(data).encode())


def matching_files(pattern, name=None):
    """The sorted file names matching the glob ``pattern`` (or each of a vector of
    patterns), a string vector."""
    names = []
    for item in _strings(pattern).reshape(-1):
        names.extend(sorted(glob.glob(_text(item))))
    return convert_to_tensor(np.asarray([n.encode() for n in names], dtype=object).reshape(-1),
                             dtype=dtypes.string)


def match_filenames_once(pattern, name=None):
    """The files matching ``pattern``: in a TF 1 graph a local variable (initialized by
    ``local_variables_initializer``), eagerly the string vector itself."""
    from fluxion.core import context
    from fluxion.graph.v1.graph import GraphBuilder

    files = matching_files(pattern)
    if not isinstance(context.tracer, GraphBuilder):
        return files
    from fluxion.core.variable import Variable
    from fluxion.graph.v1.graph import GraphKeys, get_default_graph

    graph = get_default_graph()
    variable = Variable(files, trainable=False, name=name or "matching_filenames",
                        validate_shape=False)
    for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.TRAINABLE_VARIABLES):
        ref = graph.get_collection_ref(key)
        ref[:] = [v for v in ref if v is not variable]
    graph.add_to_collection(GraphKeys.LOCAL_VARIABLES, variable)
    return variable


def encode_base64(input, pad=False, name=None):  # noqa: A002 - TF's name
    """Web-safe base64 (``-`` and ``_``) of each string, ``=`` padding if ``pad``."""
    def encode(item):
        text = base64.urlsafe_b64encode(item if isinstance(item, bytes) else str(item).encode())
        return text if pad else text.rstrip(b"=")

    strings = _strings(input)
    out = np.vectorize(encode, otypes=[object])(strings) if strings.size else strings
    return convert_to_tensor(out, dtype=dtypes.string)


def decode_base64(input, name=None):  # noqa: A002 - TF's name
    """Decodes web-safe base64 strings (padded or not)."""
    def decode(item):
        item = item if isinstance(item, bytes) else str(item).encode()
        return base64.urlsafe_b64decode(item + b"=" * (-len(item) % 4))

    strings = _strings(input)
    out = np.vectorize(decode, otypes=[object])(strings) if strings.size else strings
    return convert_to_tensor(out, dtype=dtypes.string)


def write_graph(graph_or_graph_def, logdir, name, as_text=True) -> str:
    """Writes a graph's ``GraphDef`` to ``logdir/name`` (text or binary protobuf, as
    TensorBoard's graph view and ``import_graph_def`` tools read it); returns the path."""
    graph_def = graph_or_graph_def
    if not hasattr(graph_def, "SerializeToString"):
        from fluxion.summary.graph_def import to_graph_def

        graph_def = to_graph_def(getattr(graph_or_graph_def, "ir_graph", graph_or_graph_def))
    path = os.path.join(os.fspath(logdir), name)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    if as_text:
        from google.protobuf import text_format

        with open(path, "w") as handle:
            handle.write(text_format.MessageToString(graph_def))
    else:
        with open(path, "wb") as handle:
            handle.write(graph_def.SerializeToString())
    return path
