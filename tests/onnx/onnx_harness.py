"""Shared check for the ONNX exporter tests: export, validate, run with onnxruntime and
compare with the Fluxion model's own predictions."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime

RTOL, ATOL = 1e-5, 1e-6


def random_inputs(model, batch: int, seed: int = 0, integers: bool = False) -> list:
    """One random array per model input, shaped as the input with ``batch`` rows (whole
    numbers in [0, 10) for integer inputs or when ``integers``)."""
    rng = np.random.default_rng(seed + batch)
    arrays = []
    for tensor in model.inputs:
        shape = (batch,) + tuple(tensor.shape[1:])
        if integers or "int" in str(tensor.dtype):
            arrays.append(rng.integers(0, 10, size=shape).astype(tensor.dtype))
        else:
            arrays.append(rng.standard_normal(shape).astype(tensor.dtype))
    return arrays


def assert_exports_exactly(model, path, opset: int = 17, batches=(1, 5),
                           integers: bool = False) -> onnx.ModelProto:
    """Exports ``model`` to ``path``; the file passes the full checker and onnxruntime's
    predictions equal ``model.predict`` for each batch size."""
    import fluxion.onnx

    fluxion.onnx.export(model, path, opset=opset)
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    for batch in batches:
        arrays = random_inputs(model, batch, integers=integers)
        got = session.run(None, dict(zip(names, arrays)))
        expected = model.predict(arrays if len(arrays) > 1 else arrays[0], verbose=0)
        expected = expected if isinstance(expected, (list, tuple)) else [expected]
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            assert g.shape == np.shape(e)
            np.testing.assert_allclose(g, e, rtol=RTOL, atol=ATOL)
    return proto
