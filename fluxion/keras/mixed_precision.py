"""``keras.mixed_precision``: dtype policies (``set_global_policy("mixed_float16")``) and
``LossScaleOptimizer``.

A policy names the dtype layers compute in and the dtype their variables are stored in;
``mixed_float16`` computes in float16 with float32 variables, and ``Model.compile`` then
wraps the optimizer in a ``LossScaleOptimizer``, as Keras does.
"""

from fluxion.keras.engine.dtype_policy import DTypePolicy, dtype_policy, set_dtype_policy
from fluxion.keras.optimizers.loss_scale_optimizer import LossScaleOptimizer

Policy = DTypePolicy  # Keras 2's name, kept by Keras 3
global_policy = dtype_policy
set_global_policy = set_dtype_policy

__all__ = ["DTypePolicy", "LossScaleOptimizer", "Policy", "dtype_policy", "global_policy",
           "set_dtype_policy", "set_global_policy"]
