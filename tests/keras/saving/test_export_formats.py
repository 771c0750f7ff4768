"""``Model.export`` finds its formats in Keras's table, filled by the exporters above it."""

import pytest

from fluxion import keras
from fluxion.keras.saving import export_formats


def _model():
    inputs = keras.Input((3,))
    return keras.Model(inputs, keras.layers.Dense(2)(inputs))


def test_an_unknown_format_names_the_supported_ones(tmp_path):
    with pytest.raises(ValueError, match=r"unrecognized format 'tflite'; supported "
                                         r"formats: \['tf_saved_model', 'onnx', 'litert'"):
        _model().export(str(tmp_path / "m"), format="tflite")


def test_a_registered_format_is_called_with_the_export_arguments(tmp_path, monkeypatch):
    calls = []

    def record(model, filepath, verbose=None, input_signature=None, **kwargs):
        calls.append((model, filepath, verbose, input_signature, kwargs))

    monkeypatch.setitem(export_formats._EXPORTERS, "recorded", record)
    model = _model()
    model.export("out", format="recorded", verbose=False, level=3)
    assert calls == [(model, "out", False, None, {"level": 3})]
    assert "recorded" in export_formats.supported_export_formats()


def test_built_in_formats_load_their_provider_on_first_use():
    from fluxion.onnx.keras_format import export_onnx
    from fluxion.saved_model.keras_export import export_saved_model
    from fluxion.saved_model.loader import load_with_variables

    assert export_formats.export_function("onnx") is export_onnx
    assert export_formats.export_function("tf_saved_model") is export_saved_model
    assert export_formats.loader("tf_saved_model") is load_with_variables


def test_onnx_takes_an_input_signature(tmp_path):
    onnx = pytest.importorskip("onnx")
    import fluxion

    model = _model()
    path = tmp_path / "m.onnx"
    model.export(str(path), format="onnx",
                 input_signature=[fluxion.TensorSpec((4, 3), "float32", name="rows")])
    graph = onnx.load(str(path)).graph
    assert graph.input[0].name == "rows"
    assert [d.dim_value for d in graph.input[0].type.tensor_type.shape.dim] == [4, 3]


def test_registering_something_not_callable_is_refused():
    with pytest.raises(TypeError, match="expects a function; got int"):
        export_formats.register_export_format("bad", 3)
    with pytest.raises(ValueError, match="No saved-model loader named 'zip'"):
        export_formats.loader("zip")
