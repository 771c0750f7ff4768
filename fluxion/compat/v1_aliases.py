"""TF 1 names that are TF 2 functions under another path (``tf.compat.v1.matrix_inverse``
is ``tf.linalg.inv``).

Each table maps a TF 1 name to the dotted path, under ``fluxion``, of the same function;
the ``compat.v1`` modules resolve them on first use (``compat.v1.train`` keeps its own
table, ``fluxion.graph.v1.train.ALIASES``).  The pairs are those TensorFlow 2.21
itself publishes as one object (``tools/compat/generate_v1_aliases.py`` lists them;
``tests/compat/test_v1_aliases.py`` checks this table against that list).
"""

from __future__ import annotations

from fluxion.compat import root_namespace

V1 = {
    "FixedLenFeature": "io.FixedLenFeature",
    "FixedLenSequenceFeature": "io.FixedLenSequenceFeature",
    "NoGradient": "no_gradient", "NotDifferentiable": "no_gradient",
    "OpError": "errors.OpError", "QUANTIZED_DTYPES": "dtypes.QUANTIZED_DTYPES",
    "SparseFeature": "io.SparseFeature", "VarLenFeature": "io.VarLenFeature",
    "accumulate_n": "math.accumulate_n", "angle": "math.angle", "betainc": "math.betainc",
    "cholesky": "linalg.cholesky", "cholesky_solve": "linalg.cholesky_solve",
    "conj": "math.conj", "cross": "linalg.cross", "decode_base64": "io.decode_base64",
    "decode_compressed": "io.decode_compressed",
    "decode_json_example": "io.decode_json_example",
    "deserialize_many_sparse": "io.deserialize_many_sparse", "diag": "linalg.tensor_diag",
    "diag_part": "linalg.tensor_diag_part", "digamma": "math.digamma",
    "div_no_nan": "math.divide_no_nan", "encode_base64": "io.encode_base64",
    "fft": "signal.fft", "fft2d": "signal.fft2d", "fft3d": "signal.fft3d",
    "ifft": "signal.ifft", "ifft2d": "signal.ifft2d", "ifft3d": "signal.ifft3d",
    "igamma": "math.igamma", "igammac": "math.igammac", "imag": "math.imag",
    "invert_permutation": "math.invert_permutation",
    "is_non_decreasing": "math.is_non_decreasing",
    "is_strictly_increasing": "math.is_strictly_increasing", "lbeta": "math.lbeta",
    "lgamma": "math.lgamma", "lin_space": "linspace", "matching_files": "io.matching_files",
    "matrix_band_part": "linalg.band_part", "matrix_determinant": "linalg.det",
    "matrix_diag": "linalg.diag", "matrix_diag_part": "linalg.diag_part",
    "matrix_inverse": "linalg.inv", "matrix_set_diag": "linalg.set_diag",
    "matrix_solve": "linalg.solve", "matrix_solve_ls": "linalg.lstsq",
    "matrix_transpose": "linalg.matrix_transpose",
    "matrix_triangular_solve": "linalg.triangular_solve",
    "parse_single_sequence_example": "io.parse_single_sequence_example",
    "parse_tensor": "io.parse_tensor", "polygamma": "math.polygamma", "qr": "linalg.qr",
    "random_crop": "image.random_crop", "random_gamma": "random.gamma",
    "random_shuffle": "random.shuffle", "read_file": "io.read_file", "real": "math.real",
    "regex_replace": "strings.regex_replace", "reverse_v2": "reverse", "rint": "math.rint",
    "segment_max": "math.segment_max", "segment_mean": "math.segment_mean",
    "segment_min": "math.segment_min", "segment_prod": "math.segment_prod",
    "segment_sum": "math.segment_sum", "self_adjoint_eig": "linalg.eigh",
    "self_adjoint_eigvals": "linalg.eigvalsh", "serialize_tensor": "io.serialize_tensor",
    "sparse_fill_empty_rows": "sparse.fill_empty_rows", "sparse_mask": "sparse.mask",
    "sparse_maximum": "sparse.maximum", "sparse_minimum": "sparse.minimum",
    "sparse_reorder": "sparse.reorder", "sparse_reset_shape": "sparse.reset_shape",
    "sparse_reshape": "sparse.reshape", "sparse_retain": "sparse.retain",
    "sparse_slice": "sparse.slice", "sparse_softmax": "sparse.softmax",
    "sparse_tensor_dense_matmul": "sparse.sparse_dense_matmul",
    "sparse_tensor_to_dense": "sparse.to_dense", "sparse_to_indicator": "sparse.to_indicator",
    "sparse_transpose": "sparse.transpose", "string_join": "strings.join",
    "string_strip": "strings.strip",
    "string_to_hash_bucket_fast": "strings.to_hash_bucket_fast",
    "string_to_hash_bucket_strong": "strings.to_hash_bucket_strong", "svd": "linalg.svd",
    "tensor_scatter_add": "tensor_scatter_nd_add",
    "tensor_scatter_sub": "tensor_scatter_nd_sub",
    "tensor_scatter_update": "tensor_scatter_nd_update", "trace": "linalg.trace",
    "unsorted_segment_max": "math.unsorted_segment_max",
    "unsorted_segment_mean": "math.unsorted_segment_mean",
    "unsorted_segment_min": "math.unsorted_segment_min",
    "unsorted_segment_prod": "math.unsorted_segment_prod",
    "unsorted_segment_sqrt_n": "math.unsorted_segment_sqrt_n",
    "unsorted_segment_sum": "math.unsorted_segment_sum", "where_v2": "where",
    "write_file": "io.write_file", "zeta": "math.zeta",
}

NN = {
    "avg_pool_v2": "nn.avg_pool", "ctc_beam_search_decoder_v2": "nn.ctc_beam_search_decoder",
    "depthwise_conv2d_native_backprop_filter": "nn.depthwise_conv2d_backprop_filter",
    "depthwise_conv2d_native_backprop_input": "nn.depthwise_conv2d_backprop_input",
    "max_pool_v2": "nn.max_pool",
}


def resolve(table: dict, name: str):
    """The fluxion object ``table[name]`` names; AttributeError if either is missing."""
    if name not in table:
        raise AttributeError(name)
    value = root_namespace.root()
    for part in table[name].split("."):
        value = getattr(value, part)
    return value
