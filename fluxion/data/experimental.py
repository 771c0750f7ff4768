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


_LAZY_NAMES = {"CsvDataset": "fluxion.data.csv_readers",
            "make_csv_dataset": "fluxion.data.csv_readers"}
# Names defined in modules of their own, loaded on first use.
for _module, _names in (
        ("fluxion.data.experimental_ops", (
            "SHARD_HINT", "AutotuneAlgorithm", "Counter", "ExternalStatePolicy", "at",
            "choose_from_datasets", "copy_to_device", "enumerate_dataset",
            "get_single_element", "get_structure", "load", "map_and_batch",
            "pad_to_cardinality", "parallel_interleave", "parse_example_dataset",
            "prefetch_to_device", "sample_from_datasets", "save", "scan",
            "shuffle_and_repeat", "take_while", "unbatch", "unique")),
        ("fluxion.data.experimental_sources", (
            "RandomDataset", "SqlDataset", "TFRecordWriter", "from_list",
            "make_batched_features_dataset")),
        ("fluxion.data.sparse_ragged_batching", ("dense_to_ragged_batch",
                                                 "dense_to_sparse_batch")),
        ("fluxion.data.optional", ("Optional", "get_next_as_optional")),
        ("fluxion.data.grouping", (
            "Reducer", "bucket_by_sequence_length", "group_by_reducer", "group_by_window"))):
    _LAZY_NAMES.update(dict.fromkeys(_names, _module))


def __getattr__(name):
    module = _LAZY_NAMES.get(name)
    if module is None:
        raise AttributeError(f"module 'fluxion.data.experimental' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


def __dir__():
    return sorted(set(globals()) | set(_LAZY_NAMES))


# The lazily loaded names are served by __getattr__, so they are not in __all__.
__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "DatasetSpec",
           "AutoShardPolicy", "AutotuneOptions", "DistributeOptions", "OptimizationOptions",
           "ThreadingOptions", "cardinality", "ignore_errors", "assert_cardinality"]
