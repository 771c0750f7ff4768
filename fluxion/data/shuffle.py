"""``shuffle``: TF's buffer shuffle.

The first ``buffer_size`` elements fill a buffer; each output is a uniformly chosen
buffer entry, whose slot then takes the next input element; once the input ends the
buffer drains in random order.  So element ``i`` of the input can appear no earlier
than position ``i - buffer_size + 1``, and a buffer as large as the dataset gives a
uniform permutation.

Seeds follow TF's rule (``fluxion.random.set_seed`` and the op's ``seed``): with either
set, the order is the same in every run of the program.  Each new iteration of the
dataset (an epoch, ``repeat``) reshuffles unless ``reshuffle_each_iteration=False``.
The buffer algorithm draws the same numbers whatever the elements are, so over a bulk
source (``from_tensor_slices``) ``batch`` can apply it to row indices and gather whole
batches, giving exactly the order the element-wise path would.
"""

from __future__ import annotations

import itertools

import numpy as np

from fluxion.core import errors, random_state
from fluxion.core.tensor import Tensor
from fluxion.data.dataset import Dataset

_DRAWS = 4096
_MASK64 = (1 << 64) - 1
_COUNTER_KEY = ("fluxion.data", "op seed counter")  # forgotten by set_seed, as TF resets


def _next_op_seed() -> int:
    # TF gives each seedless op under a global seed the next value of a counter that
    # set_seed restarts; random_state forgets its streams on set_seed, so the counter
    # lives there.
    counter = random_state._streams.setdefault(_COUNTER_KEY, [0])
    counter[0] += 1
    return counter[0]


def base_seed(op_seed) -> int:
    """The 64-bit seed of a shuffle op under TF's global/op seed rule."""
    if isinstance(op_seed, Tensor):
        op_seed = int(op_seed._value)
    global_seed, op = random_state.get_seed(op_seed)
    if global_seed is None:
        return random_state.non_deterministic_key()
    if op is None:
        op = _next_op_seed()
    return random_state.mix64(global_seed, op, 0x5348)


def shuffled(it, buffer_size: int, seed: int):
    """The elements of ``it`` in buffer-shuffled order."""
    rng = np.random.Generator(np.random.PCG64(seed & _MASK64))
    buffer = list(itertools.islice(it, buffer_size))
    n = len(buffer)
    if n == buffer_size:  # steady state: the buffer stays full
        picks: list = []
        position = 0
        for element in it:
            if position == len(picks):
                picks = (rng.random(_DRAWS) * n).astype(np.intp).tolist()
                position = 0
            j = picks[position]
            position += 1
            out = buffer[j]
            buffer[j] = element
            yield out
    while buffer:
        j = int(rng.random() * len(buffer))
        out = buffer[j]
        buffer[j] = buffer[-1]
        buffer.pop()
        yield out


class ShuffleDataset(Dataset):
    def __init__(self, dataset: Dataset, buffer_size, seed, reshuffle_each_iteration):
        super().__init__((dataset,))
        size = int(buffer_size._value) if isinstance(buffer_size, Tensor) else int(buffer_size)
        if size < 1:
            raise errors.InvalidArgumentError(f"shuffle: buffer_size must be greater than "
                                              f"zero, got {size}.")
        self._buffer = size
        self._seed = base_seed(seed)
        self._reshuffle = True if reshuffle_each_iteration is None \
            else bool(reshuffle_each_iteration)
        self._epoch = 0

    def _iteration_seed(self) -> int:
        if not self._reshuffle:
            return self._seed
        self._epoch += 1
        return random_state.mix64(self._seed, self._epoch)

    def _iterator(self):
        return shuffled(self._inputs[0]._iterator(), self._buffer, self._iteration_seed())

    def _bulk_source(self):
        bulk = self._inputs[0]._bulk_source()
        if bulk is None or bulk.indices is not None:
            return None
        from fluxion.data.sources import BulkSource
        seed, size, buffer = self._iteration_seed(), bulk.size, self._buffer
        return BulkSource(bulk.arrays, bulk.structure, size,
                          indices=lambda: shuffled(iter(range(size)), buffer, seed))

    def _cardinality(self) -> int:
        return self._inputs[0]._cardinality()

    def _compute_element_spec(self):
        return self._inputs[0].element_spec
