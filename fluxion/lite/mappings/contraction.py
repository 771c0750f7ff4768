"""TFLite for ``einsum`` of two operands (the products inside MultiHeadAttention and
EinsumDense): TRANSPOSE and RESHAPE the operands to ``[batch..., rows, k]`` and
``[batch..., k, columns]``, then one BATCH_MATMUL, or one FULLY_CONNECTED when the
right operand is known and shares no batch labels; RESHAPE and TRANSPOSE the result to
the output's labels.  Labels that only one operand has and the output lacks are summed
first (SUM)."""

from __future__ import annotations

import numpy as np

from fluxion.lite.mappings import lowers
from fluxion.lite.mappings.dense import fully_connected


def _product(dims) -> int | None:
    return None if any(d is None for d in dims) else int(np.prod(dims, dtype=np.int64))


class _Operand:
    """An operand's tensor (or known array) with one label per dimension."""

    def __init__(self, ctx, value, labels: str):
        self.ctx, self.labels = ctx, labels
        self.array = ctx.array(value)
        self.tensor = None if self.array is not None else ctx.tensor(value)
        self.shape = tuple(value.aval.shape)

    def size(self, label: str):
        return self.shape[self.labels.index(label)]

    def summed(self, keep) -> None:
        """Sums out the labels not in ``keep``."""
        axes = [i for i, label in enumerate(self.labels) if label not in keep]
        if not axes:
            return
        self.labels = "".join(label for label in self.labels if label in keep)
        self.shape = tuple(d for i, d in enumerate(self.shape) if i not in axes)
        if self.array is not None:
            self.array = self.array.sum(axis=tuple(axes))
            return
        out = self.ctx.graph.tensor(self.ctx.hint("sum"), self.shape, self.tensor.dtype)
        self.ctx.emit("SUM", [self.tensor, self.ctx.graph.constant(
            self.ctx.hint("axes"), np.asarray(axes, np.int32))], [out],
            ("ReducerOptions", {"KeepDims": False}))
        self.tensor = out

    def arranged(self, order: str, shape: tuple):
        """The operand with its labels in ``order``, reshaped to ``shape``."""
        perm = [self.labels.index(label) for label in order]
        if self.array is not None:
            return self.array.transpose(perm).reshape([-1 if d is None else d
                                                       for d in shape])
        tensor = _transpose(self.ctx, self.tensor, perm)
        return _reshape(self.ctx, tensor, shape)


def _transpose(ctx, tensor, perm):
    if perm == sorted(perm):
        return tensor
    out = ctx.graph.tensor(ctx.hint("transpose"), tuple(tensor.shape[p] for p in perm),
                           tensor.dtype)
    ctx.emit("TRANSPOSE", [tensor, ctx.graph.constant(ctx.hint("perm"),
                                                      np.asarray(perm, np.int32))], [out])
    return out


def _reshape(ctx, tensor, shape, out=None):
    shape = tuple(shape)
    if out is None and tuple(tensor.shape) == shape:
        return tensor
    if sum(1 for d in shape if d is None) > 1:
        raise ctx.unsupported(f"needs a reshape to {list(shape)}, with more than one "
                              f"size unknown when traced")
    out = out or ctx.graph.tensor(ctx.hint("reshape"), shape, tensor.dtype)
    ctx.emit("RESHAPE", [tensor, ctx.graph.constant(ctx.hint("shape"), np.asarray(
        [-1 if d is None else d for d in shape], np.int32))], [out])
    return out


@lowers("einsum")
def lower_einsum(ctx, node):
    spec = node.attrs["subscripts"]
    inputs, output = spec.split("->")
    labels = inputs.split(",")
    if len(labels) != 2:
        raise ctx.unsupported(f"has {len(labels)} operands ({spec!r}); the TFLite export "
                              f"lowers two-operand products")
    a, b = (_Operand(ctx, v, s) for v, s in zip(node.inputs, labels))
    a.summed(set(b.labels) | set(output))
    b.summed(set(a.labels) | set(output))
    batch = [label for label in a.labels if label in b.labels and label in output]
    contract = [label for label in a.labels if label in b.labels and label not in output]
    rows = [label for label in a.labels if label not in b.labels]
    columns = [label for label in b.labels if label not in a.labels]
    batch_dims = tuple(a.size(label) for label in batch)
    row_size, column_size = _product([a.size(x) for x in rows]), \
        _product([b.size(x) for x in columns])
    inner = _product([a.size(x) for x in contract])
    if inner is None:
        raise ctx.unsupported(f"contracts over a size unknown when traced ({spec!r})")
    out_value = node.outputs[0]
    result_labels = "".join(batch + rows + columns)
    result_shape = batch_dims + tuple(a.size(x) for x in rows) + \
        tuple(b.size(x) for x in columns)
    dtype = out_value.aval.dtype.np_dtype
    if b.array is not None and not batch and a.array is None:
        x = a.arranged("".join(rows + contract), tuple(a.size(x) for x in rows) + (inner,))
        kernel = b.arranged("".join(contract + columns), (inner, column_size))
        flat = ctx.graph.tensor(ctx.hint("product"), x.shape[:-1] + (column_size,), dtype)
        fully_connected(ctx, x, kernel, None, flat, ctx.hint())
    else:
        if a.array is not None:
            a.tensor, a.array = ctx.graph.constant(ctx.hint("lhs"), a.array), None
        if b.array is not None:
            b.tensor, b.array = ctx.graph.constant(ctx.hint("rhs"), b.array), None
        x = a.arranged("".join(batch + rows + contract), batch_dims + (row_size, inner))
        y = b.arranged("".join(batch + contract + columns), batch_dims + (inner, column_size))
        flat = ctx.graph.tensor(ctx.hint("product"), batch_dims + (row_size, column_size),
                                dtype)
        ctx.emit("BATCH_MATMUL", [x, y], [flat],
                 ("BatchMatMulOptions", {"AdjX": False, "AdjY": False}))
    perm = [result_labels.index(label) for label in output]
    if perm == sorted(perm):
        return _reshape(ctx, flat, result_shape, ctx.output())
    unflat = _reshape(ctx, flat, result_shape)
    out = ctx.output()
    ctx.emit("TRANSPOSE", [unflat, ctx.graph.constant(ctx.hint("perm"),
                                                      np.asarray(perm, np.int32))], [out])
    return out
