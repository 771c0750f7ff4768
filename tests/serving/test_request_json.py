"""The predict API's request parsing and response writing, by TF Serving's rules."""

import json

import numpy as np
import pytest

from fluxion.serving.errors import ServingError
from fluxion.serving.predict_json import (
    COLUMNAR,
    ROW,
    parse_json_object,
    predict_inputs,
    predict_response,
    signature_name_of,
)

F32 = {"x": ("float32", np.float32)}


def _error(call, *args) -> ServingError:
    with pytest.raises(ServingError) as info:
        call(*args)
    return info.value


def test_row_format_one_input_batches_the_instances():
    fmt, arrays = predict_inputs({"instances": [[1, 2.5], [3, 4]]}, F32, "")
    assert fmt == ROW
    np.testing.assert_array_equal(arrays["x"], np.array([[1, 2.5], [3, 4]], np.float32))
    assert arrays["x"].dtype == np.float32


def test_row_format_named_inputs_and_b64_strings():
    dtypes = {"tag": ("string", object), "n": ("int64", np.int64)}
    doc = {"instances": [{"tag": {"b64": "aGk="}, "n": [1, 2]}, {"tag": "yo", "n": [3, 4]}]}
    fmt, arrays = predict_inputs(doc, dtypes, "")
    assert list(arrays["tag"]) == [b"hi", b"yo"]
    np.testing.assert_array_equal(arrays["n"], [[1, 2], [3, 4]])


def test_columnar_format_single_and_named():
    fmt, arrays = predict_inputs({"inputs": [[1.0, 2.0]]}, F32, "")
    assert fmt == COLUMNAR and arrays["x"].shape == (1, 2)
    dtypes = {"a": ("float32", np.float32), "b": ("bool", np.bool_)}
    _, arrays = predict_inputs({"inputs": {"a": [1, 2, 3], "b": [[True], [False]]}}, dtypes, "")
    assert arrays["a"].shape == (3,) and arrays["b"].shape == (2, 1)


def test_nan_and_infinity_are_accepted():
    document = parse_json_object(b'{"instances": [[NaN, Infinity, -Infinity]]}')
    _, arrays = predict_inputs(document, F32, "")
    assert np.isnan(arrays["x"][0, 0]) and arrays["x"][0, 1] == np.inf


@pytest.mark.parametrize("body, message", [
    (b"", "JSON Parse error: The document is empty"),
    (b"[1, 2]", "Is not object"),
    (b'{"instances": [1], "inputs": [1]}', "expecting only one of 'inputs' or 'instances'"),
    (b'{"instances": 3}', "Excepting 'instances' to be an list/array"),
    (b'{"instances": []}', "No values in 'instances' array"),
    (b'{"foo": 1}', "Missing 'inputs' or 'instances' key"),
    (b'{"instances": [["a"]]}', 'JSON Value: "a" Type: String is not of expected type: float'),
    (b'{"instances": [[true]]}', "Type: True is not of expected type: float"),
    (b'{"instances": [[1, 2], [3]]}', "Expecting tensor size: 2 but got: 1"),
    (b'{"instances": [[1, 2], [[3, 4]]]}', "Expecting shape [2] but got: [1,2]"),
    (b'{"instances": [[16777217]]}', "to float without loss of precision"),
    (b'{"inputs": [[1, 2], [3]]}', "Encountered list at unexpected size: 1 at level: 1"),
])
def test_bad_requests_are_invalid_argument_with_tf_serving_messages(body, message):
    def run():
        predict_inputs(parse_json_object(body), F32, "")

    error = _error(run)
    assert error.code == "INVALID_ARGUMENT" and error.http_status == 400
    assert message in error.message


def test_multi_input_errors():
    dtypes = {"a": ("float32", np.float32), "b": ("float32", np.float32)}
    assert "instances is a plain list" in _error(predict_inputs, {"instances": [[1]]}, dtypes,
                                                  "").message
    assert "keys must be equal to: a,b" in _error(
        predict_inputs, {"instances": [{"a": 1}]}, dtypes, "").message
    assert "Missing named input: b in 'inputs' object." in _error(
        predict_inputs, {"inputs": {"a": [1]}}, dtypes, "").message
    assert "does not have named input: c" in _error(
        predict_inputs, {"instances": [{"a": 1, "c": 2}]}, dtypes, "").message


def test_int_inputs_reject_decimals_and_out_of_range():
    dtypes = {"x": ("int32", np.int32)}
    assert "is not of expected type: int32" in _error(
        predict_inputs, {"instances": [1.5]}, dtypes, "").message
    assert "is not of expected type: int32" in _error(
        predict_inputs, {"instances": [2**40]}, dtypes, "").message


def test_signature_name_must_be_a_string():
    assert "'signature_name' key must be a string value." in _error(
        signature_name_of, {"signature_name": 3}).message
    assert signature_name_of({}) == ""


def test_row_response_single_output_is_a_plain_list():
    text = predict_response({"y": np.array([[0.1, 2.0], [np.nan, -np.inf]], np.float32)}, ROW)
    assert text == '{"predictions": [[0.1, 2.0], [NaN, -Infinity]]}'
    assert json.loads(text)["predictions"][0] == [0.1, 2.0]


def test_row_response_several_outputs_are_objects():
    outputs = {"b": np.array([1, 2]), "a": np.array([[True], [False]])}
    assert json.loads(predict_response(outputs, ROW)) == {
        "predictions": [{"a": [True], "b": 1}, {"a": [False], "b": 2}]}
    assert "inconsistent batch size" in _error(
        predict_response, {"a": np.zeros(2), "b": np.zeros(3)}, ROW).message
    assert "has no shape information" in _error(
        predict_response, {"a": np.float32(1.0)}, ROW).message


def test_columnar_response_and_bytes_outputs():
    assert predict_response({"y": np.float32(3)}, COLUMNAR) == '{"outputs": 3.0}'
    outputs = {"img_bytes": np.array([b"\x00\x01"], object), "s": np.array([b"hi"], object)}
    assert json.loads(predict_response(outputs, COLUMNAR)) == {
        "outputs": {"img_bytes": [{"b64": "AAE="}], "s": ["hi"]}}


def test_floats_are_written_short_when_they_read_back_exactly():
    values = np.array([0.2, 1e6, 3e-5, 1 / 3, 16777216, 0.0], np.float32)
    text = predict_response({"y": values}, COLUMNAR)
    assert text == '{"outputs": [0.2, 1e+06, 3e-05, 0.333333343, 16777216.0, 0.0]}'
    assert np.array_equal(np.array(json.loads(text)["outputs"], np.float32), values)


def test_examples_become_tf_train_examples_merged_with_the_context():
    pytest.importorskip("google.protobuf")
    from fluxion.io.example_proto import Example
    from fluxion.serving.examples_json import serialized_examples

    document = {"context": {"lang": "en"},
                "examples": [{"x": [1.5, 2.0], "n": 3, "flag": True, "img": {"b64": "AAE="}},
                             {"x": 0.25, "n": [4, 5]}]}
    first, second = (Example.FromString(r) for r in serialized_examples(document, "classify"))
    features = first.features.feature
    assert list(features["x"].float_list.value) == [1.5, 2.0]
    assert list(features["n"].int64_list.value) == [3]
    assert list(features["flag"].int64_list.value) == [1]
    assert list(features["img"].bytes_list.value) == [b"\x00\x01"]
    assert list(features["lang"].bytes_list.value) == [b"en"]
    assert list(second.features.feature["n"].int64_list.value) == [4, 5]
    assert list(second.features.feature["lang"].bytes_list.value) == [b"en"]


@pytest.mark.parametrize("document, message", [
    ({"examples": [{"x": [1, "a"]}]}, "Unexpected element type in feature: x"),
    ({"examples": [{"x": None}]}, "has element with unexpected JSON type: Null"),
    ({"examples": [{"x": [[1]]}]}, "has element with unexpected JSON type: Array"),
    ({"examples": [3]}, "Example must be JSON object but got JSON Number"),
    ({"examples": []}, "'examples' value is an empty array"),
    ({"instances": []}, "key 'examples' is expected and was not found"),
])
def test_bad_examples_are_invalid_argument(document, message):
    pytest.importorskip("google.protobuf")
    from fluxion.serving.examples_json import serialized_examples

    error = _error(serialized_examples, document, "regress")
    assert error.code == "INVALID_ARGUMENT" and message in error.message
