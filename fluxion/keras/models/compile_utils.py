"""What ``compile`` turns ``loss`` and ``metrics`` into: per-output losses and metrics.

A model has one or several outputs (a list, or a dict by name).  ``loss`` and
``metrics`` may be one spec for every output, a list in output order, or a dict by
output name, as in Keras.  ``'accuracy'`` becomes the accuracy that fits the loss.
"""

from __future__ import annotations

from fluxion.core import nest
from fluxion.core.primitives.elementwise import add, mul


def _per_output(spec, names: list, what: str) -> list:
    """``spec`` as one entry per output."""
    if isinstance(spec, dict):
        unknown = set(spec) - set(names)
        if unknown:
            raise ValueError(f"{what} has keys {sorted(unknown)} that are not output names of "
                             f"the model; expected some of {names}")
        return [spec.get(name) for name in names]
    if isinstance(spec, (list, tuple)) and len(names) > 1 and len(spec) == len(names):
        return list(spec)
    if isinstance(spec, (list, tuple)) and len(names) > 1 and what == "loss":
        raise ValueError(f"loss is a list of {len(spec)} entries but the model has "
                         f"{len(names)} outputs: {names}")
    return [spec] * len(names)


def _as_loss_object(losses, loss):
    """Loss functions are wrapped so that every loss takes ``sample_weight``, as in Keras."""
    if isinstance(loss, losses.Loss):
        return loss
    return losses.LossFunctionWrapper(loss, name=getattr(loss, "__name__", None))


class CompileLoss:
    """The total loss over the model's outputs, weighted by ``loss_weights``."""

    def __init__(self, loss, loss_weights=None, output_names=None):
        self.spec = loss
        self.loss_weights = loss_weights
        self.output_names = output_names
        self._built_for = None
        self.trackers: list = []
        self.last_values: list = []

    def _build(self, y_pred) -> None:
        from fluxion.keras import losses

        count = len(nest.flatten(y_pred))
        names = self.output_names if self.output_names and len(self.output_names) == count \
            else [f"output_{i}" for i in range(count)]
        if isinstance(y_pred, dict):
            names = sorted(y_pred)
        self.names = names
        self.losses = [None if s is None else _as_loss_object(losses, losses.get(s))
                       for s in _per_output(self.spec, names, "loss")]
        weights = self.loss_weights
        self.weights = [1.0] * count if weights is None else [
            1.0 if w is None else float(w) for w in _per_output(weights, names, "loss_weights")]
        self._built_for = count
        # Keras reports each output's own loss ("<output>_loss") when there are several.
        from fluxion.keras import metrics as metrics_module

        self.trackers = [metrics_module.Mean(name=f"{name}_loss") if loss is not None else None
                         for name, loss in zip(names, self.losses)] if count > 1 else []
        self.last_values = []

    def __call__(self, y_true, y_pred, sample_weight=None):
        if self._built_for is None:
            self._build(y_pred)
        preds = nest.flatten(y_pred)
        if isinstance(y_true, dict):
            trues = [y_true[name] for name in self.names]
        else:
            trues = nest.flatten(y_true) if len(preds) > 1 else [y_true]
        weights = nest.flatten(sample_weight) if isinstance(sample_weight, (list, tuple, dict)) \
            else [sample_weight] * len(preds)
        total = None
        self.last_values = []
        for index, (loss_fn, weight, t, p, sw) in enumerate(
                zip(self.losses, self.weights, trues, preds, weights)):
            if loss_fn is None or t is None:
                continue
            value = loss_fn(t, p, sample_weight=sw)
            if self.trackers:
                self.last_values.append((self.trackers[index], value))
            value = mul(value, weight) if weight != 1.0 else value
            total = value if total is None else add(total, value)
        return total


class CompileMetrics:
    """The metrics of ``compile`` for each output, named as Keras names them."""

    def __init__(self, metrics, weighted_metrics, loss, output_names=None):
        self.spec = metrics
        self.weighted_spec = weighted_metrics
        self.loss = loss
        self.output_names = output_names
        self.metrics: list = []  # (metric, output index, weighted)
        self.built = False

    def build(self, y_true, y_pred) -> None:
        from fluxion.keras import metrics as metrics_module

        preds = nest.flatten(y_pred)
        names = self.output_names if self.output_names and len(self.output_names) == len(preds) \
            else [f"output_{i}" for i in range(len(preds))]
        losses = _per_output(self.loss, names, "loss") if self.loss is not None \
            else [None] * len(preds)
        for spec, weighted in ((self.spec, False), (self.weighted_spec, True)):
            if not spec:
                continue
            for index, (output_spec, loss) in enumerate(zip(_per_output(spec, names, "metrics"),
                                                            losses)):
                for identifier in nest.flatten(output_spec) if output_spec is not None else []:
                    true = nest.flatten(y_true)[index] if len(preds) > 1 else y_true
                    metric = metrics_module.get_metric_for_loss(identifier, loss,
                                                                y_true=true, y_pred=preds[index])
                    if len(preds) > 1:
                        metric.name = f"{names[index]}_{metric.name}"
                    self.metrics.append((metric, index, weighted))
        self.built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        if not self.built:
            self.build(y_true, y_pred)
        preds = nest.flatten(y_pred)
        trues = nest.flatten(y_true) if len(preds) > 1 else [y_true]
        for metric, index, weighted in self.metrics:
            if trues[index] is None:
                continue
            metric.update_state(trues[index], preds[index],
                                sample_weight=sample_weight if weighted else None)

    def reset_state(self) -> None:
        for metric, _, _ in self.metrics:
            metric.reset_state()

    def results(self) -> dict:
        return {metric.name: metric.result() for metric, _, _ in self.metrics}

    @property
    def metric_objects(self) -> list:
        return [metric for metric, _, _ in self.metrics]
