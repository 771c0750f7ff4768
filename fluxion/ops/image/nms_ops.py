"""Non-maximum suppression: ``non_max_suppression`` (+ ``_with_scores`` for soft-NMS,
``_padded``, ``_overlaps``) and ``combined_non_max_suppression``.

Greedy selection is sequential and index-valued, with no gradient in TensorFlow either;
each variant is one primitive with a NumPy kernel and a shape rule with an unknown
number of kept boxes.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import op_error
from fluxion.core.primitives.nms import combined_nms_p, nms_p, nms_padded_p
from fluxion.core.tensor import Tensor, convert_to_tensor

__all__ = ["non_max_suppression", "non_max_suppression_with_scores",
           "non_max_suppression_padded", "non_max_suppression_overlaps",
           "combined_non_max_suppression"]


def _scalar(value, dtype) -> Tensor:
    return convert_to_tensor(value, dtype=dtype)


def _nms(op, boxes, scores, max_output_size, threshold, score_threshold, soft_sigma,
         from_overlaps=False):
    boxes = convert_to_tensor(boxes)
    scores = convert_to_tensor(scores)
    width = 4 if not from_overlaps else None
    if boxes.ndim != 2 or (width and boxes.shape[1] not in (4, None)):
        raise op_error(ValueError, op, f"boxes must be [num_boxes, 4], got shape "
                                       f"{list(boxes.shape)}" if width else
                       f"overlaps must be [num_boxes, num_boxes], got {list(boxes.shape)}")
    if scores.ndim != 1:
        raise op_error(ValueError, op, f"scores must be [num_boxes], got shape "
                                       f"{list(scores.shape)}")
    if scores.dtype is not boxes.dtype:
        scores = convert_to_tensor(scores, dtype=boxes.dtype)
    return nms_p.bind(boxes, scores, _scalar(max_output_size, dtypes.int32),
                      _scalar(threshold, dtypes.float32),
                      _scalar(-np.inf if score_threshold is None else score_threshold,
                              dtypes.float32),
                      _scalar(soft_sigma, dtypes.float32), from_overlaps=from_overlaps)


def non_max_suppression(boxes, scores, max_output_size, iou_threshold=0.5,
                        score_threshold=float("-inf"), name=None) -> Tensor:
    """Indices (int32) of at most ``max_output_size`` boxes, highest score first, none
    overlapping a kept box by more than ``iou_threshold``.

    >>> non_max_suppression([[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, 2, 1, 3]],
    ...                     [0.9, 0.8, 0.7], 3).numpy().tolist()
    [0, 2]
    """
    indices, _ = _nms("non_max_suppression", boxes, scores, max_output_size, iou_threshold,
                      score_threshold, 0.0)
    return indices


def non_max_suppression_with_scores(boxes, scores, max_output_size, iou_threshold=0.5,
                                    score_threshold=float("-inf"), soft_nms_sigma=0.0,
                                    name=None) -> tuple[Tensor, Tensor]:
    """``(indices, scores)``; with ``soft_nms_sigma > 0`` overlapping boxes are not removed
    but their scores decay by ``exp(-iou^2 / sigma)`` (soft-NMS)."""
    return _nms("non_max_suppression_with_scores", boxes, scores, max_output_size,
                iou_threshold, score_threshold, float(soft_nms_sigma))


def non_max_suppression_overlaps(overlaps, scores, max_output_size, overlap_threshold=0.5,
                                 score_threshold=float("-inf"), name=None) -> Tensor:
    """Greedy NMS from a precomputed ``[N, N]`` overlap matrix."""
    indices, _ = _nms("non_max_suppression_overlaps", overlaps, scores, max_output_size,
                      overlap_threshold, score_threshold, 0.0, from_overlaps=True)
    return indices


def non_max_suppression_padded(boxes, scores, max_output_size, iou_threshold=0.5,
                               score_threshold=float("-inf"), pad_to_max_output_size=False,
                               name=None, sorted_input=False, canonicalized_coordinates=False,
                               tile_size=512) -> tuple[Tensor, Tensor]:
    """``(indices, valid_outputs)``; indices are padded with zeros to ``max_output_size``.
    Leading batch axes of ``boxes [..., N, 4]`` and ``scores [..., N]`` are supported."""
    boxes = convert_to_tensor(boxes)
    scores = convert_to_tensor(scores, dtype=boxes.dtype)
    indices, valid = nms_padded_p.bind(
        boxes, scores, _scalar(max_output_size, dtypes.int32),
        _scalar(iou_threshold, dtypes.float32), _scalar(score_threshold, dtypes.float32),
        pad_to_max=bool(pad_to_max_output_size))
    return indices, valid


def combined_non_max_suppression(boxes, scores, max_output_size_per_class, max_total_size,
                                 iou_threshold=0.5, score_threshold=float("-inf"),
                                 pad_per_class=False, clip_boxes=True, name=None):
    """Per-class greedy NMS over a batch, then the best ``max_total_size`` detections.

    Args:
      boxes: ``[batch, num_boxes, q, 4]`` (q is 1 or num_classes).
      scores: ``[batch, num_boxes, num_classes]``.

    Returns:
      ``(nmsed_boxes [B, M, 4], nmsed_scores [B, M], nmsed_classes [B, M],
      valid_detections [B])``, zero-padded.
    """
    boxes = convert_to_tensor(boxes, dtype=dtypes.float32)
    scores = convert_to_tensor(scores, dtype=dtypes.float32)
    if boxes.ndim != 4 or scores.ndim != 3:
        raise op_error(ValueError, "combined_non_max_suppression",
                       f"boxes must be [batch, num_boxes, q, 4] and scores [batch, "
                       f"num_boxes, num_classes], got {list(boxes.shape)} and "
                       f"{list(scores.shape)}")
    return combined_nms_p.bind(
        boxes, scores, _scalar(max_output_size_per_class, dtypes.int32),
        _scalar(max_total_size, dtypes.int32), _scalar(iou_threshold, dtypes.float32),
        _scalar(score_threshold, dtypes.float32), pad_per_class=bool(pad_per_class),
        clip_boxes=bool(clip_boxes))
