"""All-reduce inside compiled steps: a ``host_call`` node calls MPI when the step runs.

``all_reduce_bucket`` flattens every gradient into one contiguous float buffer (one
collective a step instead of one per variable), averages it across workers with the
buffer API, and splits it back: the same arrays on every worker.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitive import bind
from fluxion.core.primitives.host_call import host_call_p
from fluxion.distribute import mpi_comm
from fluxion.ops.array_ops import cast, concat, reshape, split


def all_reduce(tensor, op: str = "sum"):
    """``tensor`` summed (or averaged) over workers, eagerly or inside a compiled step."""
    from fluxion.core.tensor import shape_tuple

    shape = shape_tuple(tensor)
    if None in shape:
        raise ValueError(f"all_reduce needs a known shape, got {list(shape)}")
    return bind(host_call_p, tensor, callback=_Reduce(op), result=(shape, tensor.dtype))


class _Reduce:
    def __init__(self, op: str):
        self.op = op

    def __call__(self, array):
        return mpi_comm.allreduce(np.asarray(array), self.op)


def all_reduce_bucket(grads: list) -> list:
    """The mean over workers of each gradient, through one buffer."""
    shapes = [tuple(g.shape.as_list()) for g in grads]
    dtype = grads[0].dtype
    flat = concat([reshape(cast(g, dtype), [-1]) for g in grads], axis=0)
    reduced = all_reduce(flat, "mean")
    sizes = [int(np.prod(s, dtype=np.int64)) for s in shapes]
    pieces = split(reduced, sizes)
    return [cast(reshape(p, s), g.dtype) for p, s, g in zip(pieces, shapes, grads)]
