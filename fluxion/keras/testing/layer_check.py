"""The layer harness: one function that proves a layer right (STYLE.md #10).

``run_layer_test(LayerClass, init_kwargs, input_shape)`` checks, for a layer:

1. it builds on the input shape and its weights have the stated count;
2. its eager output has the shape ``compute_output_shape`` and the symbolic
   (functional API) call predict, and equals ``expected_output`` when given;
3. the output is the same when the call is traced with ``fluxion.function``;
4. ``get_config`` -> ``from_config`` gives a layer with the same config and, with the
   same weights, the same output; the config serializes to JSON;
5. one gradient-descent step on its trainable weights lowers a loss;
6. for small float layers, gradients w.r.t. the input match finite differences.

Layers that take a list of tensors (merge layers) are tested by passing a list of
shapes as ``input_shape`` (and a list of arrays as ``input_data``, if given).
"""

from __future__ import annotations

import json

import numpy as np

from fluxion.core.dtypes import as_dtype
from fluxion.core.tape import GradientTape
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.graph.function import function
from fluxion.keras.layers.input_layer import Input
from fluxion.keras.saving.serialization import deserialize_keras_object, serialize_keras_object
from fluxion.ops.nn_ops import reduce_sum


def run_layer_test(layer_cls, init_kwargs: dict | None = None, input_shape=(2, 3),
                   input_dtype: str = "float32", input_data=None, expected_output=None,
                   expected_output_shape=None, expected_num_trainable_weights=None,
                   expected_num_non_trainable_weights=None, supports_training: bool = True,
                   check_gradients: bool = True, call_kwargs: dict | None = None,
                   rtol: float = 1e-5, atol: float = 1e-6, seed: int = 0):
    """Runs the checks above; returns the layer built in step 1."""
    init_kwargs = init_kwargs or {}
    call_kwargs = call_kwargs or {}
    rng = np.random.default_rng(seed)
    # Several inputs: a list of shapes, or a list of NumPy arrays as input_data.
    multi = _is_shape_list(input_shape) if input_data is None else (
        isinstance(input_data, list) and all(isinstance(d, np.ndarray) for d in input_data))
    if input_data is None:
        shapes = list(input_shape) if multi else [input_shape]
        arrays = [_random_input(rng, shape, input_dtype) for shape in shapes]
        input_data = arrays if multi else arrays[0]
    datas = [np.asarray(d) for d in input_data] if multi else [np.asarray(input_data)]
    tensors = [convert_to_tensor(d) for d in datas]  # NumPy str arrays become strings
    x = tensors if multi else tensors[0]
    batch_shapes = [tuple(t.shape) for t in tensors]

    layer = layer_cls(**init_kwargs)
    output = layer(x, **call_kwargs)
    assert layer.built, f"{layer_cls.__name__} did not build"
    if expected_num_trainable_weights is not None:
        assert len(layer.trainable_weights) == expected_num_trainable_weights, (
            f"{len(layer.trainable_weights)} trainable weights, expected "
            f"{expected_num_trainable_weights}")
    if expected_num_non_trainable_weights is not None:
        assert len(layer.non_trainable_weights) == expected_num_non_trainable_weights
    out = np.asarray(output._value)
    if expected_output_shape is not None:
        assert out.shape == tuple(expected_output_shape), (
            f"output shape {out.shape}, expected {tuple(expected_output_shape)}")
    if expected_output is not None:
        np.testing.assert_allclose(out, np.asarray(expected_output), rtol=rtol, atol=atol)

    # 2. compute_output_shape and the symbolic (functional) call agree with eager.
    predicted = tuple(layer.compute_output_shape(batch_shapes if multi else batch_shapes[0]))
    assert _compatible(predicted, out.shape), (
        f"compute_output_shape says {predicted}, eager output has shape {out.shape}")
    symbolic_inputs = [Input(batch_shape=(None,) + shape[1:], dtype=input_dtype)
                       for shape in batch_shapes]
    symbolic = layer_cls(**init_kwargs)(symbolic_inputs if multi else symbolic_inputs[0],
                                        **call_kwargs)
    assert _compatible(symbolic.shape, out.shape), (
        f"symbolic output shape {symbolic.shape}, eager {out.shape}")

    # 3. traced with fluxion.function == eager (inference mode: no randomness).
    eager = layer(x, **{**call_kwargs, "training": False}) if layer._call_has_training \
        else layer(x, **call_kwargs)
    inference_kwargs = {**call_kwargs, "training": False} if layer._call_has_training \
        else call_kwargs
    traced = function(lambda *ts: layer(list(ts) if multi else ts[0], **inference_kwargs))(
        *tensors)
    np.testing.assert_allclose(np.asarray(traced._value), np.asarray(eager._value),
                               rtol=max(rtol, 1e-5), atol=max(atol, 1e-6),
                               err_msg="traced output differs from eager")

    # 4. configuration round trip.
    config = layer.get_config()
    json.dumps(serialize_keras_object(layer))
    clone = deserialize_keras_object(serialize_keras_object(layer))
    assert type(clone) is layer_cls
    assert _same_config(clone.get_config(), config), (
        f"config changed in the round trip:\n{config}\n{clone.get_config()}")
    clone(x, **call_kwargs)
    clone.set_weights(layer.get_weights())
    again = clone(x, **{**call_kwargs, "training": False}) if clone._call_has_training \
        else clone(x, **call_kwargs)
    np.testing.assert_allclose(np.asarray(again._value), np.asarray(eager._value),
                               rtol=max(rtol, 1e-5), atol=max(atol, 1e-6))

    # 5. a gradient step on the trainable weights lowers a loss.
    if supports_training and layer.trainable_weights and as_dtype(out.dtype).is_floating:
        target = Tensor(rng.standard_normal(out.shape).astype(out.dtype))
        before = _loss(layer, x, target, call_kwargs)
        with GradientTape() as tape:
            loss = _loss(layer, x, target, call_kwargs)
        grads = tape.gradient(loss, layer.trainable_weights)
        assert all(g is not None for g in grads), "a trainable weight got no gradient"
        for variable, grad in zip(layer.trainable_weights, grads):
            variable.assign_sub(grad * 0.01)
        after = _loss(layer, x, target, call_kwargs)
        assert float(after) < float(before), f"loss did not fall: {before} -> {after}"

    # 6. input gradients by finite differences (small float layers).
    if check_gradients and as_dtype(input_dtype).is_floating and \
            sum(d.size for d in datas) <= 64 and as_dtype(out.dtype).is_floating:
        for index in range(len(datas)):
            _check_input_gradient(layer, [d.astype(np.float64) for d in datas], index, multi,
                                  call_kwargs, rng)
    return layer


def _is_shape_list(input_shape) -> bool:
    return isinstance(input_shape, list) and bool(input_shape) and \
        isinstance(input_shape[0], (tuple, list))


def _random_input(rng, shape, dtype: str) -> np.ndarray:
    kind = as_dtype(dtype)
    if kind.is_floating:
        return rng.standard_normal(shape).astype(kind.np_dtype)
    if kind.is_integer:
        return rng.integers(0, 4, shape).astype(kind.np_dtype)
    return rng.integers(0, 4, shape).astype(dtype)


def _loss(layer, x, target, call_kwargs):

    out = layer(x, **call_kwargs)
    diff = out - target
    return reduce_sum(diff * diff)


def _check_input_gradient(layer, datas: list, index: int, multi: bool, call_kwargs,
                          rng) -> None:
    """Finite differences of ``sum(layer(inputs) * probe)`` w.r.t. ``datas[index]``."""

    call = {**call_kwargs, "training": False} if layer._call_has_training else call_kwargs
    probe = None

    def run(arrays):
        tensors = [Tensor(a.astype(np.float32)) for a in arrays]
        return tensors, layer(tensors if multi else tensors[0], **call)

    def value(arrays):
        nonlocal probe
        out = run(arrays)[1]
        if probe is None:
            probe = rng.standard_normal(tuple(out.shape)).astype(np.float32)
        return float(reduce_sum(out * Tensor(probe)))

    value(datas)
    with GradientTape() as tape:
        tensors = [Tensor(a.astype(np.float32)) for a in datas]
        tape.watch(tensors[index])
        out = layer(tensors if multi else tensors[0], **call)
        loss = reduce_sum(out * Tensor(probe))
    grad = tape.gradient(loss, tensors[index])
    if grad is None:
        return
    data = datas[index]
    eps = 1e-2
    numeric = np.zeros_like(data)
    for position in np.ndindex(data.shape):
        plus, minus = [d.copy() for d in datas], [d.copy() for d in datas]
        plus[index][position] += eps
        minus[index][position] -= eps
        numeric[position] = (value(plus) - value(minus)) / (2 * eps)
    np.testing.assert_allclose(np.asarray(grad._value), numeric, rtol=5e-2, atol=5e-2,
                               err_msg="input gradient differs from finite differences")


def _compatible(predicted, actual) -> bool:
    predicted, actual = tuple(predicted), tuple(actual)
    return len(predicted) == len(actual) and all(
        p is None or a is None or p == a for p, a in zip(predicted, actual))


def _same_config(a: dict, b: dict) -> bool:
    return json.dumps(serialize_keras_object(a), sort_keys=True, default=str) == \
        json.dumps(serialize_keras_object(b), sort_keys=True, default=str)
