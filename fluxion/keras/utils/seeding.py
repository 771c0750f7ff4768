"""``keras.utils.set_random_seed``: one call seeds every random source a program uses."""

from __future__ import annotations

import importlib
import random

import numpy as np


def set_random_seed(seed: int) -> None:
    """Sets all random seeds: Python's ``random``, NumPy's global RNG, Fluxion's global
    seed (``fluxion.random.set_seed``) and the Keras global seed generator.

    Args:
        seed: the integer seed.

    Example:
    >>> set_random_seed(1); a = np.random.rand(); set_random_seed(1)
    >>> a == np.random.rand()
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed} "
                         f"(of type {type(seed)})")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    from fluxion.ops import random_ops

    random_ops.set_seed(seed)
    # The Keras global SeedGenerator (keras.random functions called without a seed).
    try:
        keras_random = importlib.import_module("fluxion.keras.random")
    except ModuleNotFoundError as error:
        if error.name != "fluxion.keras.random":
            raise  # the module exists but is broken: say so
        return
    set_global_seed = getattr(keras_random, "set_global_seed", None)
    if set_global_seed is not None:
        set_global_seed(seed)
