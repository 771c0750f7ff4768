"""``tf.data.experimental`` functions that are the core pipeline's methods under
TensorFlow's older names: transformations for ``Dataset.apply`` (``unbatch()``,
``map_and_batch(...)``, ``shuffle_and_repeat(...)``...) and helpers (``at``,
``get_structure``, ``get_single_element``...).

A transformation is a function ``dataset -> dataset``, so
``ds.apply(tf.data.experimental.unique())`` is ``ds.unique()``.
"""

from __future__ import annotations

import enum

from fluxion.data.dataset import Dataset

SHARD_HINT = -1  # a placeholder shard count that tf.data service fills in


class ExternalStatePolicy(enum.Enum):
    """What saving a dataset does with state it cannot save (random seeds...)."""

    WARN = 0
    IGNORE = 1
    FAIL = 2


class AutotuneAlgorithm(enum.Enum):
    """The algorithms TensorFlow's autotuner may use (``AutotuneOptions.autotune_algorithm``)."""

    DEFAULT = 0
    HILL_CLIMB = 1
    GRADIENT_DESCENT = 2
    MAX_PARALLELISM = 3
    STAGE_BASED = 4


def Counter(start=0, step=1, dtype=None, name=None) -> Dataset:  # noqa: N802 - TF's name
    """``start, start + step, ...`` forever (``Dataset.counter``)."""
    from fluxion.core import dtypes

    return Dataset.counter(start, step, dtype or dtypes.int64)


def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True) -> Dataset:
    """Each element from ``datasets[c]`` for the next ``c`` of ``choice_dataset``."""
    return Dataset.choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset)


def sample_from_datasets(datasets, weights=None, seed=None,
                         stop_on_empty_dataset=False) -> Dataset:
    """Each element from a dataset drawn at random with ``weights``."""
    return Dataset.sample_from_datasets(datasets, weights, seed, stop_on_empty_dataset)


def save(dataset, path, compression=None, shard_func=None, checkpoint_args=None) -> None:
    """Writes ``dataset`` to the directory ``path`` (``Dataset.save``)."""
    dataset.save(path, compression, shard_func)


def load(path, element_spec=None, compression=None, reader_func=None) -> Dataset:
    """The dataset ``save`` wrote to ``path`` (``Dataset.load``)."""
    return Dataset.load(path, element_spec, compression, reader_func)


def get_single_element(dataset):
    """The only element of ``dataset`` (an error if it has none or several)."""
    return dataset.get_single_element()


def get_structure(dataset_or_iterator):
    """The element spec of a dataset or an iterator."""
    spec = getattr(dataset_or_iterator, "element_spec", None)
    if spec is None:
        raise TypeError(f"get_structure: expected a Dataset or an iterator, got "
                        f"{type(dataset_or_iterator).__name__}")
    return spec


def at(dataset, index):
    """The element at position ``index`` (counted from 0) of ``dataset``."""
    index = int(index)
    if index < 0:
        raise ValueError(f"at: index must be non-negative, got {index}")
    from fluxion.core.errors import OutOfRangeError

    for element in dataset.skip(index).take(1):
        return element
    raise OutOfRangeError(None, None, f"at: index {index} is past the end of the dataset")


def enumerate_dataset(start=0):
    """A transformation pairing each element with its index: ``(i, element)``."""
    return lambda dataset: dataset.enumerate(start)


def unbatch():
    """A transformation splitting each element along its first dimension."""
    return lambda dataset: dataset.unbatch()


def unique():
    """A transformation dropping elements seen before."""
    return lambda dataset: dataset.unique()


def take_while(predicate):
    """A transformation that stops at the first element where ``predicate`` is False."""
    return lambda dataset: dataset.take_while(predicate)


def scan(initial_state, scan_func):
    """A transformation threading a state: ``scan_func(state, x) -> (state, output)``."""
    return lambda dataset: dataset.scan(initial_state, scan_func)


def map_and_batch(map_func, batch_size, num_parallel_batches=None, drop_remainder=False,
                  num_parallel_calls=None):
    """A transformation mapping then batching (``ds.map(f).batch(batch_size)``)."""
    calls = num_parallel_calls if num_parallel_calls is not None else num_parallel_batches
    return lambda dataset: dataset.map(map_func, num_parallel_calls=calls).batch(
        batch_size, drop_remainder=drop_remainder)


def shuffle_and_repeat(buffer_size, count=None, seed=None):
    """A transformation shuffling each epoch afresh, ``count`` epochs (None: forever)."""
    return lambda dataset: dataset.shuffle(buffer_size, seed=seed).repeat(count)


def parallel_interleave(map_func, cycle_length, block_length=1, sloppy=False,
                        buffer_output_elements=None, prefetch_input_elements=None):
    """A transformation interleaving the datasets ``map_func`` makes of each element."""
    return lambda dataset: dataset.interleave(map_func, cycle_length=cycle_length,
                                              block_length=block_length,
                                              deterministic=not sloppy)


def parse_example_dataset(features, num_parallel_calls=1, deterministic=None):
    """A transformation parsing batches of serialized ``Example`` s with ``features``."""
    from fluxion.io.parsing import parse_example

    return lambda dataset: dataset.map(lambda serialized: parse_example(serialized, features),
                                       num_parallel_calls=num_parallel_calls)


def copy_to_device(target_device, source_device="/cpu:0"):
    """A transformation placing elements on ``target_device``.

    Fluxion's pipelines produce host (CPU) tensors and ops move them where they run,
    so the elements pass through unchanged.
    """
    return lambda dataset: dataset


def prefetch_to_device(device, buffer_size=None):
    """A transformation prefetching ``buffer_size`` elements (for ``device``; see
    ``copy_to_device``)."""
    return lambda dataset: dataset.prefetch(buffer_size if buffer_size is not None else -1)


def pad_to_cardinality(cardinality, mask_key="valid"):
    """A transformation padding a dataset of dicts to ``cardinality`` elements with
    zero-filled ones, adding ``mask_key``: True for real elements, False for padding."""

    def apply(dataset):
        from fluxion.core import errors
        from fluxion.ops.creation_ops import zeros

        count = int(dataset.cardinality())
        if count < 0:
            raise errors.InvalidArgumentError(None, None, "pad_to_cardinality needs a "
                                              "dataset of known cardinality")
        if count > cardinality:
            raise errors.InvalidArgumentError(None, None, f"pad_to_cardinality: the dataset "
                                              f"has {count} elements, more than {cardinality}")
        spec = dataset.element_spec
        if not isinstance(spec, dict) or mask_key in spec:
            raise ValueError(f"pad_to_cardinality: elements must be dicts without the key "
                             f"{mask_key!r}")
        if any(None in s.shape.as_list() for s in spec.values()):
            raise ValueError("pad_to_cardinality: every feature needs a fully known shape")
        from fluxion.core.tensor import constant

        padding = {k: zeros(s.shape, s.dtype) for k, s in spec.items()}
        padding[mask_key] = constant(False)
        real = dataset.map(lambda x: {**x, mask_key: constant(True)})
        return real.concatenate(Dataset.from_tensors(padding).repeat(cardinality - count))

    return apply
