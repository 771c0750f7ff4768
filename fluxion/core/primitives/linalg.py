"""Linear-algebra primitives: batched matmul, einsum, and the matrix functions of
``fluxion.linalg`` (inverse, determinants, Cholesky, solves, SVD, eigh, diagonals and
bands of diagonals, band parts).

``matmul`` multiplies the last two axes and broadcasts the leading (batch) axes; its
gradient relies on the walker to sum broadcast batch axes away.  Every matrix function
works on the last two axes and batches over the rest.  Gradients are the standard
matrix-calculus results (Giles, "An extended collection of matrix derivative results",
2008; Murray, "Differentiation of the Cholesky decomposition", 2016; Townsend,
"Differentiating the singular value decomposition", 2016), written with the primitives
of this file so that they differentiate again.

``einsum`` takes a fully explicit subscripts string (no ``...``, no repeated label in
one operand: ``einsum`` below rewrites those first), so its VJP is einsum again.
"""

from __future__ import annotations

import functools

import numpy as np

from fluxion.core.primitive import Aval, bind, define
from fluxion.core.primitives.einsum_lowering import as_matmul
from fluxion.core.primitives.elementwise import conj
from fluxion.core.shape_rules import broadcast_shapes
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple


def _matmul_rule(a: Aval, b: Aval) -> Aval:
    if len(a.shape) < 2 or len(b.shape) < 2:
        raise ValueError(f"matmul needs tensors of rank >= 2, got shapes {list(a.shape)} "
                         f"and {list(b.shape)}")
    if a.dtype is not b.dtype:
        raise TypeError(f"both inputs must have one dtype, got {a.dtype.name} and "
                        f"{b.dtype.name}")
    k1, k2 = a.shape[-1], b.shape[-2]
    if k1 is not None and k2 is not None and k1 != k2:
        raise ValueError(f"matrix sizes are incompatible: In[0] {list(a.shape)}, In[1] "
                         f"{list(b.shape)} (a.shape[-1]={k1} must equal b.shape[-2]={k2})")
    batch = broadcast_shapes(a.shape[:-2], b.shape[:-2])
    return Aval(batch + (a.shape[-2], b.shape[-1]), a.dtype)


def _matmul_vjp(g, xs, out):
    a, b = xs  # adjoints: complex operands take the conjugate (TF's convention)
    return matmul(g, adjoint(b)), matmul(adjoint(a), g)


def _matmul_kernel(a, b):
    # ndarray.dot is the same product for 2-D operands and a third of np.matmul's call
    # overhead on small matrices, where per-op latency dominates.
    if a.ndim == 2 and b.ndim == 2:
        return a.dot(b)
    return np.matmul(a, b)


matmul_p = define("matmul", _matmul_kernel, _matmul_rule, _matmul_vjp, fresh_output=True)


def matrix_transpose(a) -> Tensor:
    from fluxion.core.primitives.shape import transpose_p

    a = convert_to_tensor(a)
    rank = len(shape_tuple(a))
    if rank < 2:
        raise ValueError(f"matrix_transpose needs a tensor of rank >= 2, got rank {rank}")
    perm = tuple(range(rank - 2)) + (rank - 1, rank - 2)
    return bind(transpose_p, a, perm=perm)


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, name=None) -> Tensor:
    """Matrix product of the last two axes, batched over the leading axes (``tf.matmul``).

    Args:
      a, b: tensors of rank >= 2 and the same dtype.
      transpose_a, transpose_b: transpose the last two axes of the input first.
      adjoint_a, adjoint_b: conjugate-transpose the input first.

    >>> matmul([[1.0, 2.0]], [[3.0], [4.0]]).numpy()
    array([[11.]], dtype=float32)
    """
    if type(a) is Tensor and type(b) is Tensor and a._value.dtype == b._value.dtype and not (
            transpose_a or transpose_b or adjoint_a or adjoint_b):
        return bind(matmul_p, a, b)  # the common case: one check, one bind
    from fluxion.core.primitives.elementwise import binary_operands

    a, b = binary_operands("matmul", a, b)
    if transpose_a or adjoint_a:
        a = matrix_transpose(conj(a) if adjoint_a else a)
    if transpose_b or adjoint_b:
        b = matrix_transpose(conj(b) if adjoint_b else b)
    return bind(matmul_p, a, b)


def adjoint(a: Tensor) -> Tensor:
    """The conjugate transpose of the last two axes."""
    return matrix_transpose(conj(a))


def _expand_last_two(x: Tensor) -> Tensor:
    """``x[..., None, None]``: scalars per matrix, ready to scale matrices."""
    from fluxion.core.primitives.indexing import encode_key, getitem_p

    return bind(getitem_p, x, key=encode_key((Ellipsis, None, None)))


# --- shared shape checks --------------------------------------------------------------------
def _check_matrix(a: Aval, what: str = "input") -> None:
    if len(a.shape) < 2:
        raise ValueError(f"{what} must be a matrix (rank >= 2), got shape {list(a.shape)}")


def _check_square(a: Aval) -> None:
    _check_matrix(a)
    m, n = a.shape[-2:]
    if m is not None and n is not None and m != n:
        raise ValueError(f"input must be a square matrix (or a batch of them), got shape "
                         f"{list(a.shape)}")
    if not (a.dtype.is_floating or a.dtype.is_complex):
        raise TypeError(f"expected a floating-point or complex matrix, got dtype "
                        f"{a.dtype.name}")


def _square_rule(a: Aval, **_) -> Aval:
    _check_square(a)
    return a


def _solve_rule(a: Aval, b: Aval, **_) -> Aval:
    _check_square(a)
    _check_matrix(b, "rhs")
    if a.dtype is not b.dtype:
        raise TypeError(f"matrix and rhs must have one dtype, got {a.dtype.name} and "
                        f"{b.dtype.name}")
    m, k = a.shape[-1], b.shape[-2]
    if m is not None and k is not None and m != k:
        raise ValueError(f"rhs must have as many rows as the matrix: matrix "
                         f"{list(a.shape)}, rhs {list(b.shape)}")
    batch = broadcast_shapes(a.shape[:-2], b.shape[:-2])
    return Aval(batch + tuple(b.shape[-2:]), b.dtype)


def _batch_scalar_rule(a: Aval) -> Aval:
    _check_square(a)
    return Aval(tuple(a.shape[:-2]), a.dtype)


# --- inverse, determinants ------------------------------------------------------------------
def _inv_vjp(g, xs, out):
    # d(A^-1) = -A^-1 dA A^-1  =>  grad A = -A^-H g A^-H
    return (-matmul(out, matmul(g, out, adjoint_b=True), adjoint_a=True),)


def _det_vjp(g, xs, out):
    # d det(A) = det(A) tr(A^-1 dA)  =>  grad A = g det(A) A^-T
    return (_expand_last_two(g * out) * adjoint(inv(xs[0])),)


def _slogdet_kernel(a):
    sign, logdet = np.linalg.slogdet(a)
    return sign.astype(a.dtype), logdet.astype(np.abs(a).dtype)


def _slogdet_rule(a: Aval):
    _check_square(a)
    return Aval(tuple(a.shape[:-2]), a.dtype), Aval(tuple(a.shape[:-2]), a.dtype.real_dtype)


def _slogdet_vjp(gs, xs, outs):
    return (_expand_last_two(gs[1]) * adjoint(inv(xs[0])),)


matrix_inverse_p = define("matrix_inverse", np.linalg.inv, _square_rule, _inv_vjp)
matrix_determinant_p = define("matrix_determinant", np.linalg.det, _batch_scalar_rule,
                              _det_vjp)
log_matrix_determinant_p = define("log_matrix_determinant", _slogdet_kernel, _slogdet_rule,
                                  _slogdet_vjp, multiple_results=True)


def inv(a: Tensor) -> Tensor:
    return bind(matrix_inverse_p, a)


def det(a: Tensor) -> Tensor:
    return bind(matrix_determinant_p, a)


def slogdet(a: Tensor) -> tuple[Tensor, Tensor]:
    return bind(log_matrix_determinant_p, a)


# --- diagonals and band parts -------------------------------------------------------------------
# A band of diagonals k = lower..upper (k > 0 above the main one) is stored as TF stores it:
# an array [..., num_diags, max_len] whose row 0 is diagonal ``upper``; a single diagonal
# (lower == upper) drops the num_diags axis.  Diagonals shorter than max_len are padded on
# the side ``align`` says: its first half for k >= 0, its second for k < 0.
ALIGNMENTS = ("LEFT_LEFT", "LEFT_RIGHT", "RIGHT_LEFT", "RIGHT_RIGHT")


def check_diagonals(rows, cols, lower: int, upper: int, align: str,
                    in_bounds: bool = True) -> None:
    """Raises ValueError unless k = lower..upper is a valid band with a valid ``align``;
    ``in_bounds``: each diagonal must also lie in a rows x cols matrix (as TF's diag_part
    and set_diag demand; the primitives treat diagonals outside the matrix as empty)."""
    if align not in ALIGNMENTS:
        raise ValueError(f"align must be one of {', '.join(ALIGNMENTS)}, got {align!r}")
    if lower > upper:
        raise ValueError(f"the lower diagonal index must not exceed the upper one, got "
                         f"k=({lower}, {upper})")
    if not in_bounds:
        return
    if rows is not None and lower != 0 and lower <= -rows:
        raise ValueError(f"diagonal index {lower} is out of bounds for {rows} rows: it must be "
                         f"greater than {-rows}")
    if cols is not None and upper != 0 and upper >= cols:
        raise ValueError(f"diagonal index {upper} is out of bounds for {cols} columns: it must "
                         f"be less than {cols}")


def diagonal_length(rows, cols, lower: int, upper: int):
    """The longest of diagonals lower..upper (None when a dimension is unknown)."""
    if rows is None or cols is None:
        return None
    ks = np.arange(lower, upper + 1)
    return int(np.max(np.minimum(rows + np.minimum(ks, 0), cols - np.maximum(ks, 0)), initial=0))


@functools.lru_cache(maxsize=256)
def _diagonal_layout(rows: int, cols: int, lower: int, upper: int, align: str):
    """(row indices, column indices, mask): the matrix cell of each used slot of the
    [num_diags, max_len] diagonal array, and which slots are used (the rest is padding)."""
    check_diagonals(rows, cols, lower, upper, align, in_bounds=False)
    ks = np.arange(upper, lower - 1, -1)[:, None]
    lengths = np.maximum(np.minimum(rows + np.minimum(ks, 0), cols - np.maximum(ks, 0)), 0)
    max_len = int(lengths.max(initial=0))
    left = np.where(ks >= 0, align.startswith("LEFT"), align.endswith("LEFT"))
    position = np.arange(max_len)[None, :] - np.where(left, 0, max_len - lengths)
    mask = (position >= 0) & (position < lengths)
    row_index = (position + np.maximum(-ks, 0))[mask]
    col_index = (position + np.maximum(ks, 0))[mask]
    return row_index, col_index, mask


def _diag_part_kernel(x, lower=0, upper=0, align="RIGHT_LEFT", padding=0):
    if lower == upper == 0:
        return np.diagonal(x, axis1=-2, axis2=-1).copy()
    rows, cols, mask = _diagonal_layout(x.shape[-2], x.shape[-1], lower, upper, align)
    out = np.full(x.shape[:-2] + mask.shape, padding, dtype=x.dtype)
    out[..., mask] = x[..., rows, cols]
    return out[..., 0, :] if lower == upper else out


def _diag_part_rule(x: Aval, lower=0, upper=0, align="RIGHT_LEFT", padding=0) -> Aval:
    _check_matrix(x)
    m, n = x.shape[-2:]
    check_diagonals(m, n, lower, upper, align, in_bounds=False)
    band = () if lower == upper else (upper - lower + 1,)
    return Aval(tuple(x.shape[:-2]) + band + (diagonal_length(m, n, lower, upper),), x.dtype)


def _set_diag_kernel(x, d, lower=0, upper=0, align="RIGHT_LEFT"):
    rank = 1 if lower == upper else 2
    batch = np.broadcast_shapes(x.shape[:-2], d.shape[:-rank])
    out = np.array(np.broadcast_to(x, batch + x.shape[-2:]))
    if lower == upper == 0:
        n = min(x.shape[-2:])
        if d.shape[-1] != n:
            raise ValueError(f"diagonal of length {d.shape[-1]}, expected {n}")
        out[..., np.arange(n), np.arange(n)] = d
        return out
    rows, cols, mask = _diagonal_layout(x.shape[-2], x.shape[-1], lower, upper, align)
    if d.shape[-rank:] != mask.shape[2 - rank:]:
        raise ValueError(f"diagonals of shape {d.shape[-rank:]}, expected "
                         f"{mask.shape[2 - rank:]}")
    out[..., rows, cols] = (d[..., None, :] if rank == 1 else d)[..., mask]
    return out


def _set_diag_rule(x: Aval, d: Aval, lower=0, upper=0, align="RIGHT_LEFT") -> Aval:
    _check_matrix(x)
    if x.dtype is not d.dtype:
        raise TypeError(f"matrix and diagonal must have one dtype, got {x.dtype.name} and "
                        f"{d.dtype.name}")
    m, n = x.shape[-2:]
    check_diagonals(m, n, lower, upper, align, in_bounds=False)
    expected = (() if lower == upper else (upper - lower + 1,)) + (
        diagonal_length(m, n, lower, upper),)
    given = tuple(d.shape[-len(expected):]) if len(d.shape) >= len(expected) else None
    if given is None or any(g is not None and e is not None and g != e
                            for g, e in zip(given, expected)):
        raise ValueError(f"diagonals k=({lower}, {upper}) of matrices {list(x.shape)} need "
                         f"shape [..., {', '.join(str(e) for e in expected)}], got "
                         f"{list(d.shape)}")
    batch = broadcast_shapes(tuple(x.shape[:-2]), tuple(d.shape[:-len(expected)]))
    return Aval(batch + (m, n), x.dtype)


def _diag_part_vjp(g, xs, out, lower=0, upper=0, align="RIGHT_LEFT", padding=0):
    from fluxion.core.primitives.elementwise import zeros_like

    return (set_diag(zeros_like(xs[0]), g, lower, upper, align),)


def _set_diag_vjp(g, xs, out, lower=0, upper=0, align="RIGHT_LEFT"):
    from fluxion.core.primitives.elementwise import zeros_like

    return (set_diag(g, zeros_like(xs[1]), lower, upper, align),
            diag_part(g, lower, upper, align))


matrix_diag_part_p = define("matrix_diag_part", _diag_part_kernel, _diag_part_rule,
                            _diag_part_vjp)
matrix_set_diag_p = define("matrix_set_diag", _set_diag_kernel, _set_diag_rule, _set_diag_vjp)


def diag_part(x: Tensor, lower: int = 0, upper: int = 0, align: str = "RIGHT_LEFT",
              padding=0) -> Tensor:
    """Diagonals ``lower..upper`` of the last two axes (the main one by default)."""
    if lower == upper == 0:
        return bind(matrix_diag_part_p, x)
    return bind(matrix_diag_part_p, x, lower=lower, upper=upper, align=align, padding=padding)


def set_diag(x: Tensor, d: Tensor, lower: int = 0, upper: int = 0,
             align: str = "RIGHT_LEFT") -> Tensor:
    """``x`` (batch-broadcast against ``d``) with diagonals ``lower..upper`` replaced by ``d``."""
    if lower == upper == 0:
        return bind(matrix_set_diag_p, x, d)
    return bind(matrix_set_diag_p, x, d, lower=lower, upper=upper, align=align)


def diag_embed(d: Tensor, like: Tensor) -> Tensor:
    """Matrices shaped like ``like``'s, zero except for the main diagonal ``d``."""
    from fluxion.core.primitives.elementwise import zeros_like

    return set_diag(zeros_like(like), d)


def _band_part_kernel(x, num_lower, num_upper):
    rows = np.arange(x.shape[-2])[:, None]
    cols = np.arange(x.shape[-1])[None, :]
    keep = np.ones((x.shape[-2], x.shape[-1]), dtype=bool)
    if num_lower >= 0:
        keep &= rows - cols <= num_lower
    if num_upper >= 0:
        keep &= cols - rows <= num_upper
    return np.where(keep, x, np.zeros((), dtype=x.dtype))


def _band_part_rule(x: Aval, num_lower: int, num_upper: int) -> Aval:
    _check_matrix(x)
    return x


matrix_band_part_p = define(
    "matrix_band_part", _band_part_kernel, _band_part_rule,
    lambda g, xs, out, num_lower, num_upper: (band_part(g, num_lower, num_upper),))


def band_part(x: Tensor, num_lower: int, num_upper: int) -> Tensor:
    """Zeroes everything outside a band; a negative count keeps that whole triangle."""
    return bind(matrix_band_part_p, x, num_lower=int(num_lower), num_upper=int(num_upper))


# --- Cholesky and solves -------------------------------------------------------------------------
def _cholesky_vjp(g, xs, out):
    # Murray (2016), as TF: grad A = sym(L^-H Phi(L^H g) L^-1), Phi = lower half, half diag.
    chol = out
    middle = matmul(chol, g, adjoint_a=True)
    middle = band_part(middle, -1, 0) - diag_embed(diag_part(middle), middle) * 0.5
    # L^-H middle L^-1 via two triangular solves (no explicit inverse).
    right = adjoint(triangular_solve(chol, adjoint(middle), lower=True, adjoint=True))
    grad = triangular_solve(chol, right, lower=True, adjoint=True)
    return ((grad + adjoint(grad)) * 0.5,)


def _solve_kernel(a, b, adjoint):
    if adjoint:
        a = np.conj(np.swapaxes(a, -1, -2))
    return np.linalg.solve(a, b)


def _solve_vjp(g, xs, out, adjoint):
    a = xs[0]
    grad_b = solve(a, g, adjoint=not adjoint)
    if adjoint:
        return -matmul(out, grad_b, adjoint_b=True), grad_b
    return -matmul(grad_b, out, adjoint_b=True), grad_b


def _triangular_kernel(a, b, lower, adjoint):
    a = np.tril(a) if lower else np.triu(a)
    return _solve_kernel(a, b, adjoint)


def _triangular_vjp(g, xs, out, lower, adjoint):
    a = xs[0]
    grad_b = triangular_solve(a, g, lower=lower, adjoint=not adjoint)
    if adjoint:
        grad_a = -matmul(out, grad_b, adjoint_b=True)
    else:
        grad_a = -matmul(grad_b, out, adjoint_b=True)
    grad_a = band_part(grad_a, -1, 0) if lower else band_part(grad_a, 0, -1)
    return grad_a, grad_b


cholesky_p = define("cholesky", np.linalg.cholesky, _square_rule, _cholesky_vjp)
matrix_solve_p = define("matrix_solve", _solve_kernel, _solve_rule, _solve_vjp)
matrix_triangular_solve_p = define("matrix_triangular_solve", _triangular_kernel,
                                   _solve_rule, _triangular_vjp)


def cholesky(a: Tensor) -> Tensor:
    return bind(cholesky_p, a)


def solve(a: Tensor, b: Tensor, adjoint: bool = False) -> Tensor:
    return bind(matrix_solve_p, a, b, adjoint=bool(adjoint))


def triangular_solve(a: Tensor, b: Tensor, lower: bool = True,
                     adjoint: bool = False) -> Tensor:
    return bind(matrix_triangular_solve_p, a, b, lower=bool(lower), adjoint=bool(adjoint))


# --- einsum ---------------------------------------------------------------------------------------
def _einsum_kernel(*operands, subscripts):
    big = any(o.size > 4096 for o in operands)
    if big and len(operands) == 2:  # one batched matmul, unless labels broadcast
        # the backend's matmul kernel (oneDNN's runs on the pool its convolutions use)
        product = as_matmul(subscripts, *operands, matmul=matmul_p.impl)
        if product is not None:
            return product
    # Small operands: NumPy's own loop, which plans nothing (microseconds matter eagerly);
    # its path optimiser (and BLAS calls) pays off beyond them.
    return np.einsum(subscripts, *operands, optimize=big or len(operands) > 2)


def _split_subscripts(subscripts: str) -> tuple[list, str]:
    inputs, output = subscripts.split("->")
    return inputs.split(","), output


def _einsum_rule(*operands: Aval, subscripts: str) -> Aval:
    inputs, output = _split_subscripts(subscripts)
    if len(inputs) != len(operands):
        raise ValueError(f"subscripts {subscripts!r} name {len(inputs)} operands, got "
                         f"{len(operands)}")
    dtype = operands[0].dtype
    sizes: dict = {}
    for labels, operand in zip(inputs, operands):
        if operand.dtype is not dtype:
            raise TypeError("all operands must have one dtype, got "
                            + ", ".join(o.dtype.name for o in operands))
        if len(labels) != len(operand.shape):
            raise ValueError(f"operand subscripts {labels!r} name {len(labels)} axes but the "
                             f"operand has shape {list(operand.shape)}")
        for label, dim in zip(labels, operand.shape):
            sizes[label] = _merge_label_size(label, sizes.get(label, 1), dim, subscripts)
    for label in output:
        if label not in sizes:
            raise ValueError(f"output label {label!r} appears in no operand of {subscripts!r}")
    return Aval(tuple(sizes[label] for label in output), dtype)


def _merge_label_size(label: str, known, dim, subscripts: str):
    """Sizes of one label across operands: equal, or 1 (broadcast), or unknown (None)."""
    if dim == 1 or dim == known:
        return known
    if dim is None:
        return None if known == 1 else known
    if known in (1, None):
        return dim
    raise ValueError(f"label {label!r} of {subscripts!r} has sizes {known} and {dim}")


def _einsum_vjp(g, xs, out, subscripts):
    inputs, output = _split_subscripts(subscripts)
    grads = []
    for i, (labels, x) in enumerate(zip(inputs, xs)):
        if not x.dtype.is_differentiable:
            grads.append(None)
            continue
        others = [s for j, s in enumerate(inputs) if j != i]
        available = set(output).union(*others)
        kept = "".join(label for label in labels if label in available)
        spec = ",".join([output] + others) + "->" + kept
        grad = bind(einsum_p, g, *[t for j, t in enumerate(xs) if j != i], subscripts=spec)
        if len(kept) < len(labels):  # labels summed in x alone: constant along them
            from fluxion.core.primitives.broadcast import broadcast_like
            from fluxion.core.primitives.indexing import encode_key, getitem_p

            key = tuple(slice(None) if label in available else None for label in labels)
            grad = broadcast_like(bind(getitem_p, grad, key=encode_key(key)), x)
        grads.append(grad)
    return tuple(grads)


einsum_p = define("einsum", _einsum_kernel, _einsum_rule, _einsum_vjp)


def einsum(subscripts: str, *operands: Tensor) -> Tensor:
    """Binds ``einsum_p`` after making ``subscripts`` explicit: ``...`` becomes letters,
    the implicit output is spelled out, and repeated labels within one operand are
    replaced by taking that diagonal first."""
    from fluxion.core.primitives.shape import transpose_p

    inputs, output = normalize_subscripts(subscripts, [len(shape_tuple(o)) for o in operands])
    operands = list(operands)
    for i, labels in enumerate(inputs):
        while len(set(labels)) < len(labels):
            label = next(c for c in labels if labels.count(c) > 1)
            first = labels.index(label)
            second = labels.index(label, first + 1)
            perm = [k for k in range(len(labels)) if k not in (first, second)]
            operands[i] = diag_part(bind(transpose_p, operands[i],
                                         perm=tuple(perm + [first, second])))
            labels = "".join(labels[k] for k in perm) + label
        inputs[i] = labels
    return bind(einsum_p, *operands, subscripts=",".join(inputs) + "->" + output)


def normalize_subscripts(subscripts: str, ranks: list) -> tuple[list, str]:
    """Explicit per-operand labels and output labels, with ``...`` spelled out."""
    import string

    text = subscripts.replace(" ", "")
    explicit = "->" in text
    inputs_text, output = text.split("->", 1) if explicit else (text, None)
    inputs = inputs_text.split(",")
    if len(inputs) != len(ranks):
        raise ValueError(f"einsum: subscripts {subscripts!r} name {len(inputs)} operands, "
                         f"but {len(ranks)} were given")
    for part in inputs + ([output] if explicit else []):
        bad = set(part.replace("...", "")) - set(string.ascii_letters)
        if bad or part.count("...") > 1:
            raise ValueError(f"einsum: invalid subscripts {subscripts!r}: labels must be "
                             f"letters, with at most one '...' per operand")
    free = [c for c in string.ascii_letters if c not in text]
    widths = []
    for labels, rank in zip(inputs, ranks):
        named = len(labels.replace("...", ""))
        if ("..." in labels and rank < named) or ("..." not in labels and rank != named):
            raise ValueError(f"einsum: operand subscripts {labels!r} do not fit an operand "
                             f"of rank {rank}")
        widths.append(rank - named if "..." in labels else 0)
    ellipsis = "".join(free[:max(widths, default=0)])
    inputs = [labels.replace("...", ellipsis[len(ellipsis) - w:] if w else "")
              for labels, w in zip(inputs, widths)]
    if explicit:
        output = output.replace("...", ellipsis)
    else:
        counts = "".join(inputs)
        output = ellipsis + "".join(sorted(c for c in set(counts)
                                           if counts.count(c) == 1 and c not in ellipsis))
    if len(set(output)) < len(output):
        raise ValueError(f"einsum: output subscripts {output!r} repeat a label")
    return inputs, output
