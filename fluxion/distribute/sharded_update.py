"""Gradient averaging inside compiled steps through the host's shared memory, and Adam's
update sharded across the ranks of one host (ZeRO stage 1's division of work).

``shared_mean(grads)``: one ``host_call`` node hands every gradient to
``node_memory.SharedReduction`` and returns their mean over all ranks as one flat
vector, split back into gradients in the graph.

``update_sharded(optimizer, grads, variables)``: where all ranks share one host and the
optimizer is a plain Adam (the fused ``adam_update``), the weights and both moments
live in three flat arrays of the host's shared memory, and every rank's variables and
optimizer slots are *views* of them (one copy per host, not per rank).  A step's
update is one ``host_call`` node:

1. each rank writes its gradients into its slot of the shared window; a barrier;
2. each rank sums its contiguous part of the flat parameter vector over the slots
   (rank order), divides by the number of ranks and runs ``adam_update`` on that part
   of the weights and moments, in place; a barrier.

No rank copies anything out: after the second barrier every rank's variables hold the
new weights and moments, the same bytes on all.  ``model.save``, checkpoints,
``BackupAndRestore``, ``get_weights`` and ``optimizer.variables`` read the full values
(a variable's ``numpy()`` copies).  A value replaced outside the step (``assign``,
``set_weights``, a load or restore, the chief's broadcast at ``fit``'s start: the
variable no longer holds our view) is copied into the shared arrays at the next step,
each rank copying its own part, and the variable becomes a view again.

Why this is safe without more barriers: a rank writes the shared weights and moments
only after the step's first barrier, which every rank reaches only after its forward
and backward passes and after whatever it read between steps; and every rank reads
them for the next step only after the second barrier.  Each rank updates
``(n-1)/n`` fewer parameters than an unsharded run (Adam's fused update of the
benchmark's 269,322 parameters: 0.5 ms a step on one thread).

Where the ranks span several hosts, or the optimizer does more than Adam's update
(clipping, decay, EMA, amsgrad, accumulation, loss scaling, other optimizers), or a
variable has a constraint (applied to the updated value in the same step), every
rank updates all parameters after ``shared_mean`` (hierarchical across hosts).
"""

from __future__ import annotations

import os

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import bind
from fluxion.core.primitives.host_call import host_call_p
from fluxion.distribute import node_memory
from fluxion.ops.array_ops import reshape, split


def _sizes(tensors) -> list[int]:
    sizes = []
    for tensor in tensors:
        shape = tuple(tensor.shape.as_list())
        if None in shape:
            raise ValueError(f"shared_mean needs gradients of known shapes, got "
                             f"{list(shape)}")
        sizes.append(int(np.prod(shape, dtype=np.int64)))
    return sizes


_reductions: dict = {}


def shared_mean(grads: list) -> list:
    """The mean over all workers of each gradient (one float dtype), reduced through
    the host's shared memory (hierarchically across hosts)."""
    sizes = _sizes(grads)
    dtype = grads[0].dtype
    if any(g.dtype != dtype for g in grads):
        raise ValueError(f"shared_mean: expected gradients of one dtype, got "
                         f"{sorted({g.dtype.name for g in grads})}")
    key = (sum(sizes), dtype.np_dtype)
    reduction = _reductions.get(key)
    if reduction is None:  # one per layout: retraced steps reuse its shared memory
        reduction = _reductions[key] = node_memory.SharedReduction(*key)
    flat = bind(host_call_p, *grads, callback=_Mean(reduction),
                result=((reduction.length,), dtype))
    return [reshape(piece, g.shape.as_list()) for piece, g in zip(split(flat, sizes), grads)]


class _Mean:
    def __init__(self, reduction):
        self.reduction = reduction

    def __call__(self, *grads):
        self.reduction.write(grads)
        return self.reduction.mean()


# --- the sharded Adam update -------------------------------------------------------------------

def enabled() -> bool:
    """``FLUXION_SHARDED_UPDATE=0`` turns the sharded update off (every rank updates all)."""
    return os.environ.get("FLUXION_SHARDED_UPDATE", "1") not in ("0", "false", "False")


def update_sharded(optimizer, grads: list, variables: list) -> bool:
    """Averages ``grads`` and applies Adam's update, each rank of the host updating its
    part of the parameters (see the module); False (nothing done) where the ranks span
    several hosts or the optimizer does more than Adam's fused update (its
    ``_sharded_update_plan`` says what the update needs, or None)."""
    plan_for = getattr(optimizer, "_sharded_update_plan", None)
    plan = plan_for(grads, variables) if enabled() and plan_for is not None else None
    if plan is None or any(getattr(v, "constraint", None) is not None for v in variables):
        # A constraint reads the updated weights in the same step; the update changes
        # them in place, with no assignment the graph could order that read after.
        return False
    group = node_memory.node_group()  # collective: every rank traces the same step
    if not group.single_host:
        return False
    key = tuple(id(v) for v in variables)
    states = optimizer.__dict__.setdefault("_fluxion_shared_state", {})
    if key not in states:
        states[key] = SharedAdamState(list(variables), plan["moments"] + plan["velocities"],
                                      **plan["hyper"])
    # The weights' values go in too: nothing that reads them can be placed after the
    # update, which changes them in place.
    bind(host_call_p, plan["alpha"](), *grads, *[w.read_value() for w in variables],
         callback=_Step(states[key]), result=((), dtypes.int32))
    return True


class _Step:
    """The ``host_call``'s callback (a traced step holds one; the state is shared)."""

    def __init__(self, state):
        self.state = state

    def __call__(self, alpha, *arrays):
        self.state.step(alpha, arrays[:len(arrays) // 2])
        return 0


class SharedAdamState:
    """Weights, first and second moments of one optimizer's variables, held in the
    host's shared memory: every rank's variables are views of the same arrays, each rank
    updates its part of them in place (see the module)."""

    def __init__(self, variables: list, slots: list, beta_1: float, beta_2: float,
                 epsilon: float):
        self.variables = variables + slots  # w..., m..., v...
        self.count = len(variables)
        sizes = [int(np.prod(v.shape.as_list(), dtype=np.int64)) for v in variables]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64).tolist()
        self.length = int(self.offsets[-1])
        self.hyper = {"beta_1": float(beta_1), "beta_2": float(beta_2),
                      "epsilon": float(epsilon)}
        self.reduction = node_memory.SharedReduction(self.length, np.float32)
        self.shared = None  # (3, length): weights, first moments, second moments
        self.scratch = None  # adam_in_place's two temporaries for this rank's part
        self.views: list = [None] * len(self.variables)

    def _view(self, which: int) -> np.ndarray:
        row, index = divmod(which, self.count)
        start, stop = self.offsets[index], self.offsets[index + 1]
        return self.shared[row, start:stop].reshape(self.variables[which].shape.as_list())

    def _adopt_new_values(self) -> list[int]:
        """Copies this rank's part of every variable whose value was replaced since the
        last step (assign, load, restore: the value is no longer our view) into the
        shared arrays; returns those variables, to point at the shared arrays again.

        Every rank replaces the same values (the chief's broadcast at ``fit``'s start,
        a restore, a load), so each copying its own part fills the arrays."""
        start, stop = self.reduction.start, self.reduction.stop
        replaced = []
        for which, variable in enumerate(self.variables):
            value = variable._tensor._value
            if value is self.views[which]:
                continue
            replaced.append(which)
            row, index = divmod(which, self.count)
            low, high = max(start, self.offsets[index]), min(stop, self.offsets[index + 1])
            if low < high:
                inside = slice(low - self.offsets[index], high - self.offsets[index])
                self.shared[row, low:high] = _flat(value)[inside]
        return replaced

    def step(self, alpha, grads) -> None:
        from fluxion.core.tensor import Tensor

        reduction = self.reduction
        reduction.write(grads)
        if self.shared is None:
            self.shared = reduction.group.shared_array((3, self.length), np.float32)
        start, stop = reduction.start, reduction.stop
        mean = reduction.sum_my_part()  # after the barrier: every slot written
        # Only now: every rank has written its gradients, so none still reads the
        # shared values between steps (a root's broadcast may return before the others
        # arrive: a rank can start a step while another still reads its weights).
        replaced = self._adopt_new_values()
        np.divide(mean, reduction.group.world.Get_size(), out=mean)
        alpha = np.asarray(alpha, dtype=np.float32)
        # One update over this rank's whole part: the shared arrays are flat, so the part
        # is contiguous whatever variables it spans (per variable, the smaller pieces ran
        # different kernels on the two ranks, whose shares of time then differed).
        weights, moments, velocities = (row[start:stop] for row in self.shared)
        if self.scratch is None:
            self.scratch = np.empty((2, stop - start), np.float32)
        adam_in_place(mean, moments, velocities, weights, alpha, scratch=self.scratch,
                      **self.hyper)
        reduction.group.barrier("sharded optimizer update")
        for which in replaced:
            if self.views[which] is None:
                self.views[which] = self._view(which)
            self.variables[which]._tensor = Tensor(self.views[which])


def adam_in_place(g, m, v, w, alpha, beta_1: float, beta_2: float, epsilon: float,
                  scratch: np.ndarray) -> None:
    """Adam's update of ``m``, ``v`` and ``w`` in place (``scratch``: two arrays of their
    size), the same float32 operations in the same order as the ``adam_update``
    primitive (``fluxion.core.primitives.optimizer_updates``), so bit for bit its
    result (tested against it).  Writing into the shared arrays directly beats the
    primitive's fused kernel plus copying its three new arrays in: 228 against 345 us
    for 134,661 parameters on one thread (the kernel alone: 250 us)."""
    scalar = np.float32
    step, denominator = scratch[0], scratch[1]
    np.square(g, out=step)  # v' = v + (g * g - v) * (1 - beta_2)
    step -= v
    step *= scalar(1 - beta_2)
    v += step
    np.subtract(g, m, out=step)  # m' = m + (g - m) * (1 - beta_1)
    step *= scalar(1 - beta_1)
    m += step
    np.sqrt(v, out=denominator)  # w' = w - (m' * alpha) / (sqrt(v') + epsilon)
    denominator += scalar(epsilon)
    np.multiply(m, alpha, out=step)
    step /= denominator
    w -= step


def _flat(array) -> np.ndarray:
    return np.ascontiguousarray(array).reshape(-1)
