"""TF 1 names for TF 2 ops whose arguments TF 2 renamed or reordered.

``tf.compat.v1.multinomial`` is ``tf.random.categorical``, ``random_poisson(lam, shape)``
is ``tf.random.poisson(shape, lam)``, ``string_to_number(string_tensor=...)`` is
``tf.strings.to_number(input=...)``...  Each function here takes TF 1's arguments
(old names accepted where TF 1 accepts them) and calls Fluxion's TF 2 op.
"""

from __future__ import annotations

import numpy as np

from fluxion.compat import root_namespace
from fluxion.compat.v1_ops import deprecated_alias
from fluxion.core import dtypes
from fluxion.core.tensor import convert_to_tensor


def _tf():
    return root_namespace.root()


def batch_to_space_nd(input, block_shape, crops, name=None):  # noqa: A002 - TF's name
    """``tf.batch_to_space`` (TF 1's ``batch_to_space_nd``)."""
    return _tf().batch_to_space(input, block_shape, crops)


def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=dtypes.int32):
    """Counts of each value of the int32 ``arr`` (``tf.math.bincount`` without ``axis``)."""
    return _tf().math.bincount(arr, weights=weights, minlength=minlength,
                               maxlength=maxlength, dtype=dtype)


def confusion_matrix(labels, predictions, num_classes=None, dtype=dtypes.int32, name=None,
                     weights=None):
    """``tf.math.confusion_matrix`` with TF 1's argument order."""
    return _tf().math.confusion_matrix(labels, predictions, num_classes=num_classes,
                                       weights=weights, dtype=dtype)


def decode_raw(input_bytes=None, out_type=None, little_endian=True, name=None, bytes=None):  # noqa: A002
    """``tf.io.decode_raw``; TF 1 calls the input ``bytes``."""
    data = deprecated_alias("input_bytes", input_bytes, "bytes", bytes)
    return _tf().io.decode_raw(data, out_type, little_endian=little_endian)


def depth_to_space(input, block_size, name=None, data_format="NHWC"):  # noqa: A002
    """``tf.nn.depth_to_space`` with TF 1's argument order."""
    return _tf().nn.depth_to_space(input, block_size, data_format=data_format)


def space_to_depth(input, block_size, name=None, data_format="NHWC"):  # noqa: A002
    """``tf.nn.space_to_depth`` with TF 1's argument order."""
    return _tf().nn.space_to_depth(input, block_size, data_format=data_format)


def extract_image_patches(images, ksizes=None, strides=None, rates=None, padding=None,
                          name=None, sizes=None):
    """``tf.image.extract_patches``; TF 1 calls ``sizes`` ``ksizes``."""
    sizes = deprecated_alias("sizes", sizes, "ksizes", ksizes)
    return _tf().image.extract_patches(images, sizes, strides, rates, padding)


def floor_div(x, y, name=None):
    """Elementwise ``x // y`` (TF 1's ``floor_div``, the ``FloorDiv`` op)."""
    return _tf().math.floordiv(x, y)


def multinomial(logits, num_samples, seed=None, name=None, output_dtype=None):
    """``tf.random.categorical`` (TF 1's ``multinomial``): ``num_samples`` class
    indices per row of ``logits``."""
    return _tf().random.categorical(logits, num_samples, dtype=output_dtype, seed=seed)


def random_poisson(lam, shape, dtype=dtypes.float32, seed=None, name=None):
    """``tf.random.poisson`` with TF 1's order: the rates ``lam`` first."""
    return _tf().random.poisson(shape, lam, dtype=dtype, seed=seed)


def reduce_join(inputs, axis=None, keep_dims=None, separator="", name=None,
                reduction_indices=None, keepdims=None):
    """``tf.strings.reduce_join`` with TF 1's ``keep_dims``/``reduction_indices``."""
    axis = deprecated_alias("axis", axis, "reduction_indices", reduction_indices)
    keepdims = deprecated_alias("keepdims", keepdims, "keep_dims", keep_dims)
    return _tf().strings.reduce_join(inputs, axis=axis, keepdims=bool(keepdims),
                                     separator=separator)


def string_split(source, sep=None, skip_empty=True, delimiter=None,
                 result_type="SparseTensor", name=None):
    """Splits each string of the vector ``source`` on any character of ``sep``
    (default: whitespace); a ``SparseTensor`` (or ``RaggedTensor``) of the pieces.

    TF 1's ``string_split``: ``sep`` is a set of one-character delimiters, not a
    separator string, and empty pieces are dropped when ``skip_empty``.
    """
    sep = deprecated_alias("sep", sep, "delimiter", delimiter)
    strings = np.asarray(convert_to_tensor(source).numpy()).reshape(-1)
    rows = []
    for item in strings:
        text = item.decode("utf-8") if isinstance(item, bytes) else str(item)
        pieces = _split_on_chars(text, sep)
        rows.append([p for p in pieces if p or not skip_empty])
    if result_type == "RaggedTensor":
        return _tf().ragged.constant([[p.encode() for p in row] for row in rows],
                                     dtype=dtypes.string)
    indices = [[r, c] for r, row in enumerate(rows) for c in range(len(row))]
    values = [p.encode() for row in rows for p in row]
    width = max((len(row) for row in rows), default=0)
    return _tf().sparse.SparseTensor(
        np.asarray(indices, np.int64).reshape(-1, 2),
        np.asarray(values, dtype=object), [len(rows), width])


def _split_on_chars(text: str, sep) -> list:
    if sep is None or sep == "":
        return text.split(" ") if sep == "" else [p for p in text.split()]
    pieces, current = [], []
    for char in text:
        if char in sep:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
    pieces.append("".join(current))
    return pieces


def string_to_number(string_tensor=None, out_type=dtypes.float32, name=None, input=None):  # noqa: A002
    """``tf.strings.to_number``; TF 1 calls the input ``string_tensor``."""
    data = deprecated_alias("string_tensor", string_tensor, "input", input)
    return _tf().strings.to_number(data, out_type=out_type)


def string_to_hash_bucket(string_tensor=None, num_buckets=None, name=None, input=None):  # noqa: A002
    """``tf.strings.to_hash_bucket``; TF 1 calls the input ``string_tensor``."""
    data = deprecated_alias("string_tensor", string_tensor, "input", input)
    return _tf().strings.to_hash_bucket(data, num_buckets)


def substr(input, pos, len, name=None, unit="BYTE"):  # noqa: A002 - TF's names
    """``tf.strings.substr`` with TF 1's argument order."""
    return _tf().strings.substr(input, pos, len, unit=unit)


def to_bfloat16(x, name="ToBFloat16"):
    """``x`` cast to bfloat16."""
    return _tf().cast(x, dtypes.bfloat16)


def setdiff1d(x, y, index_dtype=dtypes.int32, name=None):
    """The values of the vector ``x`` not in ``y``, in order, and their indices in ``x``.

    >>> import fluxion.compat.v1 as tf1
    >>> out, idx = tf1.setdiff1d([1, 2, 3, 4], [2, 4])
    >>> out.numpy(), idx.numpy()
    (array([1, 3], dtype=int32), array([0, 2], dtype=int32))
    """
    x = convert_to_tensor(x)
    values = np.asarray(x.numpy())
    excluded = np.asarray(convert_to_tensor(y, dtype=x.dtype).numpy())
    keep = np.flatnonzero(~np.isin(values, excluded))
    return (convert_to_tensor(values[keep], dtype=x.dtype),
            convert_to_tensor(keep.astype(dtypes.as_dtype(index_dtype).np_dtype)))


def parse_example(serialized, features, name=None, example_names=None):
    """``tf.io.parse_example`` with TF 1's argument order."""
    return _tf().io.parse_example(serialized, features, example_names=example_names)


def parse_single_example(serialized, features, name=None, example_names=None):
    """``tf.io.parse_single_example`` with TF 1's argument order."""
    return _tf().io.parse_single_example(serialized, features, example_names=example_names)


def py_func(func, inp, Tout, stateful=True, name=None):  # noqa: N803 - TF's name
    """``tf.numpy_function`` (TF 1's ``py_func``): ``func`` runs on NumPy arrays."""
    return _tf().numpy_function(func, inp, Tout, stateful=stateful)


def batch_gather(params, indices, name=None):
    """``tf.gather(params, indices, batch_dims=rank(indices) - 1)``."""
    indices = convert_to_tensor(indices)
    return _tf().gather(params, indices, batch_dims=indices.shape.rank - 1)


def clip_by_average_norm(t, clip_norm, name=None):
    """``t * clip_norm / max(clip_norm, l2norm(t) / size(t))``: clips the L2 norm
    averaged over the elements of ``t``."""
    tf = _tf()
    t = convert_to_tensor(t)
    size = tf.cast(tf.size(t), t.dtype)
    average = tf.sqrt(tf.reduce_sum(t * t)) / size
    clip_norm = tf.cast(clip_norm, t.dtype)
    return t * clip_norm / tf.maximum(clip_norm, average)


def Print(input_, data, message=None, first_n=None, summarize=None, name=None):  # noqa: N802
    """``input_``, printing ``message`` and ``data`` to stderr each time it is computed
    (the first ``first_n`` times when given)."""
    tf = _tf()
    counter = {"seen": 0}
    summarize = 3 if summarize is None else summarize

    def show(*arrays):
        counter["seen"] += 1
        if first_n is None or first_n < 0 or counter["seen"] <= first_n:
            import sys

            shown = " ".join(np.array2string(np.asarray(a).reshape(-1)[:summarize],
                                             separator=" ") for a in arrays)
            print(f"{message or ''}{shown}", file=sys.stderr)
        return np.asarray(True)

    data = [convert_to_tensor(d) for d in data]
    printed = tf.numpy_function(show, data, dtypes.bool_) if data else None
    if printed is None:
        return tf.identity(input_)
    with tf.control_dependencies([printed]):
        return tf.identity(input_)


def convert_to_tensor_or_indexed_slices(value, dtype=None, name=None):
    """``value`` if it is ``IndexedSlices``, else ``convert_to_tensor(value, dtype)``."""
    if isinstance(value, _tf().IndexedSlices):
        return value
    return convert_to_tensor(value, dtype=dtype)


def convert_to_tensor_or_sparse_tensor(value, dtype=None, name=None):
    """``value`` if it is a ``SparseTensor``, else ``convert_to_tensor(value, dtype)``."""
    if isinstance(value, _tf().sparse.SparseTensor):
        return value
    return convert_to_tensor(value, dtype=dtype)


class Dimension:
    """One dimension of a TF 1 ``TensorShape`` (``tf.compat.v1.Dimension``): an int or
    None (unknown), with TF 1's arithmetic (unknown stays unknown)."""

    def __init__(self, value):
        if isinstance(value, Dimension):
            value = value.value
        self.value = None if value is None else int(value)

    def __int__(self) -> int:
        if self.value is None:
            raise TypeError("Cannot convert an unknown Dimension to an int")
        return self.value

    __index__ = __int__

    def __eq__(self, other):
        other = Dimension(other).value if other is None or isinstance(
            other, (int, Dimension, np.integer)) else other
        if self.value is None or other is None:
            return None
        return self.value == other

    def __hash__(self) -> int:
        return hash(self.value)

    def _combine(self, other, op):
        other = Dimension(other)
        if self.value is None or other.value is None:
            return Dimension(None)
        return Dimension(op(self.value, other.value))

    def __add__(self, other):
        return self._combine(other, lambda a, b: a + b)

    def __sub__(self, other):
        return self._combine(other, lambda a, b: a - b)

    def __mul__(self, other):
        return self._combine(other, lambda a, b: a * b)

    def __floordiv__(self, other):
        return self._combine(other, lambda a, b: a // b)

    __radd__, __rmul__ = __add__, __mul__

    def is_compatible_with(self, other) -> bool:
        other = Dimension(other)
        return self.value is None or other.value is None or self.value == other.value

    def merge_with(self, other):
        other = Dimension(other)
        if not self.is_compatible_with(other):
            raise ValueError(f"Dimensions {self} and {other} are not compatible")
        return Dimension(self.value if self.value is not None else other.value)

    def __repr__(self) -> str:
        return f"Dimension({self.value})"

    def __str__(self) -> str:
        return "?" if self.value is None else str(self.value)


def dimension_value(dimension):
    """The int (or None) of a dimension given as ``Dimension``, int or None."""
    return dimension.value if isinstance(dimension, Dimension) else dimension


def dimension_at_index(shape, index) -> Dimension:
    """``Dimension`` ``index`` of ``shape`` (unknown if the rank is unknown)."""
    shape = _tf().TensorShape(shape)
    if shape.rank is None:
        return Dimension(None)
    return Dimension(shape.as_list()[index])


class SparseTensorValue(tuple):
    """TF 1's value of a ``SparseTensor`` (a named triple ``indices, values,
    dense_shape`` of NumPy arrays), what ``Session.run`` gives and ``feed_dict`` takes."""

    __slots__ = ()

    def __new__(cls, indices, values, dense_shape):
        return super().__new__(cls, (indices, values, dense_shape))

    indices = property(lambda self: self[0])
    values = property(lambda self: self[1])
    dense_shape = property(lambda self: self[2])

    def __repr__(self) -> str:
        return (f"SparseTensorValue(indices={self.indices!r}, values={self.values!r}, "
                f"dense_shape={self.dense_shape!r})")
