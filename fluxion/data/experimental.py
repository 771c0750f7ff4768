"""``fluxion.data.experimental``: TF's experimental names that the core pipeline provides."""

from __future__ import annotations

from fluxion.data.element_spec import INFINITE as INFINITE_CARDINALITY
from fluxion.data.element_spec import UNKNOWN as UNKNOWN_CARDINALITY
from fluxion.data.element_spec import DatasetSpec
from fluxion.data.options import (
    AutoShardPolicy,
    AutotuneOptions,
    DistributeOptions,
    OptimizationOptions,
    ThreadingOptions,
)
from fluxion.data.prefetch import AUTOTUNE


def cardinality(dataset):
    """``dataset.cardinality()`` (``tf.data.experimental.cardinality``)."""
    return dataset.cardinality()


def ignore_errors(log_warning: bool = False):
    """A transformation for ``Dataset.apply`` that drops elements that raise."""
    return lambda dataset: dataset.ignore_errors(log_warning)


def assert_cardinality(expected_cardinality):
    """A transformation for ``Dataset.apply`` that declares the dataset's cardinality."""
    from fluxion.data.counting import AssertCardinalityDataset
    return lambda dataset: AssertCardinalityDataset(dataset, expected_cardinality)


_READERS = {"CsvDataset": "fluxion.data.csv_readers",
            "make_csv_dataset": "fluxion.data.csv_readers"}


def __getattr__(name):
    module = _READERS.get(name)
    if module is None:
        raise AttributeError(f"module 'fluxion.data.experimental' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


# CsvDataset and make_csv_dataset are served by __getattr__, so they are not in __all__.
__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "DatasetSpec",
           "AutoShardPolicy", "AutotuneOptions", "DistributeOptions", "OptimizationOptions",
           "ThreadingOptions", "cardinality", "ignore_errors", "assert_cardinality"]
