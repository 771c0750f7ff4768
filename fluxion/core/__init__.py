"""The engine core: dtypes, Tensor, Variable, primitives and bind, the tape, errors.

Importing this package loads every primitive family (the registry is then complete:
every primitive is defined under ``fluxion.core.primitives``) and installs the Tensor
operators.
"""

import warnings

from fluxion import backend
from fluxion.core import (
    blas_threads,
    dtypes,
    errors,
    primitive,
    tensor_operators,  # noqa: F401,E402  (installs operators)
)
from fluxion.core.primitives import (  # noqa: F401  (registers the primitives)
    activation,
    algebra_rules,
    bitwise,
    broadcast,
    byte_codecs,
    categorical,
    complex_parts,
    conv,
    conv_fused,
    conv_fusion,
    conv_rewrites,
    creation,
    csv_decode,
    ctc,
    decode_raw,
    decompositions,
    dynamic_indexing,
    dynamic_shape,
    elementwise,
    fft,
    files,
    framing,
    fused_elementwise,
    gather_scatter,
    host_call,
    image_boxes,
    image_codec,
    image_glimpse,
    image_place,
    image_resize,
    indexing,
    known_shape_values,
    layout,
    linalg,
    lstm,
    matrix_decompositions,
    nms,
    optimizer_updates,
    pool,
    pool_rewrites,
    python_call,
    random,
    random_candidates,
    random_keep,
    recurrent,
    reduce,
    runtime_check,
    segment,
    shape,
    sort,
    special_math,
    state,
    string_format,
    strings,
    text_lookup,
    tf_op_types,
    unique,
)

# Activating a backend points every primitive at its kernels (the backend cannot import
# core, which sits above it).
backend.on_activate(primitive.rebind_kernels)
# A backend loading a native library (oneDNN's, with its OpenMP pool): idle OpenMP
# threads sleep instead of spinning, and the new pool gets Fluxion's thread settings.
backend.on_native_library(blas_threads.prepare_openmp_runtime, blas_threads.rescan_libraries)

# Like TensorFlow, kernels produce inf/NaN silently rather than printing NumPy's
# floating-point warnings.  The filter matches only warnings raised from Fluxion's own
# kernel call sites, and costs nothing when no warning is raised.
warnings.filterwarnings(
    "ignore", message=r"(overflow|divide by zero|invalid value|underflow) encountered",
    category=RuntimeWarning, module=r"fluxion\.")
