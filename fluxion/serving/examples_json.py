"""The classify and regress APIs: JSON examples in, ``{"results": ...}`` out.

A request lists ``examples`` (objects of feature name -> value or list of values) and
an optional ``context`` whose features every example shares.  Each example becomes a
serialized ``tf.train.Example`` (numbers with a decimal point or exponent are floats,
other numbers and booleans int64, strings and ``{"b64": ...}`` bytes); the batch of them
feeds the signature's single string input.  A classify signature
(``tensorflow/serving/classify``) answers ``classes`` and/or ``scores``, shaped
``[examples, classes]``; a regress signature (``tensorflow/serving/regress``) answers
``outputs`` shaped ``[examples]`` or ``[examples, 1]``.
"""

from __future__ import annotations

import json

import numpy as np

from fluxion.serving.errors import ServingError, invalid_argument
from fluxion.serving.json_values import (
    array_json,
    decode_b64,
    is_b64_object,
    json_text,
    json_type_name,
)
from fluxion.serving.servable import CLASSIFY_METHOD, REGRESS_METHOD

_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _kind_of(value, feature_name: str) -> str:
    if value is None or isinstance(value, list) or (isinstance(value, dict)
                                                    and not is_b64_object(value)):
        raise invalid_argument(f"Feature: {feature_name} has element with unexpected JSON "
                               f"type: {json_type_name(value)}")
    if isinstance(value, bool):
        return "int64"
    if isinstance(value, (dict, str)):
        return "bytes"
    if isinstance(value, float):
        return "float"
    return "int64"


def _feature(name: str, content, classes):
    values = content if isinstance(content, list) else [content]
    kind = None
    converted = []
    for value in values:
        this = _kind_of(value, name)
        if kind is not None and this != kind:
            raise invalid_argument(f"Unexpected element type in feature: {name} expecting "
                                   f"type: {kind}")
        kind = this
        if this == "float":
            if abs(value) > _FLOAT32_MAX and abs(value) != float("inf"):
                raise invalid_argument(f"Cannot convert JSON value: {json_text(value)} to "
                                       "float without loss of precision.")
            converted.append(float(value))
        elif this == "bytes":
            converted.append(decode_b64(value) if isinstance(value, dict)
                             else value.encode("utf-8"))
        else:
            number = int(value)
            if not -(2**63) <= number < 2**63:
                raise invalid_argument(f"Feature: {name} has uint64 element. Only int64 is "
                                       "supported.")
            converted.append(number)
    feature = classes["Feature"]()
    if kind == "float":
        feature.float_list.value.extend(converted)
    elif kind == "bytes":
        feature.bytes_list.value.extend(converted)
    elif kind == "int64":
        feature.int64_list.value.extend(converted)
    return feature


def _example(value, classes):
    if not isinstance(value, dict):
        raise invalid_argument(f"Example must be JSON object but got JSON "
                               f"{json_type_name(value)}")
    example = classes["Example"]()
    for name, content in value.items():
        example.features.feature[name].CopyFrom(_feature(name, content, classes))
    return example


def serialized_examples(document: dict, api: str) -> np.ndarray:
    """The request's examples (each merged with the context) as serialized protos."""
    from fluxion.io.example_proto import message_classes

    try:
        classes = message_classes()
    except ImportError as error:
        raise ServingError("UNIMPLEMENTED", str(error)) from None
    context = None
    if "context" in document:
        context = _example(document["context"], classes)
    if "examples" not in document:
        raise invalid_argument(f"JSON Value: {json_text(document)} When method is classify, key "
                               "'examples' is expected and was not found")
    examples = document["examples"]
    if not isinstance(examples, list):
        raise invalid_argument(f"JSON Value: {json_text(document)} Expecting 'examples' value "
                               "to be an list/array")
    if not examples:
        raise invalid_argument(f"JSON Value: {json_text(document)} 'examples' value is an "
                               "empty array")
    records = np.empty(len(examples), dtype=object)
    for index, value in enumerate(examples):
        example = _example(value, classes)
        if context is not None:
            merged = classes["Example"]()
            merged.CopyFrom(context)
            merged.MergeFrom(example)
            example = merged
        records[index] = example.SerializeToString()
    return records


def check_signature(signature, api: str) -> str:
    """The name of the signature's one string input; checks the method and outputs."""
    method = CLASSIFY_METHOD if api == "classify" else REGRESS_METHOD
    kind = "classification" if api == "classify" else "regression"
    if signature.method_name != method:
        raise invalid_argument(f"Expected {kind} signature method_name to be {method}. Was: "
                               f"{signature.method_name}")
    if len(signature.inputs) != 1:
        raise invalid_argument("Expected one input Tensor.")
    if api == "classify":
        if not {"classes", "scores"} & set(signature.outputs):
            raise invalid_argument("Expected classification signature outputs to contain at "
                                   "least one of classes or scores")
    elif "outputs" not in signature.outputs:
        raise invalid_argument("Expected one output Tensor.")
    return next(iter(signature.inputs))


def _float_text(value: float) -> str:
    return array_json(np.asarray(value, dtype=np.float32))


def classify_response(outputs: dict, num_examples: int) -> str:
    classes, scores = outputs.get("classes"), outputs.get("scores")
    for name, array in (("classes", classes), ("scores", scores)):
        if array is not None and (array.ndim != 2 or array.shape[0] != num_examples):
            raise invalid_argument(f"Expected Tensor shape: [{num_examples} num_classes] but "
                                   f"got {list(array.shape)} for output {name!r}")
    if classes is not None and scores is not None and classes.shape != scores.shape:
        raise invalid_argument(f"Tensors class and score should match in shape: "
                               f"{list(classes.shape)} vs. {list(scores.shape)}")
    width = (classes if classes is not None else scores).shape[1]
    rows = []
    for i in range(num_examples):
        pairs = []
        for j in range(width):
            label = "" if classes is None else classes[i, j]
            if isinstance(label, bytes):
                label = label.decode("utf-8", errors="replace")
            score = 0.0 if scores is None else float(scores[i, j])
            pairs.append(f"[{json.dumps(str(label))}, {_float_text(score)}]")
        rows.append("[" + ", ".join(pairs) + "]")
    return '{"results": [' + ", ".join(rows) + "]}"


def regress_response(outputs: dict, num_examples: int) -> str:
    values = outputs["outputs"]
    if not (values.ndim == 1 or (values.ndim == 2 and values.shape[1] == 1)):
        raise invalid_argument("Expected output Tensor shape to be either [batch_size] or "
                               f"[batch_size, 1] but got {list(values.shape)}")
    if values.shape[0] != num_examples:
        raise invalid_argument(f"Input batch size did not match output batch size: "
                               f"{num_examples} vs. {values.shape[0]}")
    return '{"results": ' + array_json(values.reshape(-1).astype(np.float32)) + "}"
