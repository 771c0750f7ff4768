"""``tf.compat.v1.losses``: TF 1's loss functions and the losses collection.

Every loss computes per-element losses, weights them (``weights`` broadcasts against
them) and reduces them by ``reduction`` (``Reduction.SUM_BY_NONZERO_WEIGHTS`` by
default: the weighted sum over the number of non-zero weights), as
``compute_weighted_loss`` does; in a TF 1 graph the result is also added to the
``GraphKeys.LOSSES`` collection, which ``get_losses`` and ``get_total_loss`` read.
"""

from __future__ import annotations

from fluxion.compat import root_namespace


def _tf():
    return root_namespace.root()


class Reduction:
    """How ``compute_weighted_loss`` reduces the weighted losses."""

    NONE = "none"
    SUM = "weighted_sum"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    MEAN = "weighted_mean"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls) -> tuple:
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE,
                cls.SUM_OVER_NONZERO_WEIGHTS, cls.SUM_BY_NONZERO_WEIGHTS)

    @classmethod
    def validate(cls, key) -> None:
        if key not in cls.all():
            raise ValueError(f"Invalid Reduction Key {key!r}; expected one of {cls.all()}")


def _losses_key() -> str:
    from fluxion.graph.v1.graph import GraphKeys

    return GraphKeys.LOSSES


def _safe_div(numerator, denominator):
    tf = _tf()
    return tf.math.divide_no_nan(numerator, tf.cast(denominator, numerator.dtype))


def compute_weighted_loss(losses, weights=1.0, scope=None, loss_collection="losses",
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """``losses * weights`` reduced by ``reduction``; added to ``loss_collection``."""
    tf = _tf()
    Reduction.validate(reduction)
    losses = tf.convert_to_tensor(losses)
    if not losses.dtype.is_floating:
        losses = tf.cast(losses, tf.float32)
    weights = tf.cast(weights, losses.dtype)
    weighted = losses * weights
    if reduction == Reduction.NONE:
        loss = weighted
    else:
        loss = tf.reduce_sum(weighted)
        if reduction == Reduction.MEAN:
            loss = _safe_div(loss, tf.reduce_sum(tf.ones_like(losses) * weights))
        elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
            loss = _safe_div(loss, tf.size(losses))
        elif reduction == Reduction.SUM_BY_NONZERO_WEIGHTS:
            present = tf.cast(tf.not_equal(tf.ones_like(losses) * weights, 0.0), losses.dtype)
            loss = _safe_div(loss, tf.reduce_sum(present))
    add_loss(loss, loss_collection)
    return loss


def add_loss(loss, loss_collection="losses") -> None:
    """Adds ``loss`` to ``loss_collection`` of the default graph (TF 1 graphs only)."""
    from fluxion.graph.v1.graph import executing_eagerly, get_default_graph

    if loss_collection and not executing_eagerly():
        get_default_graph().add_to_collection(loss_collection, loss)


def get_losses(scope=None, loss_collection="losses") -> list:
    """The losses in ``loss_collection`` (names matching ``scope``)."""
    from fluxion.graph.v1.graph import get_collection

    return get_collection(loss_collection, scope)


def get_regularization_losses(scope=None) -> list:
    from fluxion.graph.v1.graph import GraphKeys, get_collection

    return get_collection(GraphKeys.REGULARIZATION_LOSSES, scope)


def get_regularization_loss(scope=None, name="total_regularization_loss"):
    """The sum of the regularization losses (0.0 if none)."""
    tf = _tf()
    losses = get_regularization_losses(scope)
    return tf.add_n(losses) if losses else tf.constant(0.0)


def get_total_loss(add_regularization_losses=True, name="total_loss", scope=None):
    """The sum of ``get_losses()`` and, by default, the regularization losses."""
    tf = _tf()
    losses = get_losses(scope) + (get_regularization_losses(scope)
                                  if add_regularization_losses else [])
    if not losses:
        raise ValueError("No losses were found in the losses collection to total.")
    return tf.add_n(losses)


def _pair(labels, predictions):
    tf = _tf()
    predictions = tf.convert_to_tensor(predictions)
    if not predictions.dtype.is_floating:
        predictions = tf.cast(predictions, tf.float32)
    labels = tf.cast(labels, predictions.dtype)
    if labels.shape.rank is not None and predictions.shape.rank is not None:
        if not labels.shape.is_compatible_with(predictions.shape):
            raise ValueError(f"labels and predictions must have compatible shapes, got "
                             f"{labels.shape} and {predictions.shape}")
    return labels, predictions


def _weighted(name: str):
    """Wraps ``elementwise(labels, predictions, **options)`` as a TF 1 loss function."""

    def decorate(elementwise):
        def loss(labels, predictions, weights=1.0, scope=None, loss_collection="losses",
                 reduction=Reduction.SUM_BY_NONZERO_WEIGHTS, **options):
            if labels is None or predictions is None:
                raise ValueError(f"{name}: labels and predictions must not be None.")
            return compute_weighted_loss(elementwise(*_pair(labels, predictions), **options),
                                         weights, scope, loss_collection, reduction)

        loss.__name__ = loss.__qualname__ = name
        loss.__doc__ = elementwise.__doc__
        return loss

    return decorate


@_weighted("absolute_difference")
def absolute_difference(labels, predictions):
    """``|predictions - labels|``, weighted and reduced."""
    return _tf().abs(predictions - labels)


@_weighted("mean_squared_error")
def mean_squared_error(labels, predictions):
    """``(predictions - labels)^2``, weighted and reduced."""
    return _tf().math.squared_difference(predictions, labels)


@_weighted("huber_loss")
def huber_loss(labels, predictions, delta=1.0):
    """``0.5 e^2`` for ``|e| <= delta``, else ``delta (|e| - 0.5 delta)``, e the error."""
    tf = _tf()
    error = tf.abs(predictions - labels)
    quadratic = tf.minimum(error, delta)
    return 0.5 * quadratic * quadratic + delta * (error - quadratic)


@_weighted("log_loss")
def log_loss(labels, predictions, epsilon=1e-7):
    """``-labels log(p + eps) - (1 - labels) log(1 - p + eps)``, weighted and reduced."""
    tf = _tf()
    return (-labels * tf.math.log(predictions + epsilon)
            - (1.0 - labels) * tf.math.log(1.0 - predictions + epsilon))


@_weighted("hinge_loss")
def _hinge(labels, logits):
    """``relu(1 - (2 labels - 1) logits)``: labels in {0, 1}, weighted and reduced."""
    tf = _tf()
    return tf.nn.relu(1.0 - (2.0 * labels - 1.0) * logits)


def hinge_loss(labels, logits, weights=1.0, scope=None, loss_collection="losses",
               reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """``relu(1 - (2 labels - 1) logits)``: labels in {0, 1}, weighted and reduced."""
    return _hinge(labels, logits, weights, scope, loss_collection, reduction)


def cosine_distance(labels, predictions, axis=None, weights=1.0, scope=None,
                    loss_collection="losses", reduction=Reduction.SUM_BY_NONZERO_WEIGHTS,
                    dim=None):
    """``1 - sum(labels * predictions, axis)`` (both unit-normalized), weighted, reduced."""
    from fluxion.compat.v1_ops import deprecated_alias

    axis = deprecated_alias("axis", axis, "dim", dim)
    if axis is None:
        raise ValueError("You must specify 'axis'.")
    labels, predictions = _pair(labels, predictions)
    losses = 1.0 - _tf().reduce_sum(labels * predictions, axis=axis, keepdims=True)
    return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def mean_pairwise_squared_error(labels, predictions, weights=1.0, scope=None,
                                loss_collection="losses"):
    """Mean over pairs of elements (within each example) of the squared difference of
    their prediction differences and label differences; ``weights`` per example."""
    tf = _tf()
    labels, predictions = _pair(labels, predictions)
    diffs = predictions - labels
    axes = list(range(1, len(diffs.shape)))
    weights = tf.cast(weights, diffs.dtype)
    count = tf.cast(tf.reduce_prod(tf.shape(diffs)[1:]), diffs.dtype)
    sum_squares = tf.reduce_sum(tf.square(diffs), axis=axes)
    term1 = 2.0 * tf.math.divide_no_nan(sum_squares, count - 1.0)
    sum_diff = tf.reduce_sum(diffs, axis=axes)
    term2 = 2.0 * tf.math.divide_no_nan(tf.square(sum_diff), count * (count - 1.0))
    per_example = (term1 - term2) * tf.reshape(weights, [-1]) if len(weights.shape) else \
        (term1 - term2) * weights
    present = tf.reduce_sum(tf.ones_like(per_example) * tf.cast(
        tf.not_equal(weights, 0.0), diffs.dtype))
    loss = tf.where(present > 0, tf.reduce_sum(per_example), tf.zeros_like(present))
    add_loss(loss, loss_collection)
    return loss


def sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0,
                          scope=None, loss_collection="losses",
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Element-wise logistic loss; labels smoothed towards 0.5 by ``label_smoothing``."""
    tf = _tf()
    logits = tf.convert_to_tensor(logits)
    labels = tf.cast(multi_class_labels, logits.dtype)
    if label_smoothing > 0:
        labels = labels * (1 - label_smoothing) + 0.5 * label_smoothing
    losses = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
    return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection="losses",
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Softmax cross-entropy per example; labels smoothed towards uniform; no gradient
    into the labels."""
    tf = _tf()
    logits = tf.convert_to_tensor(logits)
    labels = tf.cast(onehot_labels, logits.dtype)
    if label_smoothing > 0:
        classes = tf.cast(tf.shape(labels)[-1], logits.dtype)
        labels = labels * (1 - label_smoothing) + label_smoothing / classes
    losses = tf.nn.softmax_cross_entropy_with_logits(labels=tf.stop_gradient(labels),
                                                     logits=logits)
    return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def sparse_softmax_cross_entropy(labels, logits, weights=1.0, scope=None,
                                 loss_collection="losses",
                                 reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Cross-entropy of integer ``labels`` against ``softmax(logits)`` per example."""
    tf = _tf()
    losses = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


__all__ = [
    "Reduction", "absolute_difference", "add_loss", "compute_weighted_loss",
    "cosine_distance", "get_losses", "get_regularization_loss", "get_regularization_losses",
    "get_total_loss", "hinge_loss", "huber_loss", "log_loss", "mean_pairwise_squared_error",
    "mean_squared_error", "sigmoid_cross_entropy", "softmax_cross_entropy",
    "sparse_softmax_cross_entropy",
]
