"""``serialize_tensor`` (``tf.io.serialize_tensor``): a tensor as one string scalar.

The ``encode`` attribute turns the array into bytes (``fluxion.io.tensor_proto`` gives
a serialized ``TensorProto``), so this module needs no protobuf itself.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval, define


def _serialize_kernel(value: np.ndarray, *, encode) -> np.ndarray:
    out = np.empty((), dtype=object)
    out[()] = encode(value)
    return out


serialize_tensor_p = define("serialize_tensor", _serialize_kernel,
                            lambda value, encode: Aval((), dtypes.string), fresh_output=True)
