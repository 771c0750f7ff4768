"""All-reduce inside compiled steps: ``host_call`` nodes call MPI when the step runs.

``all_reduce_bucket`` averages a step's gradients across workers in a few large
contiguous buffers: buckets of at least ``bytes_per_pack`` bytes (``BUCKET_BYTES`` by
default), filled in the order the backward pass produces the gradients, last layer
first.  Each bucket is two nodes: a *start* that flattens the bucket's gradients into
one buffer and begins a non-blocking ``Iallreduce`` on it (the buffer API), and a
*wait* that completes it (with the collective's deadline) and splits the mean back
into gradients.  In a traced step the start is moved up to just after the last node
its gradients need, so the reduction of the last layers' gradients runs while the
backward pass computes the first layers'; the waits stay where the optimizer reads
the gradients.  Every worker adds the same buffers in the same order, so the result
is bit-identical on all.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import bind
from fluxion.core.primitives.host_call import host_call_p
from fluxion.distribute import mpi_comm
from fluxion.ops.array_ops import cast, concat, reshape, split

BUCKET_BYTES = 4 << 20  # a bucket holds at least this much, unless it is the last.
# Measured on the 2-core machine with the benchmark's 1 MB MLP (load average 10-12):
# two 0.27/0.8 MB buckets trained at 0.96x of one rank's CPU time a step against
# 1.06x for one bucket (within the noise, but each bucket is one more collective).


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


def all_reduce_bucket(grads: list, bytes_per_pack: int = 0) -> list:
    """The mean over workers of each gradient, through a few contiguous buffers of at
    least ``bytes_per_pack`` bytes (0: ``BUCKET_BYTES``)."""
    shapes = [tuple(g.shape.as_list()) for g in grads]
    for shape in shapes:
        if None in shape:
            raise ValueError(f"all_reduce_bucket needs gradients of known shapes, got "
                             f"{list(shape)}")
    dtype = grads[0].dtype
    reduced = [None] * len(grads)
    per_bucket = max(1, (bytes_per_pack or BUCKET_BYTES) // dtype.size)
    for indices in _buckets(shapes, per_bucket):
        size = sum(_size(shapes[i]) for i in indices)
        pending = _PendingReduction()
        graph, first = _graph_and_length(grads[i] for i in indices)
        flat = concat([reshape(cast(grads[i], dtype), [-1]) for i in indices], axis=0)
        token = bind(host_call_p, flat, callback=pending.start,
                     result=((), dtypes.int32))
        if graph is not None:
            _move_up(graph, first)
        mean = bind(host_call_p, token, callback=pending.wait, result=((size,), dtype))
        pieces = split(mean, [_size(shapes[i]) for i in indices])
        for i, piece in zip(indices, pieces):
            reduced[i] = cast(reshape(piece, shapes[i]), grads[i].dtype)
    return reduced


def _size(shape: tuple) -> int:
    return int(np.prod(shape, dtype=np.int64))


def _buckets(shapes: list, per_bucket: int) -> list[list[int]]:
    """Gradient indices in buckets, the last variables (the backward pass's first
    results) first; a bucket closes once it holds ``per_bucket`` values."""
    buckets, current, held = [], [], 0
    for index in reversed(range(len(shapes))):
        current.append(index)
        held += _size(shapes[index])
        if held >= per_bucket:
            buckets.append(current)
            current, held = [], 0
    if current:
        buckets.append(current)
    return buckets


class _PendingReduction:
    """One bucket's reduction between its start and its wait (one step at a time)."""

    def __init__(self):
        self.request = None
        self.buffers = None

    def start(self, flat) -> int:
        send = np.ascontiguousarray(flat)
        if send.base is not None:  # a view: its owner may be overwritten meanwhile
            send = send.copy()
        self.request, self.buffers = mpi_comm.start_allreduce(send)
        return 0

    def wait(self, token):
        request, (send, receive) = self.request, self.buffers
        self.request = self.buffers = None
        if request is None:
            raise RuntimeError("all_reduce_bucket: a reduction was waited for before it "
                               "started (the step's nodes ran out of order).")
        return mpi_comm.finish_allreduce(request, send, receive, "mean")


def _graph_and_length(tensors):
    """The graph the tensors are being traced into (None when eager or mixed), and how
    many nodes it holds now."""
    builders = {id(getattr(t, "_builder", None)): getattr(t, "_builder", None)
                for t in tensors}
    if len(builders) != 1:
        return None, 0
    builder = next(iter(builders.values()))
    graph = getattr(builder, "graph", None)
    return (graph, len(graph.nodes)) if graph is not None else (None, 0)


def _move_up(graph, first: int) -> None:
    """Moves the nodes traced from ``first`` on to just after the last node whose
    outputs they read, keeping their order: the bucket's reduction starts as soon as
    its gradients exist."""
    moved = graph.nodes[first:]
    inside = {value.id for node in moved for value in node.outputs}
    needed = {value.id for node in moved for value in node.inputs} - inside
    position = 0
    for index, node in enumerate(graph.nodes[:first]):
        if any(value.id in needed for value in node.outputs):
            position = index + 1
    graph.nodes[position:] = moved + graph.nodes[position:first]
