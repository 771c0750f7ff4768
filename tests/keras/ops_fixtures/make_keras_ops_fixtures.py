"""Writes ``keras_ops.json``: results of real Keras 3 ops, for tests/keras/test_ops.py.

CI has no Keras, so the results are stored.  Regenerate with a Python that has Keras 3
(any backend), from the repository root:

    /work/refenv/bin/python tests/keras/ops_fixtures/make_keras_ops_fixtures.py

Each case is ``[op name, [args...], {kwargs}]``; array arguments are written as
``{"array": nested list, "dtype": name}``.  The output records each result's values,
shape and dtype, and Keras's ``result_type`` over pairs of dtypes.
"""

import json
import os
import pathlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

rng = np.random.default_rng(7)
X = rng.normal(size=(3, 4)).round(3).astype("float32")
Y = rng.normal(size=(3, 4)).round(3).astype("float32")
INTS = np.array([[3, -1, 2, 0], [5, 4, -2, 1], [0, 2, 2, 7]], dtype="int32")
IMG = rng.normal(size=(1, 5, 5, 2)).round(3).astype("float32")
KERNEL = rng.normal(size=(3, 3, 2, 3)).round(3).astype("float32")
Q = rng.normal(size=(1, 3, 2, 4)).round(3).astype("float32")
K = rng.normal(size=(1, 4, 2, 4)).round(3).astype("float32")
ONE_HOT = np.eye(4, dtype="float32")[[0, 1, 3]]


def arr(value, dtype=None):
    value = np.asarray(value, dtype=dtype)
    return {"array": value.tolist(), "dtype": str(value.dtype)}


CASES = [
    ["add", [arr(INTS), arr(X)], {}],
    ["add", [arr(INTS, "int8"), 3], {}],
    ["multiply", [arr(INTS, "uint8"), arr(INTS, "int8")], {}],
    ["divide", [arr(INTS), 2], {}],
    ["subtract", [arr(X, "float16"), arr(INTS)], {}],
    ["power", [arr(INTS), 2], {}],
    ["maximum", [arr(X), 0.5], {}],
    ["mean", [arr(INTS)], {"axis": 0}],
    ["sum", [arr(INTS, "int8")], {"axis": 1}],
    ["sum", [arr(INTS > 0)], {}],
    ["var", [arr(X)], {"axis": 1, "keepdims": True}],
    ["std", [arr(X)], {}],
    ["max", [arr(X)], {"axis": 1, "initial": 0.5}],
    ["argmax", [arr(X)], {}],
    ["argsort", [arr(INTS)], {"axis": 0}],
    ["cumsum", [arr(INTS)], {}],
    ["cumprod", [arr(X)], {"axis": 1}],
    ["count_nonzero", [arr(INTS)], {"axis": 1}],
    ["median", [arr(X)], {"axis": 1}],
    ["quantile", [arr(X), [0.25, 0.5]], {"axis": 0}],
    ["exp", [arr(INTS)], {}],
    ["sqrt", [arr(np.abs(X))], {}],
    ["round", [arr(X)], {"decimals": 1}],
    ["clip", [arr(INTS), 0, 3], {}],
    ["where", [arr(X > 0), arr(INTS), arr(X)], {}],
    ["concatenate", [[arr(INTS), arr(X)]], {"axis": 1}],
    ["stack", [[arr(X), arr(Y)]], {"axis": -1}],
    ["take", [arr(X), arr([0, -1])], {"axis": 1}],
    ["take_along_axis", [arr(X), arr(np.argsort(X, axis=1))], {"axis": 1}],
    ["tile", [arr(INTS), [2]], {}],
    ["repeat", [arr(INTS), 2], {"axis": 0}],
    ["pad", [arr(X), [[1, 0], [0, 2]]], {}],
    ["roll", [arr(X), 3], {}],
    ["flip", [arr(X)], {"axis": 0}],
    ["transpose", [arr(np.arange(24.0).reshape(2, 3, 4), "float32")], {"axes": [1, 0, 2]}],
    ["moveaxis", [arr(np.arange(24.0).reshape(2, 3, 4), "float32"), 0, -1], {}],
    ["expand_dims", [arr(X), 1], {}],
    ["squeeze", [arr(np.ones((1, 3, 1)))], {"axis": 0}],
    ["reshape", [arr(X), [2, -1]], {}],
    ["tril", [arr(X)], {"k": -1}],
    ["triu", [arr(X)], {"k": 1}],
    ["eye", [3], {"M": 4, "k": 1}],
    ["tri", [3], {}],
    ["arange", [0, 2, 0.5], {}],
    ["arange", [5], {}],
    ["linspace", [0, 1, 5], {}],
    ["full", [[2, 2], 3], {}],
    ["matmul", [arr(X), arr(Y.T)], {}],
    ["matmul", [arr(INTS, "int8"), arr(INTS.T, "int8")], {}],
    ["dot", [arr(X[0]), arr(Y[0])], {}],
    ["tensordot", [arr(X), arr(Y)], {"axes": [[1], [1]]}],
    ["einsum", ["ij,kj->ik", arr(X), arr(INTS)], {}],
    ["outer", [arr(X[0]), arr(Y[0])], {}],
    ["trace", [arr(INTS, "int8")], {}],
    ["diagonal", [arr(X)], {"offset": 1}],
    ["diag", [arr(X[0])], {"k": -1}],
    ["logsumexp", [arr(X)], {"axis": 1}],
    ["logaddexp", [arr(X), arr(Y)], {}],
    ["relu", [arr(X)], {}],
    ["gelu", [arr(X)], {}],
    ["gelu", [arr(X)], {"approximate": False}],
    ["softmax", [arr(X)], {"axis": 0}],
    ["log_softmax", [arr(X)], {}],
    ["leaky_relu", [arr(X)], {}],
    ["hard_sigmoid", [arr(3 * X)], {}],
    ["elu", [arr(X)], {"alpha": 0.5}],
    ["selu", [arr(X)], {}],
    ["silu", [arr(X)], {}],
    ["softplus", [arr(X)], {}],
    ["sparsemax", [arr(X)], {}],
    ["one_hot", [arr([0, 2, 1]), 3], {}],
    ["multi_hot", [arr([[0, 2], [1, 1]]), 4], {}],
    ["categorical_crossentropy", [arr(ONE_HOT), arr(np.abs(X) + 0.1, "float32")], {}],
    ["categorical_crossentropy", [arr(ONE_HOT), arr(X)], {"from_logits": True}],
    ["sparse_categorical_crossentropy", [arr([0, 1, 3]), arr(X)], {"from_logits": True}],
    ["binary_crossentropy", [arr(X > 0, "float32"), arr(1 / (1 + np.exp(-X)), "float32")], {}],
    ["binary_crossentropy", [arr(X > 0, "float32"), arr(X)], {"from_logits": True}],
    ["moments", [arr(X), [0]], {}],
    ["normalize", [arr(X)], {}],
    ["conv", [arr(IMG), arr(KERNEL)], {"padding": "same", "strides": 2}],
    ["conv_transpose", [arr(IMG), arr(KERNEL[..., :2].transpose(0, 1, 3, 2))], {"strides": 2}],
    ["max_pool", [arr(IMG), 2], {}],
    ["average_pool", [arr(IMG), 3], {"strides": 1, "padding": "same"}],
    ["dot_product_attention", [arr(Q), arr(K), arr(K)], {"is_causal": True}],
    ["segment_sum", [arr(X), arr([0, 0, 2])], {"num_segments": 3}],
    ["segment_max", [arr(X), arr([1, 1, 0])], {"num_segments": 2}],
    ["top_k", [arr(X), 2], {}],
    ["erfinv", [arr([-0.9, -0.2, 0.0, 0.5, 0.99])], {}],
    ["norm", [arr(X)], {}],
    ["norm", [arr(X)], {"ord": 1, "axis": 1}],
    ["det", [arr(X[:, :3])], {}],
    ["inv", [arr(X[:, :3] + 3 * np.eye(3), "float32")], {}],
    ["solve", [arr(X[:, :3] + 3 * np.eye(3), "float32"), arr(Y[:, :2])], {}],
    ["extract_sequences", [arr(np.arange(10.0), "float32"), 4, 3], {}],
    ["nan_to_num", [arr([np.nan, np.inf, -np.inf, 1.0], "float32")], {}],
    ["sort", [arr(INTS)], {"axis": 0}],
]

DTYPES = ["bool", "uint8", "uint16", "uint32", "int8", "int16", "int32", "int64", "float16",
          "float32", "float64", "bfloat16"]


def to_keras(value):
    if isinstance(value, dict):
        return np.asarray(value["array"], dtype=value["dtype"])
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return [to_keras(v) for v in value]
    return value


def record(result):
    if isinstance(result, (tuple, list)):
        return [record(r) for r in result]
    value = keras.ops.convert_to_numpy(result)
    return {"array": np.asarray(value, dtype="float64").tolist(), "shape": list(value.shape),
            "dtype": keras.backend.standardize_dtype(result.dtype)}


def main() -> None:
    results = []
    for name, args, kwargs in CASES:
        op = getattr(keras.ops, name)
        try:
            result = op(*[to_keras(a) for a in args], **kwargs)
        except Exception as error:
            raise RuntimeError(f"case {name} {kwargs} failed: {error}") from error
        results.append({"op": name, "args": args, "kwargs": kwargs, "result": record(result)})
    types = {f"{a},{b}": keras.backend.result_type(a, b) for a in DTYPES for b in DTYPES}
    for a in DTYPES:
        types[f"{a},int"] = keras.backend.result_type(a, int)
        types[f"{a},float"] = keras.backend.result_type(a, float)
    out = pathlib.Path(__file__).with_name("keras_ops.json")
    out.write_text(json.dumps({"keras_version": keras.__version__, "cases": results,
                               "result_type": types}, indent=None) + "\n")
    print(f"wrote {len(results)} cases to {out}")


if __name__ == "__main__":
    main()
