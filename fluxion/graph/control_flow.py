"""Control flow: ``cond``, ``while_loop``, and ``case`` / ``switch_case`` composed from ``cond``.

``cond`` (``fluxion.graph.cond``) and ``while_loop`` (``fluxion.graph.while_loop``) are
primitives with sub-graphs; the multi-way forms here are chains of ``cond``: eagerly
they just call the chosen function, traced they become nested ``cond`` nodes.
``case``'s runtime checks (``exclusive=True``, no predicate true without a default) are
one small primitive, ``case_check``, which passes the predicates through or raises.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from fluxion.core import dtypes, errors
from fluxion.core.primitive import Aval, bind, define
from fluxion.core.primitives.elementwise import equal
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.graph.cond import cond
from fluxion.graph.symbolic import SymbolicTensor
from fluxion.graph.while_loop import while_loop

__all__ = ["case", "cond", "switch_case", "while_loop"]


def case(pred_fn_pairs, default: Callable | None = None, exclusive: bool = False,
         strict: bool = False, name: str = "case"):
    """Runs the function of the first true predicate (``tf.case``).

    Args:
      pred_fn_pairs: a list of ``(pred, fn)`` pairs (or a dict ``{pred: fn}``); each pred
        a scalar boolean, each fn a function of no arguments.
      default: run when no predicate is true.  Without it, the last pair's fn is the
        default, and no predicate being true is an InvalidArgumentError.
      exclusive: if True, more than one true predicate is an InvalidArgumentError.
      strict, name: accepted for TF compatibility.

    Returns:
      What the chosen function returns.

    >>> import fluxion as tf
    >>> x = tf.constant(5)
    >>> int(tf.case([(x < 0, lambda: -1), (x > 3, lambda: 1)], default=lambda: 0))
    1
    """
    pairs = list(pred_fn_pairs.items()) if isinstance(pred_fn_pairs, dict) \
        else list(pred_fn_pairs)
    if not pairs:
        raise ValueError("case: pred_fn_pairs must not be empty")
    for index, pair in enumerate(pairs):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise TypeError(f"case: pred_fn_pairs[{index}] must be a (pred, fn) pair, got "
                            f"{pair!r}")
        if not callable(pair[1]):
            raise TypeError(f"case: the fn of pred_fn_pairs[{index}] must be callable, got "
                            f"{pair[1]!r}")
    if default is not None and not callable(default):
        raise TypeError(f"case: default must be callable, got {default!r}")
    preds = [_as_pred(pred, index) for index, (pred, _) in enumerate(pairs)]
    fns = [fn for _, fn in pairs]
    if not any(isinstance(p, SymbolicTensor) for p in preds):
        truth = [bool(p) for p in preds]
        _check_case(truth, exclusive, default is None)
        chosen = truth.index(True) if any(truth) else None
        return fns[chosen]() if chosen is not None else default()
    if exclusive or default is None:
        preds = list(bind(case_check_p, *preds, exclusive=bool(exclusive),
                          require_one=default is None))
    if default is None:
        default, preds, fns = fns[-1], preds[:-1], fns[:-1]
    return _chain(preds, fns, default)


def _as_pred(pred, index: int) -> Tensor:
    pred = convert_to_tensor(pred)
    if pred.dtype is not dtypes.bool_ or len(pred.shape) != 0:
        raise TypeError(f"case: pred {index} must be a scalar boolean tensor, got "
                        f"{pred.dtype.name}{pred.shape.as_list()}")
    return pred


def _chain(preds: list, fns: list, default: Callable):
    """``cond(preds[0], fns[0], lambda: cond(preds[1], ...))`` ending in ``default``."""
    if not preds:
        return default()
    return cond(preds[0], fns[0], lambda: _chain(preds[1:], fns[1:], default))


def _check_case(truth, exclusive: bool, require_one: bool) -> None:
    count = int(sum(bool(t) for t in truth))
    shown = ", ".join(str(bool(t)) for t in truth)
    if exclusive and count > 1:
        raise errors.op_error(errors.InvalidArgumentError, "case",
                              f"exclusive=True: more than 1 condition evaluated as True: "
                              f"{shown}")
    if require_one and count == 0:
        raise errors.op_error(errors.InvalidArgumentError, "case",
                              f"none of the conditions evaluated as True and there is no "
                              f"default: {shown}")


def _case_check_kernel(*preds, exclusive, require_one):
    _check_case(preds, exclusive, require_one)
    return preds


def _case_check_rule(*preds: Aval, exclusive, require_one):
    for index, pred in enumerate(preds):
        if pred.dtype is not dtypes.bool_ or len(pred.shape) != 0:
            raise TypeError(f"pred {index} must be a scalar boolean, got "
                            f"{pred.dtype.name}{list(pred.shape)}")
    return tuple(preds)


case_check_p = define("case_check", _case_check_kernel, _case_check_rule,
                      multiple_results=True,
                      doc="Passes case's predicates through; raises if exclusive/at-least-one "
                          "checks fail.")


def switch_case(branch_index, branch_fns, default: Callable | None = None,
                name: str = "switch_case"):
    """Runs ``branch_fns[branch_index]()`` (``tf.switch_case``).

    Args:
      branch_index: a scalar int32 tensor (or Python int).
      branch_fns: a list of functions, a dict ``{int: fn}``, or a list of ``(int, fn)``.
      default: run for an index with no branch; without it the last branch is used.
      name: accepted for TF compatibility.

    Returns:
      What the chosen function returns.

    >>> import fluxion as tf
    >>> int(tf.switch_case(tf.constant(1), [lambda: 10, lambda: 20]))
    20
    """
    if isinstance(branch_fns, dict):
        items = sorted(branch_fns.items())
    else:
        items = list(branch_fns)
        if items and isinstance(items[0], (list, tuple)):
            items = [tuple(item) for item in items]
        else:
            items = list(enumerate(items))
    if not items:
        raise ValueError("switch_case: branch_fns must not be empty")
    for key, fn in items:
        if not isinstance(key, (int, np.integer)) or not callable(fn):
            raise TypeError(f"switch_case: branches must be (int, callable), got ({key!r}, "
                            f"{fn!r})")
    if default is not None and not callable(default):
        raise TypeError(f"switch_case: default must be callable, got {default!r}")
    index = convert_to_tensor(branch_index)
    if index.dtype not in (dtypes.int32, dtypes.int64) or len(index.shape) != 0:
        raise TypeError(f"switch_case: branch_index must be a scalar int32 tensor, got "
                        f"{index.dtype.name}{index.shape.as_list()}")
    if default is None:
        default, items = items[-1][1], items[:-1]
    if not isinstance(index, SymbolicTensor):
        chosen = dict(items).get(int(index), default)
        return chosen()
    preds = [equal(index, convert_to_tensor(key, dtype=index.dtype)) for key, _ in items]
    return _chain(preds, [fn for _, fn in items], default)
