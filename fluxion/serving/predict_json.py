"""The predict API's JSON: ``instances`` (rows) or ``inputs`` (columns) in, and
``predictions`` or ``outputs`` out, as TensorFlow Serving reads and writes them.

Row format: ``{"instances": [row, row, ...]}``; with one named input each row is that
input's value, with several each row is an object ``{name: value}``.  Every row yields
one slice of the batch, so all rows of an input must have one shape.  Columnar format:
``{"inputs": value}`` (one input) or ``{"inputs": {name: value}}``.  The answer mirrors
the request: ``predictions`` is a list of rows (plain values when the signature has one
output, objects when several), ``outputs`` the whole tensors.
"""

from __future__ import annotations

import json
import math

import numpy as np

from fluxion.serving.errors import invalid_argument
from fluxion.serving.json_values import (
    BYTES_SUFFIX,
    array_json,
    checked_shape,
    is_b64_object,
    json_text,
    rows_json,
    to_array,
)

ROW, COLUMNAR = "row", "columnar"


def parse_json_object(body: bytes) -> dict:
    """The request body as a JSON object (NaN and Infinity allowed)."""
    if not body:
        raise invalid_argument("JSON Parse error: The document is empty")
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        position = getattr(error, "pos", 0)
        raise invalid_argument(f"JSON Parse error: {getattr(error, 'msg', error)} at offset: "
                               f"{position}") from None
    if not isinstance(document, dict):
        raise invalid_argument(f"JSON Value: {json_text(document)} Is not object")
    return document


def signature_name_of(document: dict) -> str:
    """The request's ``signature_name`` ('' when absent: the default signature)."""
    name = document.get("signature_name", "")
    if not isinstance(name, str):
        raise invalid_argument(f"JSON Value: {json_text(document)} not formatted correctly. "
                               "'signature_name' key must be a string value.")
    return name


def _is_named_row(value) -> bool:
    return isinstance(value, dict) and not is_b64_object(value)


def _shape_text(shape) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


def _rows_to_arrays(instances: list, input_dtypes: dict) -> dict:
    names = sorted(input_dtypes)
    if not _is_named_row(instances[0]) and len(names) > 1:
        raise invalid_argument("instances is a plain list, but expecting list of objects as "
                               "multiple input tensors required as per tensorinfo_map")
    named = _is_named_row(instances[0])
    columns = {name: [] for name in names}
    shapes: dict = {}
    for index, row in enumerate(instances):
        if named != _is_named_row(row):
            raise invalid_argument(f"Expecting {'object' if named else 'value/list'} but got "
                                   f"{'list' if named else 'object'} at item {index} of "
                                   "input list")
        items = row.items() if named else [(names[0], row)]
        for name, value in items:
            try:
                if name not in input_dtypes:
                    raise invalid_argument(f"JSON object: does not have named input: {name}")
                shape = checked_shape(value, input_dtypes[name][0])
                if name not in shapes:
                    shapes[name] = shape
                elif math.prod(shapes[name]) != math.prod(shape):
                    raise invalid_argument(f"Expecting tensor size: {math.prod(shapes[name])}"
                                           f" but got: {math.prod(shape)}")
                elif shapes[name] != shape:
                    raise invalid_argument(f"Expecting shape {_shape_text(shapes[name])} but "
                                           f"got: {_shape_text(shape)}")
            except Exception as error:
                where = f" key: {name}" if named else ""
                raise invalid_argument(f"Failed to process element: {index}{where} of "
                                       f"'instances' list. Error: {_status_text(error)}") from None
            columns[name].append(value)
        if named and set(row) != set(names):
            raise invalid_argument(f"Failed to process element: {index} of 'instances' list. "
                                   f"JSON object: {json_text(row)} keys must be equal to: "
                                   f"{','.join(names)}")
    return {name: to_array(columns[name], *input_dtypes[name]) for name in names}


def _status_text(error) -> str:
    code = getattr(error, "code", "INVALID_ARGUMENT")
    return f"{code}: {error}"


def _columns_to_arrays(inputs, input_dtypes: dict) -> dict:
    names = sorted(input_dtypes)
    if not _is_named_row(inputs):
        if len(names) > 1:
            raise invalid_argument("inputs is a plain value/list, but expecting an object as "
                                   "multiple input tensors required as per tensorinfo_map")
        dtype_name, np_dtype = input_dtypes[names[0]]
        checked_shape(inputs, dtype_name)
        return {names[0]: to_array(inputs, dtype_name, np_dtype)}
    arrays = {}
    for name in names:
        if name not in inputs:
            raise invalid_argument(f"Missing named input: {name} in 'inputs' object.")
        dtype_name, np_dtype = input_dtypes[name]
        checked_shape(inputs[name], dtype_name)
        arrays[name] = to_array(inputs[name], dtype_name, np_dtype)
    return arrays


def predict_inputs(document: dict, input_dtypes: dict, signature_name: str) -> tuple:
    """``(format, {input name: array})`` from a predict request.

    ``input_dtypes`` maps each input of the signature to ``(dtype name, numpy dtype)``.
    """
    if not input_dtypes:
        raise invalid_argument("Failed to get input map for signature: "
                               f"{signature_name or 'DEFAULT'}")
    has_instances, has_inputs = "instances" in document, "inputs" in document
    if has_instances and has_inputs:
        raise invalid_argument(f"JSON Value: {json_text(document)} Not formatted correctly "
                               "expecting only one of 'inputs' or 'instances' keys to exist ")
    if has_instances:
        instances = document["instances"]
        if not isinstance(instances, list):
            raise invalid_argument(f"JSON Value: {json_text(document)} Excepting 'instances' "
                                   "to be an list/array")
        if not instances:
            raise invalid_argument(f"JSON Value: {json_text(document)} No values in "
                                   "'instances' array")
        return ROW, _rows_to_arrays(instances, input_dtypes)
    if has_inputs:
        return COLUMNAR, _columns_to_arrays(document["inputs"], input_dtypes)
    raise invalid_argument("Missing 'inputs' or 'instances' key")


def _is_bytes_output(name: str, array: np.ndarray) -> bool:
    return array.dtype == object and name.endswith(BYTES_SUFFIX)


def predict_response(outputs: dict, request_format: str) -> str:
    """The JSON text answering a predict request, from ``{output name: array}``."""
    if not outputs:
        raise invalid_argument("Cannot convert empty tensor map to JSON")
    names = sorted(outputs)
    if request_format == COLUMNAR:
        if len(names) == 1:
            body = array_json(outputs[names[0]], _is_bytes_output(names[0], outputs[names[0]]))
        else:
            body = "{" + ", ".join(
                f"{json.dumps(name)}: "
                f"{array_json(outputs[name], _is_bytes_output(name, outputs[name]))}"
                for name in names) + "}"
        return '{"outputs": ' + body + "}"
    batch = None
    for name in names:
        array = outputs[name]
        if array.ndim == 0:
            raise invalid_argument(f"Tensor name: {name} has no shape information ")
        if batch is not None and array.shape[0] != batch:
            raise invalid_argument(f"Tensor name: {name} has inconsistent batch size: "
                                   f"{array.shape[0]} expecting: {batch}")
        batch = array.shape[0]
    if len(names) == 1:
        rows = rows_json(outputs[names[0]], _is_bytes_output(names[0], outputs[names[0]]))
    else:
        columns = {name: rows_json(outputs[name], _is_bytes_output(name, outputs[name]))
                   for name in names}
        keys = {name: json.dumps(name) for name in names}
        rows = ["{" + ", ".join(f"{keys[name]}: {columns[name][i]}" for name in names) + "}"
                for i in range(batch)]
    return '{"predictions": [' + ", ".join(rows) + "]}"
