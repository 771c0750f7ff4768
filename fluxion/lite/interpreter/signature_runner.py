"""Signature runners and the tensor-detail dicts of TF's interpreter interface."""

from __future__ import annotations

import numpy as np


def tensor_details(info, shape) -> dict:
    """The dict TF's ``get_input_details()`` gives for one tensor."""
    quantization = info.quantization
    if quantization is None:
        scales, zero_points, dimension = np.zeros(0, np.float32), np.zeros(0, np.int32), 0
    else:
        scales = quantization.scales.astype(np.float32)
        zero_points = quantization.zero_points.astype(np.int32)
        dimension = quantization.dimension
    per_tensor = (float(scales[0]), int(zero_points[0])) if scales.size == 1 else (0.0, 0)
    return {"name": info.name, "index": info.index,
            "shape": np.asarray(shape, np.int32),
            "shape_signature": np.asarray(info.shape_signature, np.int32),
            "dtype": info.dtype.type, "quantization": per_tensor,
            "quantization_parameters": {"scales": scales, "zero_points": zero_points,
                                        "quantized_dimension": dimension},
            "sparsity_parameters": {}}


class SignatureRunner:
    """Runs one signature: ``runner(**inputs)`` returns ``{output name: array}``; input
    shapes that differ from the last call's resize the model first."""

    def __init__(self, interpreter, signature):
        self._interpreter = interpreter
        self._signature = signature

    def get_input_details(self) -> dict:
        return self._named_details(self._signature.inputs)

    def get_output_details(self) -> dict:
        return self._named_details(self._signature.outputs)

    def _named_details(self, names: dict) -> dict:
        subgraph = self._interpreter._model.subgraphs[self._signature.subgraph_index]
        shapes = self._interpreter._shapes if self._signature.subgraph_index == 0 else {}
        return {name: tensor_details(subgraph.tensors[index],
                                     shapes.get(index, subgraph.tensors[index].shape))
                for name, index in names.items()}

    def __call__(self, **inputs) -> dict:
        expected = self._signature.inputs
        unknown = sorted(set(inputs) - set(expected))
        missing = sorted(set(expected) - set(inputs))
        if unknown or missing:
            raise ValueError(f"signature {self._signature.key!r} takes inputs "
                             f"{sorted(expected)}; got {sorted(inputs)} (unknown {unknown}, "
                             f"missing {missing})")
        interpreter = self._interpreter
        arrays = {name: np.asarray(value) for name, value in inputs.items()}
        if self._signature.subgraph_index != 0:
            subgraph = interpreter._model.subgraphs[self._signature.subgraph_index]
            by_index = {expected[n]: a for n, a in arrays.items()}
            if not interpreter._allocated:
                interpreter.allocate_tensors()
            outputs = interpreter.run_subgraph(subgraph.index,
                                               [by_index[i] for i in subgraph.inputs])
            by_output = dict(zip(subgraph.outputs, outputs))
            return {name: np.array(by_output[i]) for name, i in
                    self._signature.outputs.items()}
        for name, array in arrays.items():
            index = expected[name]
            if tuple(array.shape) != tuple(interpreter._input_shapes[index]):
                interpreter.resize_tensor_input(index, array.shape)
        if not interpreter._allocated:
            interpreter.allocate_tensors()
        for name, array in arrays.items():
            interpreter.set_tensor(expected[name], array)
        interpreter.invoke()
        return {name: interpreter.get_tensor(index)
                for name, index in self._signature.outputs.items()}
