"""The ``fluxion.random`` namespace (``tf.random``)."""

import sys
import types

from fluxion.ops.random_candidates import *
from fluxion.ops.random_extra import (  # noqa: F401 - re-exported
    index_shuffle,
    stateless_parameterized_truncated_normal,
)
from fluxion.ops.random_generator import *
from fluxion.ops.random_generator import (
    Algorithm,
    Generator,
    create_rng_state,
    get_global_generator,
    set_global_generator,
)
from fluxion.ops.random_ops import *
from fluxion.ops.random_ops import fold_in, split, stateless_shuffle

experimental = types.ModuleType("fluxion.random.experimental",
                                "The ``tf.random.experimental`` namespace.")
for _name, _value in (("Algorithm", Algorithm), ("Generator", Generator),
                      ("create_rng_state", create_rng_state),
                      ("get_global_generator", get_global_generator),
                      ("set_global_generator", set_global_generator),
                      ("stateless_split", split), ("stateless_fold_in", fold_in),
                      ("stateless_shuffle", stateless_shuffle),
                      ("index_shuffle", index_shuffle)):
    setattr(experimental, _name, _value)
sys.modules[experimental.__name__] = experimental
