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
    from fluxion.data.transforms import AssertCardinalityDataset
    return lambda dataset: AssertCardinalityDataset(dataset, expected_cardinality)


__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "DatasetSpec",
           "AutoShardPolicy", "AutotuneOptions", "DistributeOptions", "OptimizationOptions",
           "ThreadingOptions", "cardinality", "ignore_errors", "assert_cardinality"]
