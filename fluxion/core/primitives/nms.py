"""Non-max suppression primitives: greedy selection of boxes by score.

``non_max_suppression`` (optionally soft, with a Gaussian ``soft_sigma``), its padded
form, and ``combined_non_max_suppression`` (per class, then across classes).  Their
output lengths depend on the data; none is differentiable, as in TF.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval, define


def iou_matrix(boxes: np.ndarray) -> np.ndarray:
    """Pairwise intersection over union of ``[N, 4]`` boxes given by any two corners."""
    boxes = boxes.astype(np.float64)
    y1 = np.minimum(boxes[:, 0], boxes[:, 2])
    y2 = np.maximum(boxes[:, 0], boxes[:, 2])
    x1 = np.minimum(boxes[:, 1], boxes[:, 3])
    x2 = np.maximum(boxes[:, 1], boxes[:, 3])
    area = (y2 - y1) * (x2 - x1)
    height = np.clip(np.minimum(y2[:, None], y2[None]) - np.maximum(y1[:, None], y1[None]),
                     0, None)
    width = np.clip(np.minimum(x2[:, None], x2[None]) - np.maximum(x1[:, None], x1[None]),
                    0, None)
    inter = height * width
    union = area[:, None] + area[None] - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(union > 0, inter / union, 0.0)


def greedy_select(overlaps: np.ndarray, scores: np.ndarray, max_output: int,
                  threshold: float, score_threshold: float, soft_sigma: float = 0.0):
    """Greedy (soft-)NMS: indices kept, in selection order, and their (decayed) scores."""
    scores = scores.astype(np.float64).copy()
    alive = scores > score_threshold
    kept, kept_scores = [], []
    while len(kept) < max_output and alive.any():
        best = int(np.argmax(np.where(alive, scores, -np.inf)))
        kept.append(best)
        kept_scores.append(scores[best])
        alive[best] = False
        overlap = overlaps[best]
        if soft_sigma > 0:  # soft-NMS: decay by exp(-iou^2 / (2 sigma)); drop low scores
            decay = np.where(overlap <= threshold, np.exp(-0.5 * overlap * overlap / soft_sigma),
                             0.0)
            scores = np.where(alive, scores * decay, scores)
            alive &= scores > score_threshold
            continue
        alive &= overlap <= threshold
    return np.asarray(kept, np.int32), np.asarray(kept_scores)


def _nms_kernel(boxes, scores, max_output, threshold, score_threshold, soft_sigma,
                from_overlaps):
    # overlaps[candidate, selected] decides, so row ``best`` of the transpose is read.
    overlaps = boxes.T if from_overlaps else iou_matrix(boxes)
    kept, kept_scores = greedy_select(overlaps, scores, int(max_output), float(threshold),
                                      float(score_threshold), float(soft_sigma))
    return kept, kept_scores.astype(scores.dtype)


def _nms_rule(boxes, scores, max_output, threshold, score_threshold, soft_sigma,
              from_overlaps):
    return Aval((None,), dtypes.int32), Aval((None,), scores.dtype)


nms_p = define("non_max_suppression", _nms_kernel, _nms_rule, multiple_results=True,
               fresh_output=True)


def _padded_kernel(boxes, scores, max_output, threshold, score_threshold, pad_to_max):
    lead = boxes.shape[:-2]
    flat_boxes = boxes.reshape((-1,) + boxes.shape[-2:])
    flat_scores = scores.reshape((-1, scores.shape[-1]))
    count = int(max_output)
    results, valid = [], []
    for b, s in zip(flat_boxes, flat_scores):
        kept, _ = greedy_select(iou_matrix(b), s, count, float(threshold),
                                float(score_threshold))
        valid.append(len(kept))
        results.append(np.pad(kept, (0, count - len(kept))))
    indices = np.stack(results).astype(np.int32).reshape(lead + (count,))
    valid = np.asarray(valid, np.int32).reshape(lead)
    if not pad_to_max and not lead:  # a single image: only the valid indices
        indices = indices[:int(valid)]
    return indices, valid


def _padded_rule(boxes, scores, max_output, threshold, score_threshold, pad_to_max):
    lead = tuple(boxes.shape[:-2])
    return Aval(lead + (None,), dtypes.int32), Aval(lead, dtypes.int32)


nms_padded_p = define("non_max_suppression_padded", _padded_kernel, _padded_rule,
                      multiple_results=True, fresh_output=True)


def _combined_kernel(boxes, scores, per_class, total, threshold, score_threshold,
                     pad_per_class, clip_boxes):
    batch, num_boxes, box_classes, _ = boxes.shape
    classes = scores.shape[-1]
    per_class, total = int(per_class), int(total)
    size = min(total, per_class * classes) if pad_per_class else total
    out_boxes = np.zeros((batch, size, 4), np.float32)
    out_scores = np.zeros((batch, size), np.float32)
    out_classes = np.zeros((batch, size), np.float32)
    valid = np.zeros((batch,), np.int32)
    for b in range(batch):
        candidates = []
        for c in range(classes):
            class_boxes = boxes[b, :, c if box_classes > 1 else 0]
            kept, kept_scores = greedy_select(iou_matrix(class_boxes), scores[b, :, c],
                                              per_class, float(threshold),
                                              float(score_threshold))
            candidates += [(s, c, class_boxes[i]) for i, s in zip(kept, kept_scores)]
        candidates.sort(key=lambda item: -item[0])
        candidates = candidates[:size]
        valid[b] = len(candidates)
        for i, (s, c, box) in enumerate(candidates):
            out_boxes[b, i] = np.clip(box, 0, 1) if clip_boxes else box
            out_scores[b, i], out_classes[b, i] = s, c
    return out_boxes, out_scores, out_classes, valid


def _combined_rule(boxes, scores, per_class, total, threshold, score_threshold,
                   pad_per_class, clip_boxes):
    batch = boxes.shape[0]
    return (Aval((batch, None, 4), dtypes.float32), Aval((batch, None), dtypes.float32),
            Aval((batch, None), dtypes.float32), Aval((batch,), dtypes.int32))


combined_nms_p = define("combined_non_max_suppression", _combined_kernel, _combined_rule,
                        multiple_results=True, fresh_output=True)
