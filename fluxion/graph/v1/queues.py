"""TF 1 queues: ``FIFOQueue``, ``RandomShuffleQueue``, ``PaddingFIFOQueue``,
``PriorityQueue`` (``tf.compat.v1``).

A queue holds tuples of NumPy arrays (its components) in Python, guarded by a
condition variable, so queue runner threads and the training loop can share it.
Its methods build ops: in a v1 graph each is one stateful ``py_call`` node (through
``numpy_function``) whose kernel enqueues or dequeues when the graph runs; eagerly
they act at once.  Blocking follows TensorFlow: a dequeue waits for enough elements
(``RandomShuffleQueue`` keeps ``min_after_dequeue`` back until closed) and an enqueue
waits for room; once the queue is closed a dequeue that cannot be served raises
``OutOfRangeError`` and an enqueue ``CancelledError``.
"""

from __future__ import annotations

import threading

import numpy as np

from fluxion.core import dtypes as _dtypes
from fluxion.core.errors import CancelledError, OutOfRangeError
from fluxion.core.tensor import convert_to_tensor
from fluxion.core.tensor_shape import TensorShape
from fluxion.core.tensor_spec import TensorSpec


def _in_graph() -> bool:
    from fluxion.core import context
    from fluxion.graph.v1.graph import GraphBuilder

    return isinstance(context.tracer, GraphBuilder)


def queue_op(kernel, inputs: list, specs: list, name: str, type_name: str):
    """Runs ``kernel(*arrays) -> tuple of arrays``: eagerly now, in a v1 graph as one
    stateful node.  With no ``specs`` it is an effect: an ``Operation`` (None eagerly)."""
    from fluxion.ops.script_ops import numpy_function

    inputs = [convert_to_tensor(x) for x in inputs]
    if not _in_graph():
        results = kernel(*[np.asarray(x._value) for x in inputs])
        if not specs:
            return None
        return [convert_to_tensor(np.asarray(r), dtype=s.dtype) for r, s in zip(results, specs)]
    from fluxion.graph.v1.graph import Operation, get_default_graph

    if not specs:
        def effect(*arrays):
            kernel(*arrays)
            return np.asarray(True)

        done = numpy_function(effect, inputs, [TensorSpec([], _dtypes.bool_)])[0]
        graph = get_default_graph()
        return Operation(graph, graph.nodes_of(done), graph.unique_name(name), type_name)

    def produce(*arrays):
        return tuple(np.asarray(r, dtype=s.dtype.np_dtype) if s.dtype != _dtypes.string
                     else np.asarray(r, dtype=object) for r, s in zip(kernel(*arrays), specs))

    return numpy_function(produce, inputs, list(specs))


class QueueBase:
    """A queue of tuples of tensors (``tf.compat.v1.QueueBase``); see the module doc."""

    def __init__(self, capacity: int, dtypes, shapes=None, names=None, name: str = "queue"):
        single = not isinstance(dtypes, (list, tuple))
        self._dtypes = [_dtypes.as_dtype(d) for d in ([dtypes] if single else dtypes)]
        if shapes is None:
            shapes = [None] * len(self._dtypes)
        elif isinstance(shapes, TensorShape) or all(
                s is None or isinstance(s, (int, np.integer)) for s in shapes):
            shapes = [shapes]  # one shape (of the one component), not one per component
        self._shapes = [TensorShape(s) for s in shapes]
        if len(self._shapes) != len(self._dtypes):
            raise ValueError(f"Queue shapes must have the same length as dtypes: "
                             f"{len(self._shapes)} shapes for {len(self._dtypes)} dtypes")
        self._names = list(names) if names is not None else None
        self._capacity = int(capacity) if capacity is not None else None
        self._name = name
        self._items: list = []
        self._condition = threading.Condition()
        self._closed = False
        self._cancelled = False

    # --- properties -----------------------------------------------------------------------
    name = property(lambda self: self._name)
    dtypes = property(lambda self: list(self._dtypes))
    shapes = property(lambda self: list(self._shapes))
    names = property(lambda self: self._names)
    queue_ref = property(lambda self: self)

    # --- the storage (kernels call these) --------------------------------------------------
    def _put(self, items: list) -> None:
        with self._condition:
            for item in items:
                while self._capacity is not None and len(self._items) >= self._capacity \
                        and not self._closed:
                    self._condition.wait()
                if self._closed:
                    raise CancelledError(None, None, f"Queue '{self._name}' is closed.")
                self._insert(item)
                self._condition.notify_all()

    def _insert(self, item: tuple) -> None:
        self._items.append(item)

    def _ready(self, count: int) -> bool:
        return len(self._items) >= count

    def _take(self, count: int, allow_smaller: bool) -> list:
        with self._condition:
            while not self._ready(count) and not self._closed:
                self._condition.wait()
            if self._closed and len(self._items) < count:  # closed: serve what is left
                if not (allow_smaller and self._items):
                    raise OutOfRangeError(None, None, f"FIFOQueue '{self._name}' is closed "
                                                      f"and has insufficient elements "
                                                      f"(requested {count}, current size "
                                                      f"{len(self._items)})")
                count = len(self._items)
            taken = [self._pop() for _ in range(count)]
            self._condition.notify_all()
            return taken

    def _pop(self) -> tuple:
        return self._items.pop(0)

    def _close(self, cancel_pending: bool) -> None:
        with self._condition:
            self._closed = True
            self._cancelled = self._cancelled or cancel_pending
            self._condition.notify_all()

    # --- ops -------------------------------------------------------------------------------
    def _components(self, vals) -> list:
        if isinstance(vals, dict):
            if self._names is None:
                raise ValueError("Queue must have names to enqueue a dictionary")
            vals = [vals[n] for n in self._names]
        elif not isinstance(vals, (list, tuple)):
            vals = [vals]
        if len(vals) != len(self._dtypes):
            raise ValueError(f"Expected {len(self._dtypes)} components for queue "
                             f"'{self._name}', got {len(vals)}")
        return [convert_to_tensor(v, dtype=d) for v, d in zip(vals, self._dtypes)]

    def enqueue(self, vals, name=None):
        """An op that adds one element (``vals``: its components)."""
        tensors = self._components(vals)
        return queue_op(lambda *arrays: self._put([tuple(arrays)]), tensors, [],
                        name or f"{self._name}_enqueue", "QueueEnqueueV2")

    def enqueue_many(self, vals, name=None):
        """An op that adds the elements along the first dimension of ``vals``."""
        tensors = self._components(vals)

        def put_many(*arrays):
            self._put([tuple(a[i] for a in arrays) for i in range(len(arrays[0]))])

        return queue_op(put_many, tensors, [], name or f"{self._name}_EnqueueMany",
                        "QueueEnqueueManyV2")

    def _result(self, tensors: list):
        if self._names is not None:
            return dict(zip(self._names, tensors))
        return tensors[0] if len(tensors) == 1 else tensors

    def _stack(self, items: list, component: int) -> np.ndarray:
        return np.stack([np.asarray(item[component]) for item in items]) if items else \
            np.zeros((0,), self._dtypes[component].np_dtype)

    def dequeue(self, name=None):
        """One element (a tensor, a list, or a dict with ``names``); blocks until there."""
        specs = [TensorSpec(s, d) for s, d in zip(self._shapes, self._dtypes)]

        def take(*_):
            (item,) = self._take(1, False)
            return tuple(item)

        return self._result(queue_op(take, [], specs, name or f"{self._name}_Dequeue",
                                     "QueueDequeueV2"))

    def dequeue_many(self, n, name=None):
        """``n`` elements stacked along a new first dimension."""
        return self._dequeue_batch(int(n), False, name or f"{self._name}_DequeueMany")

    def dequeue_up_to(self, n, name=None):
        """Up to ``n`` elements: fewer once the queue is closed (OutOfRange when empty)."""
        return self._dequeue_batch(int(n), True, name or f"{self._name}_DequeueUpTo")

    def _dequeue_batch(self, count: int, allow_smaller: bool, name: str):
        first = None if allow_smaller else count
        specs = [TensorSpec([first] + (s.as_list() if s.rank is not None else []), d)
                 if s.rank is not None else TensorSpec(None, d)
                 for s, d in zip(self._shapes, self._dtypes)]

        def take(*_):
            items = self._take(count, allow_smaller)
            return tuple(self._stack(items, c) for c in range(len(self._dtypes)))

        return self._result(queue_op(take, [], specs, name, "QueueDequeueManyV2"))

    def close(self, cancel_pending_enqueues=False, name=None):
        """An op that closes the queue (pending enqueues fail if ``cancel_pending_enqueues``)."""
        return queue_op(lambda: self._close(bool(cancel_pending_enqueues)), [], [],
                        name or f"{self._name}_Close", "QueueCloseV2")

    def size(self, name=None):
        """The number of elements in the queue (an int32 scalar tensor)."""
        (size,) = queue_op(lambda: (np.int32(len(self._items)),), [],
                           [TensorSpec([], _dtypes.int32)], name or f"{self._name}_Size",
                           "QueueSizeV2")
        return size

    def is_closed(self, name=None):
        """Whether the queue is closed (a boolean scalar tensor)."""
        (closed,) = queue_op(lambda: (np.bool_(self._closed),), [],
                             [TensorSpec([], _dtypes.bool_)], name or f"{self._name}_IsClosed",
                             "QueueIsClosedV2")
        return closed


class FIFOQueue(QueueBase):
    """A first-in first-out queue (``tf.compat.v1.FIFOQueue``).

    >>> import fluxion.compat.v1 as tf1
    >>> q = tf1.FIFOQueue(3, tf1.float32)
    >>> q.enqueue_many([[1.0, 2.0]])
    >>> float(q.dequeue())
    1.0
    """

    def __init__(self, capacity, dtypes, shapes=None, names=None, shared_name=None,
                 name="fifo_queue"):
        super().__init__(capacity, dtypes, shapes, names, name)


class PaddingFIFOQueue(QueueBase):
    """A FIFO queue whose components may vary in size along ``None`` dimensions;
    ``dequeue_many`` pads each batch with zeros to its largest element."""

    def __init__(self, capacity, dtypes, shapes, names=None, shared_name=None,
                 name="padding_fifo_queue"):
        super().__init__(capacity, dtypes, shapes, names, name)
        if any(s.rank is None for s in self._shapes):
            raise ValueError("PaddingFIFOQueue needs every component's rank (shapes with "
                             "None for the dimensions that vary)")

    def _stack(self, items: list, component: int) -> np.ndarray:
        arrays = [np.asarray(item[component]) for item in items]
        if not arrays:
            return np.zeros((0,), self._dtypes[component].np_dtype)
        target = np.max([a.shape for a in arrays], axis=0) if arrays[0].ndim else ()
        padded = []
        for array in arrays:
            widths = [(0, int(t) - d) for t, d in zip(target, array.shape)]
            fill = b"" if array.dtype == object else 0
            padded.append(np.pad(array, widths, constant_values=fill) if widths else array)
        return np.stack(padded)


class RandomShuffleQueue(QueueBase):
    """A queue that dequeues elements in random order, keeping at least
    ``min_after_dequeue`` in it (until closed) so the mix stays good."""

    def __init__(self, capacity, min_after_dequeue, dtypes, shapes=None, names=None,
                 seed=None, shared_name=None, name="random_shuffle_queue"):
        super().__init__(capacity, dtypes, shapes, names, name)
        self._min_after_dequeue = int(min_after_dequeue)
        self._random = np.random.RandomState(seed)

    def _ready(self, count: int) -> bool:
        return len(self._items) >= count + self._min_after_dequeue

    def _pop(self) -> tuple:
        index = self._random.randint(len(self._items))
        self._items[index], self._items[-1] = self._items[-1], self._items[index]
        return self._items.pop()


class PriorityQueue(QueueBase):
    """A queue dequeuing the element of lowest priority first: each element's first
    component is its int64 priority (not listed in ``types``/``shapes``)."""

    def __init__(self, capacity, types, shapes=None, names=None, shared_name=None,
                 name="priority_queue"):
        types = [types] if not isinstance(types, (list, tuple)) else list(types)
        shapes = None if shapes is None else [[]] + list(shapes)
        super().__init__(capacity, [_dtypes.int64] + types, shapes, names, name)
        self._order = 0

    def _insert(self, item: tuple) -> None:
        import bisect

        self._order += 1  # ties leave in insertion order
        key = (int(np.asarray(item[0])), self._order)
        keys = [(int(np.asarray(i[0])), o) for i, o in self._items]
        position = bisect.bisect(keys, key)
        self._items.insert(position, (item, self._order))

    def _pop(self) -> tuple:
        return self._items.pop(0)[0]
