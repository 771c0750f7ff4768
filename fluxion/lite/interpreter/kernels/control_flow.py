"""WHILE and IF: the operators whose bodies are other subgraphs of the file (TF's
converter writes Keras's recurrent layers as a WHILE loop)."""

from __future__ import annotations

import numpy as np

from fluxion.lite.interpreter.kernels.registry import kernel


@kernel("WHILE")
def while_loop(call):
    condition = call.option("CondSubgraphIndex")
    body = call.option("BodySubgraphIndex")
    values = list(call.inputs)
    while bool(np.asarray(call.run_subgraph(condition, values)[0]).reshape(-1)[0]):
        values = list(call.run_subgraph(body, values))
    return tuple(values)


@kernel("IF")
def if_kernel(call):
    branch = call.option("ThenSubgraphIndex") if bool(np.asarray(call.inputs[0]).reshape(-1)[0]) \
        else call.option("ElseSubgraphIndex")
    return tuple(call.run_subgraph(branch, list(call.inputs[1:])))
