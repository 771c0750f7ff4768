"""``make_tensor_proto`` and ``make_ndarray``: tensors to and from TF's ``TensorProto``.

The message class and the conversion rules are TensorBoard's (``tensorboard`` is the
optional package that carries TF's protos without TF); a clear ImportError says so
when it is missing.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.tensor import Tensor

__all__ = ["make_tensor_proto", "make_ndarray"]


def _tensor_util():
    try:
        from tensorboard.util import tensor_util
    except ImportError:
        raise ImportError("make_tensor_proto / make_ndarray need the optional 'tensorboard' "
                          "package (it carries TensorFlow's TensorProto): pip install "
                          "tensorboard") from None
    return tensor_util


def make_tensor_proto(values, dtype=None, shape=None, verify_shape=False,
                      allow_broadcast=False):
    """A ``TensorProto`` holding ``values`` (a tensor, array or nested list)."""
    if isinstance(values, Tensor) or hasattr(values, "_read_for_op"):
        values = np.asarray(values)
    np_dtype = None if dtype is None else dtypes.as_dtype(dtype).np_dtype
    if np_dtype is not None and np_dtype == np.dtype(object):
        np_dtype = None  # strings: let the converter pick bytes
    return _tensor_util().make_tensor_proto(values, dtype=np_dtype, shape=shape,
                                            verify_shape=verify_shape)


def make_ndarray(tensor):
    """The NumPy array a ``TensorProto`` holds."""
    return _tensor_util().make_ndarray(tensor)
