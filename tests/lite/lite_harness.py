"""Shared pieces of the TFLite tests: small models, running a ``.tflite`` with LiteRT,
reading a file's operators and tensors back with the schema's readers."""

from __future__ import annotations

import numpy as np

from fluxion import keras


def mlp(seed: int = 0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((40,)), keras.layers.Dense(32, activation="relu"),
                             keras.layers.Dense(16, activation="tanh"),
                             keras.layers.Dense(4, activation="softmax")])


def convnet(seed: int = 0):
    """Conv, depthwise conv, batch norm (folded into the depthwise filter), both pools."""
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input((12, 12, 3)),
        keras.layers.Conv2D(8, 3, activation="relu", padding="same"),
        keras.layers.DepthwiseConv2D(3, strides=1),
        keras.layers.BatchNormalization(),
        keras.layers.ReLU(),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(6, 2, strides=2, activation="relu6"),
        keras.layers.AveragePooling2D(2, padding="same"),
        keras.layers.Flatten(),
        keras.layers.Dense(5)])
    # batch-norm statistics that are not the identity, so the fold is checked
    bn = model.layers[2]
    rng = np.random.default_rng(seed)
    bn.moving_mean.assign(rng.normal(size=8).astype("float32") * 0.1)
    bn.moving_variance.assign(rng.uniform(0.5, 2.0, size=8).astype("float32"))
    bn.gamma.assign(rng.uniform(0.5, 1.5, size=8).astype("float32"))
    bn.beta.assign(rng.normal(size=8).astype("float32") * 0.1)
    return model


def lstm_model(seed: int = 0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((6, 3)), keras.layers.LSTM(5),
                             keras.layers.Dense(2, activation="sigmoid")])


def multi_input_model(seed: int = 0):
    keras.utils.set_random_seed(seed)
    image = keras.Input((8, 8, 2), name="image")
    features = keras.Input((5,), name="features")
    x = keras.layers.Conv2D(4, 3, activation="relu")(image)
    x = keras.layers.GlobalAveragePooling2D()(x)
    y = keras.layers.Dense(4, activation="relu")(features)
    merged = keras.layers.Concatenate()([x, y])
    added = keras.layers.Add()([x, y])
    scaled = keras.layers.Multiply()([added, y])
    out = keras.layers.Dense(3)(keras.layers.Concatenate()([merged, scaled]))
    return keras.Model([image, features], [out, added])


def random_inputs(model, batch: int, seed: int = 0, low: float = -1.0, high: float = 1.0):
    rng = np.random.default_rng(seed)
    return [rng.uniform(low, high, size=(batch,) + tuple(t.shape[1:])).astype("float32")
            for t in model.inputs]


def run_tflite(content: bytes, inputs: list, resize: bool = True) -> list:
    """Runs the model with LiteRT on ``inputs`` (in signature order); the outputs."""
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_content=content)
    details = interpreter.get_input_details()
    if resize:
        for detail, array in zip(details, inputs):
            interpreter.resize_tensor_input(detail["index"], array.shape)
    interpreter.allocate_tensors()
    for detail, array in zip(details, inputs):
        if detail["quantization"][0]:  # a quantized input: quantize as TF's users do
            scale, zero_point = detail["quantization"]
            info = np.iinfo(detail["dtype"])
            array = np.clip(np.round(array / scale + zero_point), info.min, info.max)
        interpreter.set_tensor(detail["index"], array.astype(detail["dtype"]))
    interpreter.invoke()
    outputs = []
    for detail in interpreter.get_output_details():
        result = interpreter.get_tensor(detail["index"])
        if detail["quantization"][0]:
            scale, zero_point = detail["quantization"]
            result = (result.astype(np.float32) - zero_point) * scale
        outputs.append(result)
    return outputs


def operator_names(content: bytes) -> list[str]:
    import tflite

    model = tflite.Model.GetRootAsModel(content, 0)
    graph = model.Subgraphs(0)
    return [tflite.utils.opcode2name(model.OperatorCodes(graph.Operators(i).OpcodeIndex())
                                     .BuiltinCode()) for i in range(graph.OperatorsLength())]


def tensor_details(content: bytes) -> list[dict]:
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_content=content)
    return interpreter.get_tensor_details()


def predict(model, inputs: list):
    outputs = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
