"""TF 1's queue-based input pipeline (``tf.compat.v1.train``): producers that fill a
queue with a tensor's elements epoch after epoch, and batchers that group elements
from a queue.  Each adds a ``QueueRunner`` to the graph; ``start_queue_runners``
starts its threads, as in TensorFlow::

    names = tf.train.string_input_producer(["a.csv", "b.csv"], num_epochs=2)
    images, labels = tf.train.shuffle_batch([image, label], 32, 1000, 500)
    coord = tf.train.Coordinator()
    threads = tf.train.start_queue_runners(sess, coord)

``num_epochs`` counts in a local variable (run ``local_variables_initializer()``);
after the last epoch the producer's enqueue raises ``OutOfRangeError``, its queue
closes, and the consumers get ``OutOfRangeError`` once it is drained.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import OutOfRangeError
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.core.tensor_shape import TensorShape
from fluxion.graph.v1.graph import GraphKeys, get_default_graph
from fluxion.graph.v1.queue_runner import QueueRunner, add_queue_runner
from fluxion.graph.v1.queues import FIFOQueue, PaddingFIFOQueue, RandomShuffleQueue


def limit_epochs(tensor, num_epochs=None, name=None):
    """``tensor``, which raises ``OutOfRangeError`` once evaluated ``num_epochs`` times
    (every time if None); the count is a local variable."""
    from fluxion.core.variable import Variable
    from fluxion.graph.v1.variables import assign
    from fluxion.ops.script_ops import numpy_function

    tensor = convert_to_tensor(tensor)
    if num_epochs is None:
        return tensor
    if num_epochs <= 0:
        raise ValueError(f"num_epochs must be > 0, not {num_epochs}")
    graph = get_default_graph()
    with graph.building():
        epochs = Variable(Tensor(np.zeros((), np.int64)), trainable=False,
                          name=(name or "limit_epochs") + "/epochs")
    _make_local(graph, epochs)

    def count(value, passed):
        if int(value) >= int(num_epochs):
            raise OutOfRangeError(None, None, f"Reached limit of {int(num_epochs)}")
        return np.asarray(value + 1, np.int64), passed

    from fluxion.core.tensor_spec import TensorSpec
    from fluxion.ops.creation_ops import identity

    with graph.building():
        # The tensor passes through the counting node, so every use of it counts.
        counted, passed = numpy_function(count, [epochs._read_for_op(), tensor],
                                         [TensorSpec([], dtypes.int64),
                                          TensorSpec(tensor.shape, tensor.dtype)])
        bumped = assign(epochs, counted)
        with graph.control_dependencies([bumped]):
            return identity(passed)


def _make_local(graph, variable) -> None:
    """Moves a just-made variable from the global to the local variables."""
    for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.TRAINABLE_VARIABLES):
        ref = graph.get_collection_ref(key)
        ref[:] = [v for v in ref if v is not variable]
    graph.add_to_collection(GraphKeys.LOCAL_VARIABLES, variable)


def input_producer(input_tensor, element_shape=None, num_epochs=None, shuffle=True,
                   seed=None, capacity=32, shared_name=None, summary_name=None, name=None,
                   cancel_op=None):
    """A FIFO queue filled, by a queue runner, with the rows of ``input_tensor``
    (shuffled each epoch when ``shuffle``), ``num_epochs`` times (forever if None)."""
    from fluxion.ops import random_ops

    graph = get_default_graph()
    with graph.building():
        tensor = convert_to_tensor(input_tensor)
        shape = TensorShape(element_shape) if element_shape is not None else \
            TensorShape(tensor.shape.as_list()[1:])
        rows = limit_epochs(tensor, num_epochs)
        if shuffle:
            rows = random_ops.shuffle(rows, seed=seed)
        queue = FIFOQueue(capacity, [tensor.dtype], [shape], name=name or "input_producer")
        add_queue_runner(QueueRunner(queue, [queue.enqueue_many([rows])], cancel_op=cancel_op))
    return queue


def string_input_producer(string_tensor, num_epochs=None, shuffle=True, seed=None,
                          capacity=32, shared_name=None, name=None, cancel_op=None):
    """A queue of the strings (file names) of ``string_tensor``; see ``input_producer``."""
    strings = convert_to_tensor(string_tensor, dtype=dtypes.string)
    if isinstance(strings, Tensor) and not hasattr(strings, "_graph_value") \
            and strings.numpy().size == 0:
        raise ValueError("string_input_producer requires a non-null input tensor")
    return input_producer(strings, [], num_epochs, shuffle, seed, capacity,
                          name=name or "input_producer", cancel_op=cancel_op)


def range_input_producer(limit, num_epochs=None, shuffle=True, seed=None, capacity=32,
                         shared_name=None, name=None):
    """A queue of the integers ``0 .. limit - 1``; see ``input_producer``."""
    from fluxion.ops.creation_ops import range as arange

    return input_producer(arange(limit, dtype=dtypes.int32), [], num_epochs, shuffle, seed,
                          capacity, name=name or "input_producer")


def slice_input_producer(tensor_list, num_epochs=None, shuffle=True, seed=None,
                         capacity=32, shared_name=None, name=None):
    """One row of each tensor of ``tensor_list`` (the same row of all), row after row;
    returns the list of row tensors."""
    from fluxion.ops.array_ops import gather

    tensors = [convert_to_tensor(t) for t in tensor_list]
    if not tensors:
        raise ValueError("Expected at least one tensor in slice_input_producer().")
    count = tensors[0].shape.as_list()[0]
    if count is None:
        raise ValueError("slice_input_producer needs the tensors' first dimension")
    queue = range_input_producer(count, num_epochs, shuffle, seed, capacity,
                                 name=name or "input_producer")
    index = queue.dequeue()
    return [gather(t, index) for t in tensors]


# --- batching ------------------------------------------------------------------------------
def _flatten(tensors):
    """(list of tensors, rebuild function) for a list or a dict of tensors."""
    if isinstance(tensors, dict):
        keys = sorted(tensors)
        return [tensors[k] for k in keys], lambda out: dict(zip(keys, out))
    if isinstance(tensors, (list, tuple)):
        return list(tensors), lambda out: list(out)
    return [tensors], lambda out: out[0]


def _shapes(tensors: list, shapes, enqueue_many: bool, dynamic_pad: bool) -> list:
    if shapes is not None:
        return [TensorShape(s) for s in shapes]
    found = []
    for tensor in tensors:
        shape = tensor.shape.as_list() if tensor.shape.rank is not None else None
        if shape is None:
            raise ValueError("All shapes must be fully defined: give shapes= for tensors "
                             "of unknown rank")
        shape = shape[1:] if enqueue_many else shape
        if None in shape and not dynamic_pad:
            raise ValueError(f"All shapes must be fully defined: {shape} (pass shapes=, or "
                             f"dynamic_pad=True to pad the None dimensions)")
        found.append(TensorShape(shape))
    return found


def _batch(tensors_list, batch_size, num_threads, capacity, enqueue_many, shapes,
           dynamic_pad, allow_smaller, keep_input, queue_factory, name):

    graph = get_default_graph()
    with graph.building():
        flat_lists, rebuild = [], None
        for tensors in tensors_list:
            flat, rebuild = _flatten(tensors)
            flat_lists.append([convert_to_tensor(t) for t in flat])
        kinds = [t.dtype for t in flat_lists[0]]
        queue_shapes = _shapes(flat_lists[0], shapes, enqueue_many, dynamic_pad)
        queue = queue_factory(kinds, queue_shapes)
        ops = []
        for flat in flat_lists:
            op = _conditional_enqueue(queue, flat, keep_input, enqueue_many)
            ops.extend([op] * num_threads)
        add_queue_runner(QueueRunner(queue, ops))
        out = queue.dequeue_up_to(batch_size) if allow_smaller else \
            queue.dequeue_many(batch_size)
    out = out if isinstance(out, list) else [out]
    return rebuild(out)


def _conditional_enqueue(queue, flat: list, keep_input, enqueue_many: bool):
    """An enqueue op for ``flat`` that adds only what ``keep_input`` keeps."""
    if keep_input is None:
        return queue.enqueue_many(flat) if enqueue_many else queue.enqueue(flat)
    from fluxion.graph.v1.queues import queue_op

    keep = convert_to_tensor(keep_input, dtype=dtypes.bool_)

    def put(flag, *arrays):
        flag = np.asarray(flag)
        if enqueue_many:
            rows = range(len(arrays[0]))
            keep_rows = [i for i in rows if (flag if flag.ndim == 0 else flag[i])]
            queue._put([tuple(a[i] for a in arrays) for i in keep_rows])
        elif bool(flag):
            queue._put([tuple(arrays)])

    return queue_op(put, [keep] + flat, [], f"{queue.name}_enqueue_maybe", "QueueEnqueueV2")


def batch(tensors, batch_size, num_threads=1, capacity=32, enqueue_many=False, shapes=None,
          dynamic_pad=False, allow_smaller_final_batch=False, shared_name=None, name=None):
    """Batches of ``batch_size`` elements of ``tensors`` (a list or dict), gathered by
    ``num_threads`` queue runner threads into a FIFO (padding if ``dynamic_pad``) queue."""
    return maybe_batch(tensors, None, batch_size, num_threads, capacity, enqueue_many, shapes,
                       dynamic_pad, allow_smaller_final_batch, name=name)


def maybe_batch(tensors, keep_input, batch_size, num_threads=1, capacity=32,
                enqueue_many=False, shapes=None, dynamic_pad=False,
                allow_smaller_final_batch=False, shared_name=None, name=None):
    """``batch`` of the elements for which ``keep_input`` is true."""
    def factory(kinds, queue_shapes):
        cls = PaddingFIFOQueue if dynamic_pad else FIFOQueue
        return cls(capacity, kinds, queue_shapes, name=name or "batch/fifo_queue")

    return _batch([tensors], batch_size, num_threads, capacity, enqueue_many, shapes,
                  dynamic_pad, allow_smaller_final_batch, keep_input, factory, name)


def batch_join(tensors_list, batch_size, capacity=32, enqueue_many=False, shapes=None,
               dynamic_pad=False, allow_smaller_final_batch=False, shared_name=None,
               name=None):
    """``batch`` over several lists of tensors, one enqueue thread each (their
    elements interleave in the batches)."""
    return maybe_batch_join(tensors_list, None, batch_size, capacity, enqueue_many, shapes,
                            dynamic_pad, allow_smaller_final_batch, name=name)


def maybe_batch_join(tensors_list, keep_input, batch_size, capacity=32, enqueue_many=False,
                     shapes=None, dynamic_pad=False, allow_smaller_final_batch=False,
                     shared_name=None, name=None):
    """``batch_join`` of the elements for which ``keep_input`` is true."""
    def factory(kinds, queue_shapes):
        cls = PaddingFIFOQueue if dynamic_pad else FIFOQueue
        return cls(capacity, kinds, queue_shapes, name=name or "batch_join/fifo_queue")

    return _batch(tensors_list, batch_size, 1, capacity, enqueue_many, shapes, dynamic_pad,
                  allow_smaller_final_batch, keep_input, factory, name)


def shuffle_batch(tensors, batch_size, capacity, min_after_dequeue, num_threads=1, seed=None,
                  enqueue_many=False, shapes=None, allow_smaller_final_batch=False,
                  shared_name=None, name=None):
    """Batches drawn at random from a ``RandomShuffleQueue`` holding at least
    ``min_after_dequeue`` elements (so the batches mix well)."""
    return maybe_shuffle_batch(tensors, batch_size, capacity, min_after_dequeue, None,
                               num_threads, seed, enqueue_many, shapes,
                               allow_smaller_final_batch, name=name)


def maybe_shuffle_batch(tensors, batch_size, capacity, min_after_dequeue, keep_input,
                        num_threads=1, seed=None, enqueue_many=False, shapes=None,
                        allow_smaller_final_batch=False, shared_name=None, name=None):
    """``shuffle_batch`` of the elements for which ``keep_input`` is true."""
    def factory(kinds, queue_shapes):
        return RandomShuffleQueue(capacity, min_after_dequeue, kinds, queue_shapes, seed=seed,
                                  name=name or "shuffle_batch/random_shuffle_queue")

    return _batch([tensors], batch_size, num_threads, capacity, enqueue_many, shapes, False,
                  allow_smaller_final_batch, keep_input, factory, name)


def shuffle_batch_join(tensors_list, batch_size, capacity, min_after_dequeue, seed=None,
                       enqueue_many=False, shapes=None, allow_smaller_final_batch=False,
                       shared_name=None, name=None):
    """``shuffle_batch`` over several lists of tensors, one enqueue thread each."""
    return maybe_shuffle_batch_join(tensors_list, batch_size, capacity, min_after_dequeue,
                                    None, seed, enqueue_many, shapes,
                                    allow_smaller_final_batch, name=name)


def maybe_shuffle_batch_join(tensors_list, batch_size, capacity, min_after_dequeue,
                             keep_input, seed=None, enqueue_many=False, shapes=None,
                             allow_smaller_final_batch=False, shared_name=None, name=None):
    """``shuffle_batch_join`` of the elements for which ``keep_input`` is true."""
    def factory(kinds, queue_shapes):
        return RandomShuffleQueue(capacity, min_after_dequeue, kinds, queue_shapes, seed=seed,
                                  name=name or "shuffle_batch_join/random_shuffle_queue")

    return _batch(tensors_list, batch_size, 1, capacity, enqueue_many, shapes, False,
                  allow_smaller_final_batch, keep_input, factory, name)
