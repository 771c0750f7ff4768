"""The loss and metric side of ``Model``: what custom ``train_step`` s build on.

Keras 3's contract, which custom training steps rely on:

- ``model.metrics`` lists, once compiled, the loss tracker (``loss``), the container of
  the ``compile()`` metrics (``compile_metrics``, present before its first use), the
  per-output loss trackers of a multi-output model, then every metric assigned as an
  attribute of the model or of its layers (``self.loss_tracker = keras.metrics.Mean()``).
  A subclass may override the property; ``fit`` resets whatever it lists each epoch.
- ``compute_loss(x, y, y_pred, sample_weight, training)`` is the compiled loss plus the
  layers' losses; ``compute_metrics`` updates the compiled metrics and returns
  ``get_metrics_result()``, every metric in ``metrics`` with dict results flattened.
- ``compiled_loss`` and ``compiled_metrics``, the tf.keras 2 spellings, still work: the
  first also feeds the ``loss`` tracker, as it did in tf.keras 2.
"""

from __future__ import annotations

import inspect

from fluxion.core import nest


class TrainerMetrics:
    """Mixin for ``Trainer``: losses, metric bookkeeping and the results of a step."""

    # --- the metrics -----------------------------------------------------------------------
    @property
    def metrics(self) -> list:
        found = []
        if self.compiled:
            if self._loss_tracker is not None:
                found.append(self._loss_tracker)
            if self._compile_metrics is not None:
                found.append(self._compile_metrics)
            if self._compile_loss is not None:
                found.extend(self._compile_loss.metrics)
        found.extend(self.__dict__.get("_metrics", ()))
        for layer in self._sublayers_outside_trainers():
            found.extend(layer.__dict__.get("_metrics", ()))
        return _unique(found)

    def _sublayers_outside_trainers(self) -> list:
        """Every nested layer, except those inside a sub-model (it has metrics of its own)."""
        found, stack = [], list(self.__dict__.get("_layers", ()))
        while stack:
            layer = stack.pop(0)
            if isinstance(layer, TrainerMetrics):  # a Trainer (a sub-model)
                continue
            found.append(layer)
            stack.extend(layer.__dict__.get("_layers", ()))
        return found

    @property
    def metrics_names(self) -> list:
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        """Resets every metric in ``metrics`` (``fit`` and ``evaluate`` do it for you)."""
        for metric in self.metrics:
            metric.reset_state()

    # --- losses ----------------------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss plus every loss the layers added (regularization, add_loss)."""
        total = None
        if self._compile_loss is not None:
            total = self._compile_loss(y, y_pred, sample_weight)
        for extra in self.losses:
            total = extra if total is None else total + extra
        if total is None:
            raise ValueError("No loss to compute: pass `loss` to compile(), or add losses "
                             "with `add_loss()` in the model.")
        return total

    def _compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """``compute_loss``, also when an override predates its ``training`` argument."""
        parameters = inspect.signature(self.compute_loss).parameters
        takes_training = "training" in parameters or any(
            p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
        if takes_training:
            return self.compute_loss(x, y, y_pred, sample_weight, training=training)
        return self.compute_loss(x, y, y_pred, sample_weight)

    def _update_loss_tracker(self, loss, x) -> None:
        from fluxion.keras.models.compile_utils import batch_size

        if self._loss_tracker is not None:
            first = next(leaf for leaf in nest.flatten(x) if leaf is not None)
            self._loss_tracker.update_state(loss, sample_weight=batch_size(first))

    def compiled_loss(self, y, y_pred, sample_weight=None, regularization_losses=None):
        """tf.keras 2's loss call: the compiled loss plus ``regularization_losses``.

        It also updates the ``loss`` metric, so a ``train_step`` written for tf.keras 2
        reports its loss; new code calls ``compute_loss``.
        """
        total = None
        if self._compile_loss is not None:
            total = self._compile_loss(y, y_pred, sample_weight)
        for extra in regularization_losses or ():
            total = extra if total is None else total + extra
        if total is None:
            raise ValueError("compiled_loss has nothing to compute: pass `loss` to compile().")
        self._update_loss_tracker(total, y_pred)
        return total

    @property
    def compiled_metrics(self):
        """tf.keras 2's container of the ``compile()`` metrics: ``update_state(y, y_pred)``."""
        if self._compile_metrics is None:
            from fluxion.keras.models.compile_utils import CompileMetrics

            return CompileMetrics(None, None, None)  # nothing was compiled: updates nothing
        return self._compile_metrics

    # --- results ---------------------------------------------------------------------------
    def compute_metrics(self, x, y, y_pred, sample_weight=None) -> dict:
        """Updates the ``compile()`` metrics; returns every metric's result."""
        if self._compile_metrics is not None:
            self._compile_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self) -> dict:
        """``{name: result}`` for each metric in ``metrics``; dict results are merged in."""
        results = {}
        for metric in self.metrics:
            value = metric.result()
            if isinstance(value, dict):
                results.update(value)
            else:
                results[metric.name] = value
        return results

    def _ordered_values(self, logs: dict):
        """``evaluate``'s list: metrics in ``metrics`` order (containers opened), then the rest
        by name; a single value alone."""
        from fluxion.keras.models.compile_utils import CompileMetrics

        names = []
        for metric in self.metrics:
            if isinstance(metric, CompileMetrics):
                names.extend(m.name for m in metric.metrics)
            else:
                names.append(metric.name)
        ordered = [name for name in dict.fromkeys(names) if name in logs]
        ordered += sorted(key for key in logs if key not in ordered)
        values = [logs[name] for name in ordered]
        return values[0] if len(values) == 1 else values


def _unique(items: list) -> list:
    seen, out = set(), []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out
