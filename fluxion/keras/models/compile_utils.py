"""What ``compile`` turns ``loss`` and ``metrics`` into: per-output losses and metrics.

A model has one or several outputs (a list, or a dict by name).  ``loss`` and
``metrics`` may be one spec for every output, a list in output order, or a dict by
output name, as in Keras.  ``'accuracy'`` becomes the accuracy that fits the loss.
"""

from __future__ import annotations

from fluxion.core import nest
from fluxion.keras.metrics.metric import Metric
from fluxion.ops.array_ops import cast
from fluxion.ops.math_ops import add
from fluxion.ops.sparse_ops import mul


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


def targets_per_output(y_true, preds: list, names: list) -> list:
    """``y_true`` as one target per output: the target of a single-output model, a dict
    by output name (an output without a target gets None: no loss or metric for it),
    or a list in output order.  A count that does not match the outputs is an error
    naming both (zipping them would silently drop outputs)."""
    if len(preds) == 1:
        return [y_true]
    if isinstance(y_true, dict):
        unknown = sorted(set(y_true) - set(names))
        if unknown:
            raise ValueError(f"The targets `y` have keys {unknown} that are not output names "
                             f"of the model; expected keys among {names}.")
        return [y_true.get(name) for name in names]
    trues = nest.flatten(y_true)
    if len(trues) != len(preds):
        given = "1 target array" if len(trues) == 1 else f"{len(trues)} target arrays"
        raise ValueError(f"The model has {len(preds)} outputs ({', '.join(names)}) but the "
                         f"targets `y` hold {given}: pass one target per output, as a list in "
                         f"the outputs' order or a dict keyed by output name.")
    return trues


def _as_loss_object(losses, loss):
    """Loss functions are wrapped so that every loss takes ``sample_weight``, as in Keras."""
    if isinstance(loss, losses.Loss):
        return loss
    return losses.LossFunctionWrapper(loss, name=getattr(loss, "__name__", None))


def batch_size(tensor):
    """The (possibly traced) number of rows of ``tensor``, as float32: a loss mean's weight."""
    from fluxion.ops.creation_ops import shape

    return cast(shape(tensor)[0], "float32")


class CompileLoss:
    """The total loss over the model's outputs, weighted by ``loss_weights``."""

    def __init__(self, loss, loss_weights=None, output_names=None):
        self.spec = loss
        self.loss_weights = loss_weights
        self.output_names = output_names
        self._built_for = None
        # Known outputs: the trackers exist from compile on, so Model.metrics lists them.
        self.trackers: list = self._make_trackers(output_names) if output_names else []

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
        if [t.name for t in self.metrics] != self._tracker_names(names):
            self.trackers = self._make_trackers(names)

    def _tracker_names(self, names: list) -> list:
        specs = _per_output(self.spec, names, "loss")
        return [f"{name}_loss" for name, spec in zip(names, specs) if spec is not None] \
            if len(names) > 1 else []

    def _make_trackers(self, names: list) -> list:
        """Keras reports each output's own loss (``<output>_loss``) when there are several."""
        from fluxion.keras import metrics as metrics_module

        specs = _per_output(self.spec, names, "loss")
        return [metrics_module.Mean(name=f"{name}_loss") if spec is not None else None
                for name, spec in zip(names, specs)] if len(names) > 1 else []

    @property
    def metrics(self) -> list:
        """The per-output loss trackers (``<output>_loss``) of a model with several outputs."""
        return [tracker for tracker in self.trackers if tracker is not None]

    def __call__(self, y_true, y_pred, sample_weight=None):
        if self._built_for is None:
            self._build(y_pred)
        preds = nest.flatten(y_pred)
        trues = targets_per_output(y_true, preds, self.names)
        weights = nest.flatten(sample_weight) if isinstance(sample_weight, (list, tuple, dict)) \
            else [sample_weight] * len(preds)
        total = None
        for index, (loss_fn, weight, t, p, sw) in enumerate(
                zip(self.losses, self.weights, trues, preds, weights)):
            if loss_fn is None or t is None:
                continue
            value = loss_fn(t, p, sample_weight=sw)
            if self.trackers:
                self.trackers[index].update_state(value, sample_weight=batch_size(p))
            value = mul(value, weight) if weight != 1.0 else value
            total = value if total is None else add(total, value)
        return total


class CompileMetrics(Metric):
    """The metrics of ``compile`` for each output, as one metric named ``compile_metrics``.

    Keras 3 lists this container in ``Model.metrics`` from ``compile`` on; the metrics
    inside are made on the first ``update_state``, when the outputs' shapes are known
    (``'accuracy'`` depends on them).  ``result()`` is a dict of every metric's value.
    A weighted metric whose name an unweighted one already has is named ``weighted_<name>``.
    """

    def __init__(self, metrics, weighted_metrics, loss, output_names=None):
        super().__init__(name="compile_metrics")
        self.spec = metrics
        self.weighted_spec = weighted_metrics
        self.loss = loss
        self.output_names = output_names
        self._entries: list = []  # (metric, output index, weighted)
        self.built = False

    @property
    def metrics(self) -> list:
        """The metric objects, once built (in order: unweighted, then weighted)."""
        return [metric for metric, _, _ in self._entries]

    def build(self, y_true, y_pred) -> None:
        from fluxion.keras import metrics as metrics_module

        preds = nest.flatten(y_pred)
        several = len(preds) > 1
        names = self._names(y_pred)
        trues = targets_per_output(y_true, preds, names)
        losses = _per_output(self.loss, names, "loss") if self.loss is not None \
            else [None] * len(preds)
        unweighted_names = set()
        for spec, weighted in ((self.spec, False), (self.weighted_spec, True)):
            if not spec:
                continue
            for index, (output_spec, loss) in enumerate(zip(_per_output(spec, names, "metrics"),
                                                            losses)):
                for identifier in nest.flatten(output_spec) if output_spec is not None else []:
                    metric = metrics_module.get_metric_for_loss(
                        identifier, loss, y_true=trues[index], y_pred=preds[index])
                    if weighted and (index, metric.name) in unweighted_names:
                        metric = _renamed(metric, f"weighted_{metric.name}", self._entries)
                    if not weighted:
                        unweighted_names.add((index, metric.name))
                    if several:
                        metric.name = f"{names[index]}_{metric.name}"
                    self._entries.append((metric, index, weighted))
                    self._metrics.append(metric)
        self.built = True

    def _names(self, y_pred) -> list:
        """The outputs' names in the order of ``nest.flatten(y_pred)``."""
        if isinstance(y_pred, dict):
            return sorted(y_pred)
        count = len(nest.flatten(y_pred))
        if self.output_names and len(self.output_names) == count:
            return list(self.output_names)
        return [f"output_{i}" for i in range(count)]

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        if not self.built:
            self.build(y_true, y_pred)
        preds = nest.flatten(y_pred)
        trues = targets_per_output(y_true, preds, self._names(y_pred))
        for metric, index, weighted in self._entries:
            if trues[index] is None:
                continue
            weight = _output_weight(sample_weight, index, len(preds)) if weighted else None
            metric.update_state(trues[index], preds[index], sample_weight=weight)

    def reset_state(self) -> None:
        for metric in self.metrics:
            metric.reset_state()

    def result(self) -> dict:
        return {metric.name: metric.result() for metric in self.metrics}

    def get_config(self) -> dict:
        return {"metrics": self.spec, "weighted_metrics": self.weighted_spec}


def _renamed(metric, name: str, entries: list):
    """``metric`` under ``name``: a fresh twin when the same object is already in use."""
    if any(existing is metric for existing, _, _ in entries):
        config = dict(metric.get_config())
        config["name"] = name
        return type(metric).from_config(config)
    metric.name = name
    return metric


def _output_weight(sample_weight, index: int, count: int):
    if isinstance(sample_weight, (list, tuple)):
        return sample_weight[index]
    return sample_weight
