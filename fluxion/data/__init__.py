"""``fluxion.data``: input pipelines with ``tf.data``'s API.

>>> import fluxion as tf
>>> ds = tf.data.Dataset.range(10).shuffle(10, seed=1).batch(4)
>>> [b.shape.as_list() for b in ds]
[[4], [4], [2]]
"""

from fluxion.core.tensor_spec import TensorSpec

# Every stage module, so that Dataset's methods find their stages (stage_registry).
from fluxion.data import (  # noqa: F401
    batching,
    cache,
    counting,
    experimental,
    file_lists,
    prefetch,
    sampling,
    save_load,
    shuffle,
    sources,
    transforms,
    windowing,
)
from fluxion.data.dataset import Dataset, DatasetIterator
from fluxion.data.element_spec import INFINITE as INFINITE_CARDINALITY
from fluxion.data.element_spec import UNKNOWN as UNKNOWN_CARDINALITY
from fluxion.data.element_spec import DatasetSpec
from fluxion.data.iterators import IteratorSpec, NumpyIterator
from fluxion.data.options import Options, ThreadingOptions
from fluxion.data.prefetch import AUTOTUNE

Iterator = DatasetIterator

# File readers load on first use (module attribute -> defining module).
_READERS = {"TextLineDataset": "fluxion.data.readers", "TFRecordDataset": "fluxion.data.readers",
            "FixedLengthRecordDataset": "fluxion.data.readers"}


def __getattr__(name):
    module = _READERS.get(name)
    if module is None:
        raise AttributeError(f"module 'fluxion.data' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "Dataset", "DatasetSpec",
           "Iterator", "IteratorSpec", "NumpyIterator", "Options", "ThreadingOptions",
           "TensorSpec", "experimental"]
