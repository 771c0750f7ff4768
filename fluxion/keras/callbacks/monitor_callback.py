"""``MonitorCallback``: the shared logic of callbacks that watch one metric for improvement.

``mode="auto"`` decides the direction on first use: ``loss`` (and ``val_loss``) must go
down; another metric goes the way its metric object says (``_direction`` ``"up"`` or
``"down"``, as Keras metrics declare it), and failing that the way its name says
(accuracy, AUC, precision... up; errors and losses down).
"""

from __future__ import annotations

import operator
import warnings

from fluxion.keras.callbacks.callback import Callback

_UP_WORDS = ("acc", "auc", "precision", "recall", "f1", "fbeta", "iou", "psnr", "ssim",
             "r2", "top_k", "specificity", "sensitivity", "true_positives", "true_negatives")
_DOWN_WORDS = ("loss", "error", "crossentropy", "mse", "mae", "mape", "msle", "hinge",
               "divergence", "poisson", "cosh", "false_positives", "false_negatives")


def _metric_objects(model):
    """Every metric object of ``model``, looking inside metric containers."""
    stack = list(getattr(model, "metrics", None) or [])
    while stack:
        metric = stack.pop(0)
        yield metric
        inner = getattr(metric, "metrics", None)
        if isinstance(inner, (list, tuple)):
            stack.extend(inner)


class MonitorCallback(Callback):
    """Base of callbacks that monitor a metric (``monitor``) and compare it to the best.

    Args:
        monitor: the metric's name in the logs (``"val_loss"``).
        mode: ``"min"``, ``"max"`` or ``"auto"`` (decided from the metric).
        baseline: the value to beat, or None.
        min_delta: the smallest change that counts as an improvement.
    """

    def __init__(self, monitor: str = "val_loss", mode: str = "auto", baseline=None,
                 min_delta: float = 0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto "
                          f"mode.", stacklevel=2)
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _direction(self) -> str | None:
        name = self.monitor.removeprefix("val_")
        if name == "loss":
            return "down"
        for metric in _metric_objects(self.model):
            if getattr(metric, "name", None) == name and hasattr(metric, "_direction"):
                return "up" if metric._direction == "up" else "down"
        lowered = name.lower()
        if any(word in lowered for word in _DOWN_WORDS):
            return "down"
        if any(word in lowered for word in _UP_WORDS):
            return "up"
        return None

    def _set_monitor_op(self) -> None:
        direction = {"min": "down", "max": "up"}.get(self.mode) or self._direction()
        if direction is None:
            raise ValueError(
                f"{type(self).__name__} callback received monitor={self.monitor}, but Keras "
                f"isn't able to automatically determine whether that metric should be "
                f"maximized or minimized. Pass `mode='max'` in order to monitor based on the "
                f"highest metric value, or pass `mode='min'` in order to use the lowest value.")
        if direction == "down":
            self.monitor_op = operator.lt
            self.min_delta = -abs(self.min_delta)
        else:
            self.monitor_op = operator.gt
            self.min_delta = abs(self.min_delta)

    def _is_improvement(self, monitor_value, reference_value) -> bool:
        if reference_value is None:
            return True
        return bool(self.monitor_op(monitor_value - self.min_delta, reference_value))
