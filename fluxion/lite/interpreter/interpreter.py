"""``FluxionInterpreter``: runs a ``.tflite`` file with Fluxion's own kernels.

It has the interface of TensorFlow's ``tf.lite.Interpreter`` (and LiteRT's): construct
from ``model_path=`` or ``model_content=``, ``allocate_tensors()``, read the
``get_input_details()``, ``set_tensor``, ``invoke()``, ``get_tensor``; or call a
signature runner with keyword inputs.  ``fluxion.lite.Interpreter`` is LiteRT's when the
``ai-edge-litert`` package is installed and this class otherwise.

The file is read once (``model_reader``); every operator's kernel is looked up in the
kernel table (``kernels.registry``) when the interpreter is built, so a file with an
operator Fluxion cannot run fails at once, naming it.  ``invoke`` walks the operators in
the file's order; each subgraph keeps its tensors' arrays, so ``get_tensor`` reads
intermediate tensors too, and variable tensors (recurrent states) keep their values
from one ``invoke`` to the next until ``reset_all_variables()``.
"""

from __future__ import annotations

import numpy as np

from fluxion.lite.interpreter.kernels.registry import OperatorCall, kernel_table
from fluxion.lite.interpreter.model_reader import read_model
from fluxion.lite.interpreter.signature_runner import SignatureRunner, tensor_details

# keyword arguments of TF's interpreter that choose delegates, threads or kernels: they
# do not change what a model computes, so Fluxion accepts and ignores them
_IGNORED_OPTIONS = ("experimental_delegates", "num_threads", "experimental_op_resolver_type",
                    "experimental_preserve_all_tensors",
                    "experimental_disable_delegate_clustering",
                    "experimental_default_delegate_latest_features")


class UnsupportedOperatorError(ValueError):
    """The file has an operator that Fluxion's interpreter has no kernel for."""


class FluxionInterpreter:
    """Runs a TensorFlow Lite model with Fluxion's NumPy kernels.

    >>> interpreter = FluxionInterpreter(model_content=content)  # doctest: +SKIP
    >>> interpreter.allocate_tensors()  # doctest: +SKIP
    >>> index = interpreter.get_input_details()[0]["index"]  # doctest: +SKIP
    >>> interpreter.set_tensor(index, x); interpreter.invoke()  # doctest: +SKIP
    """

    def __init__(self, model_path: str | None = None, model_content: bytes | None = None,
                 **options):
        unknown = sorted(set(options) - set(_IGNORED_OPTIONS))
        if unknown:
            raise TypeError(f"Interpreter() got unexpected keyword arguments {unknown}")
        if (model_path is None) == (model_content is None):
            raise ValueError("Interpreter needs exactly one of model_path= and "
                             "model_content=")
        if model_path is not None:
            with open(model_path, "rb") as file:
                model_content = file.read()
        self._model = read_model(model_content)
        if not self._model.subgraphs:
            raise ValueError("the TFLite file has no subgraphs")
        self._plans = [self._plan(subgraph) for subgraph in self._model.subgraphs]
        main = self._model.subgraphs[0]
        self._input_shapes = {i: main.tensors[i].shape for i in main.inputs}
        self._values: list[list] = []
        self._shapes: dict[int, tuple] = {}
        self._allocated = False
        self._running = 0  # the subgraph being run (variable writes go there)

    # --- preparation ------------------------------------------------------------------------
    @staticmethod
    def _plan(subgraph) -> list:
        table = kernel_table()
        plan = []
        for op in subgraph.operators:
            kernel = table.get(op.opcode)
            where = f"(operator {op.index} of subgraph {subgraph.index})"
            if kernel is None and op.opcode.startswith("CUSTOM"):
                raise UnsupportedOperatorError(
                    f"Fluxion's TFLite interpreter runs builtin operators only; the file has "
                    f"the custom operator {op.opcode[len('CUSTOM'):].strip(' ()')!r} "
                    f"{where} (a TensorFlow op kept by SELECT_TF_OPS, or a registered "
                    f"custom op): run it with LiteRT and that op's registration.")
            if kernel is None:
                raise UnsupportedOperatorError(
                    f"Fluxion's TFLite interpreter has no kernel for the builtin operator "
                    f"{op.opcode} {where}. Install LiteRT (pip install ai-edge-litert) to "
                    f"run this file; Fluxion runs {len(table)} builtin operators.")
            infos = [subgraph.tensors[i] if i >= 0 else None for i in op.inputs]
            plan.append((op, kernel, infos, [subgraph.tensors[i] for i in op.outputs]))
        return plan

    def resize_tensor_input(self, input_index: int, tensor_size, strict: bool = False
                            ) -> None:
        """Gives input ``input_index`` (a tensor index) the shape ``tensor_size``; with
        ``strict``, only dimensions unknown in the file (-1 in its signature) may change."""
        if input_index not in self._input_shapes:
            raise ValueError(f"resize_tensor_input: tensor {input_index} is not an input; "
                             f"the inputs are tensors {list(self._input_shapes)}")
        shape = tuple(int(d) for d in np.asarray(tensor_size).reshape(-1))
        info = self._model.subgraphs[0].tensors[input_index]
        if strict:
            signature = info.shape_signature
            if len(shape) != len(signature) or any(
                    s != -1 and s != d for s, d in zip(signature, shape)):
                raise ValueError(f"resize_tensor_input(strict=True): input {input_index} "
                                 f"({info.name!r}) has signature {list(signature)}; only "
                                 f"its -1 dimensions may change, got {list(shape)}")
        if shape != self._input_shapes[input_index]:
            self._input_shapes[input_index] = shape
            self._allocated = False

    def allocate_tensors(self) -> None:
        """Prepares the tensors for the input shapes set (call again after a resize)."""
        self._values = [self._initial_values(s) for s in self._model.subgraphs]
        main = self._model.subgraphs[0]
        self._shapes = {t.index: t.shape for t in main.tensors}
        for index, shape in self._input_shapes.items():
            self._values[0][index] = np.zeros(shape, main.tensors[index].dtype)
            self._shapes[index] = shape
        self._allocated = True
        if any(shape != main.tensors[i].shape for i, shape in self._input_shapes.items()):
            # the other tensors' shapes follow from the inputs': a run on zeros finds them
            with np.errstate(all="ignore"):
                self.invoke()
            self.reset_all_variables()

    def _initial_values(self, subgraph) -> list:
        values = []
        for info in subgraph.tensors:
            if info.is_variable:
                values.append(np.array(info.data) if info.data is not None
                              else np.zeros(info.shape, info.dtype))
            else:
                values.append(info.data)
        return values

    def reset_all_variables(self) -> None:
        """Sets every variable tensor (recurrent states) back to its initial value."""
        for subgraph, values in zip(self._model.subgraphs, self._values):
            for info in subgraph.tensors:
                if info.is_variable:
                    values[info.index] = np.array(info.data) if info.data is not None \
                        else np.zeros(info.shape, info.dtype)

    # --- details ----------------------------------------------------------------------------
    def get_input_details(self) -> list[dict]:
        main = self._model.subgraphs[0]
        return [self._details(main.tensors[i]) for i in main.inputs]

    def get_output_details(self) -> list[dict]:
        main = self._model.subgraphs[0]
        return [self._details(main.tensors[i]) for i in main.outputs]

    def get_tensor_details(self) -> list[dict]:
        return [self._details(info) for info in self._model.subgraphs[0].tensors]

    def _details(self, info) -> dict:
        return tensor_details(info, self._shapes.get(info.index, info.shape))

    def get_signature_list(self) -> dict:
        return {s.key: {"inputs": list(s.inputs), "outputs": list(s.outputs)}
                for s in self._model.signatures}

    def get_signature_runner(self, signature_key: str | None = None) -> SignatureRunner:
        """A callable running one signature with keyword inputs: ``runner(x=array)``
        returns ``{output name: array}``."""
        signatures = {s.key: s for s in self._model.signatures}
        if signature_key is None:
            if len(signatures) != 1:
                raise ValueError(f"the model has {len(signatures)} signatures "
                                 f"{sorted(signatures)}; name one: "
                                 f"get_signature_runner(signature_key=...)")
            signature_key = next(iter(signatures))
        if signature_key not in signatures:
            raise ValueError(f"no signature {signature_key!r}; the model's signatures are "
                             f"{sorted(signatures)}")
        return SignatureRunner(self, signatures[signature_key])

    # --- running ----------------------------------------------------------------------------
    def set_tensor(self, tensor_index: int, value) -> None:
        self._require_allocated("set_tensor")
        main = self._model.subgraphs[0]
        info = main.tensors[tensor_index]
        value = np.asarray(value)
        expected = self._shapes.get(tensor_index, info.shape)
        role = f"input {tensor_index} ({info.name!r})"
        if value.dtype != info.dtype:
            raise ValueError(f"Cannot set tensor: {role} holds {info.dtype.name}; got "
                             f"{value.dtype.name}. Convert it: value.astype(np."
                             f"{info.dtype.name}).")
        if tuple(value.shape) != tuple(expected):
            raise ValueError(f"Cannot set tensor: {role} has shape {list(expected)}; got "
                             f"shape {list(value.shape)}. Call resize_tensor_input("
                             f"{tensor_index}, {list(value.shape)}) and allocate_tensors() "
                             f"first.")
        if info.data is not None and not info.is_variable:
            raise ValueError(f"Cannot set tensor {tensor_index} ({info.name!r}): it is a "
                             f"constant of the model")
        self._values[0][tensor_index] = np.array(value)

    def invoke(self) -> None:
        """Runs the model on the inputs set."""
        self._require_allocated("invoke")
        main = self._model.subgraphs[0]
        self._execute(0)
        for index in main.outputs:
            value = self._values[0][index]
            if value is not None:
                self._shapes[index] = value.shape

    def get_tensor(self, tensor_index: int, subgraph_index: int = 0) -> np.ndarray:
        """A copy of the tensor's current value."""
        self._require_allocated("get_tensor")
        value = self._values[subgraph_index][tensor_index]
        if value is None:
            info = self._model.subgraphs[subgraph_index].tensors[tensor_index]
            return np.zeros(self._shapes.get(tensor_index, info.shape), info.dtype)
        return np.array(value)

    def tensor(self, tensor_index: int):
        """A function returning the tensor's current array (without copying it)."""
        return lambda: self._values[0][tensor_index]

    def _require_allocated(self, what: str) -> None:
        if not self._allocated:
            raise RuntimeError(f"{what}() before allocate_tensors(): call "
                               f"interpreter.allocate_tensors() first (and again after "
                               f"resize_tensor_input).")

    # --- what kernels call ------------------------------------------------------------------
    def run_subgraph(self, index: int, arrays: list) -> list:
        """Runs subgraph ``index`` on ``arrays`` (its inputs in order); its outputs."""
        subgraph = self._model.subgraphs[index]
        values = self._values[index]
        for position, array in zip(subgraph.inputs, arrays):
            values[position] = array
        self._execute(index)
        return [values[i] for i in subgraph.outputs]

    def assign(self, tensor_index: int, value: np.ndarray) -> None:
        self._values[self._running][tensor_index] = value

    def _execute(self, index: int) -> None:
        values = self._values[index]
        caller, self._running = self._running, index
        try:
            for op, kernel, input_infos, output_infos in self._plans[index]:
                inputs = [values[i] if i >= 0 else None for i in op.inputs]
                result = kernel(OperatorCall(op, inputs, input_infos, output_infos, self))
                results = result if isinstance(result, tuple) else (result,)
                for info, array in zip(output_infos, results):
                    array = np.asarray(array)
                    if array.dtype != info.dtype:
                        array = array.astype(info.dtype)
                    values[info.index] = array
        finally:
            self._running = caller
