"""``keras.export.ExportArchive``: a saved model with the endpoints you choose (Keras 3).

Track the models or layers whose variables the endpoints use, add endpoints (a
function and its input signature), add named variable collections, and write the
directory.  Every endpoint is a function of the loaded object (``loaded.serve(x)``)
and a signature of the same name; the first endpoint is also ``serving_default``
(TensorFlow Serving's default), unless one has that name.

>>> archive = ExportArchive()                                          # doctest: +SKIP
>>> archive.track(model)                                               # doctest: +SKIP
>>> archive.add_endpoint("serve", model.call,                          # doctest: +SKIP
...                      input_signature=[keras.InputSpec(shape=(None, 3))])
>>> archive.write_out("path/to/location")                              # doctest: +SKIP
"""

from __future__ import annotations

import os

from fluxion.core import nest
from fluxion.core.tensor_spec import TensorSpec
from fluxion.saved_model.saver import DEFAULT_SIGNATURE, Collected, save_collected


class ExportArchive:
    """Collects endpoints and variables, then writes them as one saved model."""

    def __init__(self, format: str = "saved_model"):
        if format != "saved_model":
            raise ValueError(f"ExportArchive: unrecognized format {format!r}; supported: "
                             f"['saved_model']")
        self._endpoints: dict[str, object] = {}
        self._tracked: list = []
        self._collections: dict[str, list] = {}

    @property
    def endpoint_names(self) -> list[str]:
        return list(self._endpoints)

    def track(self, resource) -> None:
        """Tracks a layer's or model's variables (the loaded object's ``variables``)."""
        from fluxion.keras.layers.layer import Layer

        if not isinstance(resource, Layer):
            raise ValueError(f"Invalid resource type. Expected a Keras layer or model. "
                             f"Received: {resource!r} of type {type(resource).__name__}")
        if not resource.built:
            raise ValueError(f"The layer provided has not yet been built. It must be built "
                             f"before export: {resource.name!r}")
        self._tracked.append(resource)

    def add_endpoint(self, name: str, fn, input_signature=None, **kwargs):
        """Registers ``fn`` as the endpoint ``name``; returns the traced function.

        ``input_signature``: a list (one entry per positional argument) of
        ``keras.InputSpec``, ``fluxion.TensorSpec`` or ``KerasTensor`` structures.
        Without it, ``fn`` must be a ``fluxion.function`` traced once or having one.
        """
        from fluxion.graph.function import Function

        if kwargs:
            raise TypeError(f"add_endpoint got unexpected arguments {sorted(kwargs)}")
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            raise ValueError(f"The endpoint name must be a public Python identifier, got "
                             f"{name!r}")
        if name in self._endpoints:
            raise ValueError(f"Endpoint name '{name}' is already taken.")
        if input_signature is not None:
            signature = [nest.map_structure(_as_tensor_spec, spec) for spec in input_signature]
            function = Function(fn, input_signature=signature, name=name)
        elif isinstance(fn, Function) and (fn.input_signature is not None or
                                           len(fn._traces) == 1):
            function = fn
        else:
            raise ValueError("You must either provide an `input_signature` or a "
                             "`fluxion.function` that has been called at least once (and "
                             "only with one input signature).")
        if function.input_signature is not None:
            function.get_concrete_function()  # traced now: a bad signature fails here
        self._endpoints[name] = function
        return function

    def track_and_add_endpoint(self, name: str, resource, input_signature, **kwargs):
        """``track(resource)``, then an endpoint calling it with ``training=False``."""
        self.track(resource)

        def call(*args):
            return resource(*args, training=False)

        return self.add_endpoint(name, call, input_signature, **kwargs)

    def add_variable_collection(self, name: str, variables) -> None:
        """Saves ``variables`` as the loaded object's list attribute ``name``."""
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            raise ValueError(f"The collection name must be a public Python identifier, "
                             f"got {name!r}")
        variables = list(variables)
        if not all(hasattr(v, "_read_for_op") and hasattr(v, "assign") for v in variables):
            raise ValueError(f"Expected all elements in `variables` to be Variables; "
                             f"received {variables!r}")
        self._collections[name] = variables

    def write_out(self, filepath, options=None, verbose: bool = True) -> None:
        """Writes the saved model to the directory ``filepath`` (atomically)."""
        del options
        if not self._endpoints:
            raise ValueError("No endpoints have been set yet. Call add_endpoint().")
        found = Collected()
        found.functions.update(self._endpoints)
        weights = {}
        for resource in self._tracked:
            for variable in resource.weights:
                weights[id(variable)] = variable
        found.all_variables = list(weights.values())
        found.variable_lists.update(self._collections)
        found.signatures.update(self._endpoints)
        if DEFAULT_SIGNATURE not in found.signatures:
            found.signatures[DEFAULT_SIGNATURE] = next(iter(self._endpoints.values()))
        save_collected(found, filepath)
        if verbose:
            endpoints = ", ".join(f"'{name}'" for name in self._endpoints)
            print(f"Saved artifact at '{os.fspath(filepath)}'. The following endpoints are "
                  f"available: {endpoints}")


def _as_tensor_spec(spec) -> TensorSpec:
    """A ``TensorSpec`` from a ``keras.InputSpec``, a ``TensorSpec`` or a KerasTensor."""
    if isinstance(spec, TensorSpec):
        return spec
    shape = getattr(spec, "shape", None)
    if shape is None:
        raise ValueError(f"Cannot tell the shape of input spec {spec!r}; give a shape.")
    dtype = getattr(spec, "dtype", None) or "float32"
    return TensorSpec(tuple(shape), dtype, getattr(spec, "name", None))
