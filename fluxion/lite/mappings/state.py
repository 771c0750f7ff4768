"""TFLite for reading a variable: the file stores the variable's value at conversion time
(TF's converter freezes variables the same way), so the operators reading it see a
constant and fold with it (a Dense kernel becomes FULLY_CONNECTED weights)."""

from __future__ import annotations

import numpy as np

from fluxion.lite.mappings import lowers


@lowers("read_variable")
def lower_read_variable(ctx, node):
    return np.asarray(node.attrs["variable"].deref().numpy())
