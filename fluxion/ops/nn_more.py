"""``tf.nn`` names built on other ops: ``isotonic_regression`` (pool-adjacent-violators
segments, then segment means: differentiable), ``with_space_to_batch`` (atrous
operations through space-to-batch), the TF 1 style RNN cell wrappers, and
``ctc_beam_search_decoder``.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitives.shape import reshape, transpose
from fluxion.core.tensor import convert_to_tensor

__all__ = ["isotonic_regression", "with_space_to_batch", "RNNCellDropoutWrapper",
           "RNNCellResidualWrapper", "RNNCellDeviceWrapper", "ctc_beam_search_decoder"]


def _pav_segments(row: np.ndarray, decreasing: bool) -> np.ndarray:
    """Segment ids of the pool-adjacent-violators solution for one row."""
    values = -row if not decreasing else row  # solve the decreasing problem
    sums, counts, starts = [], [], []
    for i, v in enumerate(values.tolist()):
        sums.append(v)
        counts.append(1)
        starts.append(i)
        while len(sums) > 1 and sums[-2] / counts[-2] <= sums[-1] / counts[-1]:
            merged_sum, merged_count = sums.pop(), counts.pop()
            sums[-1] += merged_sum
            counts[-1] += merged_count
            starts.pop()
    segments = np.zeros(len(values), np.int32)
    for k, start in enumerate(starts):
        segments[start:] = k
    return segments


def isotonic_regression(inputs, decreasing=True, axis=-1):
    """The closest (least-squares) monotone sequence along ``axis``, and the segment id of
    each element: ``(output, segments)``."""
    from fluxion.ops.segment_ops import unsorted_segment_mean

    x = convert_to_tensor(inputs)
    rank = x.shape.rank
    axis = axis % rank
    perm = [i for i in range(rank) if i != axis] + [axis]
    moved = transpose(x, perm) if axis != rank - 1 else x
    rows = np.asarray(moved._value).reshape(-1, moved.shape[-1])
    segments = np.stack([_pav_segments(r, decreasing) for r in rows]) if rows.size else \
        np.zeros(rows.shape, np.int32)
    width = moved.shape[-1]
    flat_ids = (segments + np.arange(len(rows))[:, None] * width).reshape(-1)
    values = reshape(moved, [-1])
    means = unsorted_segment_mean(values, flat_ids.astype(np.int32), len(rows) * width)
    from fluxion.core.primitives.gather_scatter import gather

    output = reshape(gather(means, convert_to_tensor(flat_ids.astype(np.int32))),
                     moved.shape.as_list())
    segments = convert_to_tensor(segments.reshape(moved.shape.as_list()))
    if axis != rank - 1:
        back = list(np.argsort(perm))
        output, segments = transpose(output, back), transpose(segments, back)
    return output, segments


def with_space_to_batch(input, dilation_rate, padding, op, filter_shape=None,  # noqa: A002
                        spatial_dims=None, data_format=None):
    """Runs ``op(converted_input, num_spatial_dims, padding)`` at ``dilation_rate`` by
    moving the dilation into the batch (space-to-batch), then moves it back."""
    from fluxion.ops.array_extra import (
        batch_to_space,
        required_space_to_batch_paddings,
        space_to_batch_nd,
    )

    x = convert_to_tensor(input)
    rate = [int(r) for r in np.asarray(dilation_rate).reshape(-1)]
    dims = len(rate)
    if all(r == 1 for r in rate):
        return op(x, dims, padding)
    shape = x.shape.as_list()[1:1 + dims]
    if padding == "SAME":
        kernel = [int(k) for k in np.asarray(filter_shape).reshape(-1)][:dims]
        total = [(k - 1) * r for k, r in zip(kernel, rate)]
        base = [[t // 2, t - t // 2] for t in total]
    else:
        base = [[0, 0]] * dims
    paddings, crops = required_space_to_batch_paddings(shape, rate, base)
    converted = space_to_batch_nd(x, rate, np.asarray(paddings._value))
    result = op(converted, dims, "VALID")
    return batch_to_space(result, rate, np.asarray(crops._value))


class _CellWrapper:
    def __init__(self, cell):
        self.cell = cell

    @property
    def state_size(self):
        return self.cell.state_size

    @property
    def output_size(self):
        return self.cell.output_size

    def get_initial_state(self, *args, **kwargs):
        return self.cell.get_initial_state(*args, **kwargs)

    def zero_state(self, batch_size, dtype):
        return self.cell.zero_state(batch_size, dtype)

    def __call__(self, inputs, state, **kwargs):
        return self.cell(inputs, state, **kwargs)


class RNNCellDropoutWrapper(_CellWrapper):
    """Applies dropout to a cell's inputs, outputs and state (TF 1's DropoutWrapper)."""

    def __init__(self, cell, input_keep_prob=1.0, output_keep_prob=1.0, state_keep_prob=1.0,
                 variational_recurrent=False, input_size=None, dtype=None, seed=None,
                 dropout_state_filter_visitor=None, **kwargs):
        super().__init__(cell)
        self.input_keep_prob, self.output_keep_prob = input_keep_prob, output_keep_prob
        self.state_keep_prob, self.seed = state_keep_prob, seed

    def _drop(self, value, keep):
        from fluxion.core import nest
        from fluxion.ops.dropout_ops import dropout

        if keep >= 1.0:
            return value
        return nest.map_structure(lambda v: dropout(v, rate=1 - keep, seed=self.seed), value)

    def __call__(self, inputs, state, training=True, **kwargs):
        if training:
            inputs = self._drop(inputs, self.input_keep_prob)
        output, new_state = self.cell(inputs, state, **kwargs)
        if training:
            output = self._drop(output, self.output_keep_prob)
            new_state = self._drop(new_state, self.state_keep_prob)
        return output, new_state


class RNNCellResidualWrapper(_CellWrapper):
    """Adds a cell's input to its output (``residual_fn(inputs, outputs)``)."""

    def __init__(self, cell, residual_fn=None, **kwargs):
        super().__init__(cell)
        self.residual_fn = residual_fn or (lambda inputs, outputs: inputs + outputs)

    def __call__(self, inputs, state, **kwargs):
        output, new_state = self.cell(inputs, state, **kwargs)
        return self.residual_fn(inputs, output), new_state


class RNNCellDeviceWrapper(_CellWrapper):
    """Runs a cell under a device scope."""

    def __init__(self, cell, device, **kwargs):
        super().__init__(cell)
        self.device = device

    def __call__(self, inputs, state, **kwargs):
        from fluxion.core.device import device

        with device(self.device):
            return self.cell(inputs, state, **kwargs)


def ctc_beam_search_decoder(inputs, sequence_length, beam_width=100, top_paths=1):
    """Prefix beam search over time-major ``inputs`` ``[time, batch, classes]`` (the
    last class is the blank).  Returns ``(decoded, log_probabilities)``: a list of
    ``top_paths`` SparseTensors and ``[batch, top_paths]`` log-probabilities."""
    from fluxion.ops.sparse_tensor import SparseTensor

    logits = np.asarray(convert_to_tensor(inputs)._value, np.float64)
    lengths = np.asarray(convert_to_tensor(sequence_length)._value)
    steps, batch, classes = logits.shape
    blank = classes - 1
    log_y = logits - np.log(np.exp(logits - logits.max(-1, keepdims=True)).sum(
        -1, keepdims=True)) - logits.max(-1, keepdims=True)
    results = []
    for b in range(batch):
        beams = {(): (0.0, -np.inf)}  # prefix -> (log P ending in blank, ... in non-blank)
        for t in range(int(lengths[b])):
            grown: dict = {}

            def add(prefix, blank_p, label_p, grown=grown):
                old = grown.get(prefix, (-np.inf, -np.inf))
                grown[prefix] = (np.logaddexp(old[0], blank_p), np.logaddexp(old[1], label_p))

            for prefix, (p_blank, p_label) in beams.items():
                total = np.logaddexp(p_blank, p_label)
                add(prefix, total + log_y[t, b, blank], -np.inf)
                for k in range(classes - 1):
                    p = log_y[t, b, k]
                    if prefix and prefix[-1] == k:
                        add(prefix, -np.inf, p_label + p)  # repeat collapses
                        add(prefix + (k,), -np.inf, p_blank + p)
                    else:
                        add(prefix + (k,), -np.inf, total + p)
            ranked = sorted(grown.items(), key=lambda kv: -np.logaddexp(*kv[1]))
            beams = dict(ranked[:int(beam_width)])
        ranked = sorted(beams.items(), key=lambda kv: -np.logaddexp(*kv[1]))[:int(top_paths)]
        results.append([(list(p), float(np.logaddexp(*s))) for p, s in ranked])
    decoded, log_probs = [], np.full((batch, int(top_paths)), -np.inf, np.float32)
    for path in range(int(top_paths)):
        indices, values, width = [], [], 0
        for b, found in enumerate(results):
            if path < len(found):
                labels, score = found[path]
                log_probs[b, path] = score
                indices += [[b, t] for t in range(len(labels))]
                values += labels
                width = max(width, len(labels))
        decoded.append(SparseTensor(np.array(indices, np.int64).reshape(-1, 2),
                                    np.array(values, np.int64), [batch, width]))
    return decoded, convert_to_tensor(log_probs)

