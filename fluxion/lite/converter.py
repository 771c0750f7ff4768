"""``TFLiteConverter``: TensorFlow's converter front end, on Fluxion's traced graphs.

A converter holds one traced function (from a Keras model, a concrete function or a
saved model's signature) and TF's options; ``convert()`` lowers the trace to TFLite
builtin operators (``lowering``), applies the quantization the options ask for
(``quantize``) and writes the flatbuffer (``flatbuffer_writer``).
"""

from __future__ import annotations

import enum

import numpy as np

from fluxion.core import dtypes


class Optimize(enum.Enum):
    """``converter.optimizations``: DEFAULT quantizes (weights; activations too with a
    representative dataset).  The two others are TF's deprecated aliases of DEFAULT."""

    DEFAULT = "DEFAULT"
    OPTIMIZE_FOR_SIZE = "OPTIMIZE_FOR_SIZE"
    OPTIMIZE_FOR_LATENCY = "OPTIMIZE_FOR_LATENCY"
    EXPERIMENTAL_SPARSITY = "EXPERIMENTAL_SPARSITY"


class OpsSet(enum.Enum):
    """``target_spec.supported_ops``: which operator sets the file may use."""

    TFLITE_BUILTINS = "TFLITE_BUILTINS"
    TFLITE_BUILTINS_INT8 = "TFLITE_BUILTINS_INT8"
    SELECT_TF_OPS = "SELECT_TF_OPS"
    EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8 = \
        "EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8"


class TargetSpec:
    """``converter.target_spec``: the operator sets and weight types the target runs."""

    def __init__(self, supported_ops=None, supported_types=None):
        self.supported_ops = set(supported_ops or {OpsSet.TFLITE_BUILTINS})
        self.supported_types = list(supported_types or [])
        self.experimental_select_user_tf_ops = []


class RepresentativeDataset:
    """TF's wrapper of a representative-dataset generator function."""

    def __init__(self, input_gen):
        self.input_gen = input_gen


class _Trace:
    """One function to convert: its graph and the signature's input and output names."""

    def __init__(self, graph, input_names: list[str], output_names: list[str]):
        self.graph = graph
        self.input_names = input_names
        self.output_names = output_names


class TFLiteConverter:
    """Converts a Keras model, concrete function or saved model to a ``.tflite`` file.

    >>> converter = fluxion.lite.TFLiteConverter.from_keras_model(model)  # doctest: +SKIP
    >>> converter.optimizations = [fluxion.lite.Optimize.DEFAULT]  # doctest: +SKIP
    >>> open("model.tflite", "wb").write(converter.convert())  # doctest: +SKIP
    """

    def __init__(self, trace: _Trace):
        self._trace = trace
        self.optimizations: list = []
        self.target_spec = TargetSpec()
        self.representative_dataset = None
        self.inference_input_type = dtypes.float32
        self.inference_output_type = dtypes.float32
        self.allow_custom_ops = False
        self.experimental_new_converter = True
        self.experimental_new_quantizer = True

    # --- front ends ------------------------------------------------------------------------
    @classmethod
    def from_keras_model(cls, model) -> TFLiteConverter:
        """A converter for ``model(inputs, training=False)`` (a built Keras model)."""
        from fluxion.lite.tracing import trace_keras_model

        return cls(_Trace(*trace_keras_model(model)))

    @classmethod
    def from_concrete_functions(cls, funcs, trackable_obj=None) -> TFLiteConverter:
        """A converter for one concrete function (``f.get_concrete_function(spec)``)."""
        from fluxion.lite.tracing import trace_of_concrete_function

        funcs = list(funcs)
        if len(funcs) != 1:
            raise ValueError(f"TFLiteConverter converts one concrete function; got "
                             f"{len(funcs)}. Convert each separately.")
        return cls(_Trace(*trace_of_concrete_function(funcs[0])))

    @classmethod
    def from_saved_model(cls, saved_model_dir, signature_keys=None, tags=None
                         ) -> TFLiteConverter:
        """A converter for one signature (default ``serving_default``) of a saved model."""
        from fluxion.lite.tracing import trace_of_saved_model

        return cls(_Trace(*trace_of_saved_model(saved_model_dir, signature_keys)))

    # --- conversion ------------------------------------------------------------------------
    def convert(self) -> bytes:
        """The ``.tflite`` file's bytes."""
        from fluxion.lite import quantize
        from fluxion.lite.flatbuffer_writer import write_model
        from fluxion.lite.lowering import lower_graph

        mode = self._quantization_mode()
        graph = lower_graph(self._trace.graph, self._trace.input_names,
                            self._trace.output_names)
        if mode == "float16":
            quantize.float16_weights(graph)
        elif mode == "dynamic_range":
            quantize.dynamic_range_weights(graph)
        elif mode == "full_integer":
            ranges = quantize.calibrate(graph, self._samples())
            quantize.full_integer(graph, ranges,
                                  strict=OpsSet.TFLITE_BUILTINS not in self._ops(),
                                  input_type=self._io_type("inference_input_type"),
                                  output_type=self._io_type("inference_output_type"))
        return write_model(graph)

    def _ops(self) -> set:
        return set(self.target_spec.supported_ops)

    def _quantization_mode(self) -> str:
        optimized = any(o in (Optimize.DEFAULT, Optimize.OPTIMIZE_FOR_SIZE,
                              Optimize.OPTIMIZE_FOR_LATENCY) for o in self.optimizations)
        types = [dtypes.as_dtype(t).name for t in self.target_spec.supported_types]
        int8_only = OpsSet.TFLITE_BUILTINS_INT8 in self._ops()
        io_types = {self._io_type("inference_input_type"),
                    self._io_type("inference_output_type")}
        if int8_only and (not optimized or self.representative_dataset is None):
            raise ValueError("target_spec.supported_ops=[TFLITE_BUILTINS_INT8] quantizes "
                             "activations, which needs optimizations=[Optimize.DEFAULT] and "
                             "a representative_dataset to calibrate them.")
        if optimized and self.representative_dataset is not None and types != ["float16"]:
            return "full_integer"
        if io_types - {"float32"}:
            raise ValueError(f"inference_input_type/inference_output_type "
                             f"{sorted(io_types - {'float32'})} need full integer "
                             f"quantization: optimizations=[Optimize.DEFAULT] and a "
                             f"representative_dataset.")
        if not optimized:
            return "float"
        if types == ["float16"]:
            return "float16"
        return "dynamic_range"

    def _io_type(self, attribute: str) -> str:
        name = dtypes.as_dtype(getattr(self, attribute)).name
        if name not in ("float32", "int8", "uint8"):
            raise ValueError(f"{attribute} must be float32, int8 or uint8; got {name}")
        return name

    def _samples(self):
        """The representative dataset's samples, each a list of input arrays in order."""
        dataset = self.representative_dataset
        generator = dataset.input_gen if isinstance(dataset, RepresentativeDataset) \
            else dataset
        names = self._trace.input_names
        for sample in generator():
            if isinstance(sample, dict):
                missing = [n for n in names if n not in sample]
                if missing:
                    raise ValueError(f"a representative_dataset sample lacks inputs "
                                     f"{missing}; the signature's inputs are {names}")
                sample = [sample[n] for n in names]
            elif not isinstance(sample, (list, tuple)):
                sample = [sample]
            if len(sample) != len(names):
                raise ValueError(f"a representative_dataset sample has {len(sample)} "
                                 f"arrays; the model has {len(names)} inputs ({names})")
            arrays = [np.asarray(getattr(a, "numpy", lambda a=a: a)(), np.float32)
                      for a in sample]
            for name, array, value in zip(names, arrays, self._trace.graph.inputs):
                if array.ndim != len(value.aval.shape):
                    raise ValueError(
                        f"representative_dataset: input {name!r} has shape "
                        f"{list(value.aval.shape)} but a sample gave shape "
                        f"{list(array.shape)}; yield batches, e.g. [x[None]] for one "
                        f"example x.")
            yield arrays
