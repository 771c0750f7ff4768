"""AutoGraph: Python control flow on tensors, converted to graph control flow.

``fluxion.function`` (with ``autograph=True``, the default) converts the Python
function it traces, and the user functions that one calls, so that ``if``, ``while``
and ``for`` on traced tensors become ``cond`` and ``while_loop`` -- with ``break``,
``continue`` and ``return`` inside them -- while control flow on Python values stays
Python.  The pieces:

- ``scopes``, ``jumps``, ``expressions``, ``transformer``: the source transformation;
- ``conditionals``, ``loops``, ``builtins``, ``tensor_list``, ``undefined``: the runtime
  operators the converted code calls (``operators`` gathers them as ``ag__``);
- ``conversion``: compiling, caching, ``converted_call`` and the public functions.
"""

from fluxion.graph.autograph import experimental
from fluxion.graph.autograph.conversion import (
    convert_callable,
    do_not_convert,
    enabled_scope,
    is_user_code,
    set_verbosity,
    status,
    to_code,
    to_graph,
    trace,
)

# ``import fluxion as tf``: ``tf.autograph`` is this package; TF's public names are
# experimental, set_verbosity, to_code, to_graph and trace.
__all__ = ["convert_callable", "do_not_convert", "enabled_scope", "experimental",
           "is_user_code", "set_verbosity", "status", "to_code", "to_graph", "trace"]
