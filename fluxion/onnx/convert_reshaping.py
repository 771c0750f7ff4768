"""ONNX for the reshaping layers: Flatten, Reshape, Permute, ZeroPadding, Cropping and
UpSampling (1D, 2D, 3D; either data format)."""

from __future__ import annotations

import numpy as np

from fluxion.keras.layers.reshaping.arguments import spatial_axes
from fluxion.keras.layers.reshaping.cropping import _Cropping
from fluxion.keras.layers.reshaping.flatten import Flatten
from fluxion.keras.layers.reshaping.permute import Permute
from fluxion.keras.layers.reshaping.reshape import Reshape
from fluxion.keras.layers.reshaping.up_sampling import UpSampling2D, _UpSampling
from fluxion.keras.layers.reshaping.zero_padding import _ZeroPadding
from fluxion.onnx.registry import converts

_TO_THE_END = np.iinfo(np.int64).max  # Slice's "up to the end of the axis"


@converts(Flatten)
def convert_flatten(graph, layer, inputs, shapes):
    x, rank = inputs[0], len(shapes[0])
    if rank == 1:
        return graph.node("Reshape", [x, graph.int64s([-1, 1], f"{layer.name}/shape")],
                          layer.name)
    if layer.data_format == "channels_first" and rank > 2:  # Keras flattens channels-last
        x = graph.transpose(x, [0] + list(range(2, rank)) + [1], layer.name)
    return graph.node("Flatten", [x], layer.name, axis=1)


@converts(Reshape)
def convert_reshape(graph, layer, inputs, shapes):
    # 0 copies the batch dimension from the input, so the batch stays dynamic.
    target = [0] + [int(d) for d in layer.target_shape]
    return graph.node("Reshape", [inputs[0], graph.int64s(target, f"{layer.name}/shape")],
                      layer.name)


@converts(Permute)
def convert_permute(graph, layer, inputs, shapes):
    return graph.transpose(inputs[0], [0] + [int(d) for d in layer.dims], layer.name)


@converts(_ZeroPadding)
def convert_zero_padding(graph, layer, inputs, shapes):
    rank = len(shapes[0])
    begins, ends = [0] * rank, [0] * rank
    for axis, (before, after) in zip(spatial_axes(layer.rank, layer.data_format),
                                     layer._pairs()):
        begins[axis], ends[axis] = int(before), int(after)
    return graph.node("Pad", [inputs[0], graph.int64s(begins + ends, f"{layer.name}/pads")],
                      layer.name, mode="constant")


@converts(_Cropping)
def convert_cropping(graph, layer, inputs, shapes):
    axes = spatial_axes(layer.rank, layer.data_format)
    starts = [int(start) for start, _ in layer._pairs()]
    ends = [-int(end) if end else _TO_THE_END for _, end in layer._pairs()]
    hint = layer.name
    return graph.node("Slice", [inputs[0], graph.int64s(starts, f"{hint}/starts"),
                                graph.int64s(ends, f"{hint}/ends"),
                                graph.int64s(axes, f"{hint}/axes")], hint)


@converts(_UpSampling, UpSampling2D)
def convert_up_sampling(graph, layer, inputs, shapes):
    scales = [1.0] * len(shapes[0])
    for axis, factor in zip(spatial_axes(layer.rank, layer.data_format), layer._factors()):
        scales[axis] = float(factor)
    scales = graph.constant(np.asarray(scales, np.float32), f"{layer.name}/scales")
    if getattr(layer, "interpolation", "nearest") == "nearest":
        # with whole-number scales, asymmetric + floor repeats each element `factor` times
        return graph.node("Resize", [inputs[0], "", scales], layer.name, mode="nearest",
                          coordinate_transformation_mode="asymmetric", nearest_mode="floor")
    return graph.node("Resize", [inputs[0], "", scales], layer.name, mode="linear",
                      coordinate_transformation_mode="half_pixel")
