"""``keras.ops``: Keras 3's backend-agnostic ops, on Fluxion's engine.

NumPy's names and semantics (``sum(x, axis=None, keepdims=False)``, ``concatenate``,
``take_along_axis``...), Keras's dtype promotion (``int32 + float32 -> float32``: see
``promotion``), plus ``keras.ops.nn`` and ``keras.ops.linalg``.  Every op also lives flat
here, as in Keras.  Ops take tensors, variables, NumPy arrays and Python numbers, work
inside ``fluxion.function``, and on KerasTensors build functional-model nodes.

>>> from fluxion.keras import ops
>>> ops.mean(ops.arange(4)).numpy()
np.float32(1.5)
"""

from fluxion.keras.ops import image, linalg, nn, numpy
from fluxion.keras.ops.core_ops import *  # noqa: F403
from fluxion.keras.ops.fft_ops import *  # noqa: F403
from fluxion.keras.ops.linalg_ops import *  # noqa: F403
from fluxion.keras.ops.math_ops import *  # noqa: F403
from fluxion.keras.ops.nn_conv_ops import *  # noqa: F403
from fluxion.keras.ops.nn_ops import *  # noqa: F403
from fluxion.keras.ops.numpy_creation import *  # noqa: F403
from fluxion.keras.ops.numpy_math import *  # noqa: F403
from fluxion.keras.ops.numpy_products import *  # noqa: F403
from fluxion.keras.ops.numpy_reduce import *  # noqa: F403
from fluxion.keras.ops.numpy_shape import *  # noqa: F403


def _install_symbolic_operations() -> None:
    """Lets KerasTensors and saved functional models reach these ops.

    ``x + y`` on KerasTensors applies ``add`` as a model node, and a config Keras wrote
    names operations by class (``keras.src.ops.numpy.Add``).  Both KerasTensor and
    serialization sit below this package, so it installs itself with them here; the
    layer that records an operation loads when one is first applied or read back.
    """
    import sys

    from fluxion.keras.engine import keras_tensor
    from fluxion.keras.saving.serialization import register_module_resolver

    namespace = sys.modules[__name__]

    def apply(op_name: str, args: tuple):
        from fluxion.keras.layers.op_layer import apply_operation

        return apply_operation(getattr(namespace, op_name), args, {})

    def resolve(class_name: str, module: str):
        from fluxion.keras.layers.op_layer import OperationLayer

        return OperationLayer.for_keras_class(class_name, module, namespace)

    keras_tensor.install_operator_dispatch(apply)
    register_module_resolver("keras.src.ops.", resolve)


_install_symbolic_operations()
