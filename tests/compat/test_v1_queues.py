"""TF 1 queues, queue runners, the Coordinator and the queue-based input pipeline,
run as TF 1 programs use them (Session graphs, threads)."""

import threading

import numpy as np
import pytest

import fluxion as fx
import fluxion.compat.v1 as tf
from fluxion.core.errors import CancelledError, OutOfRangeError


def test_fifo_queue_eager():
    q = tf.FIFOQueue(4, [tf.int32, tf.float32], shapes=[[], [2]])
    q.enqueue([1, [1.0, 2.0]])
    q.enqueue_many([[2, 3], [[3.0, 4.0], [5.0, 6.0]]])
    assert int(q.size()) == 3
    first, vec = q.dequeue()
    assert int(first) == 1 and vec.numpy().tolist() == [1.0, 2.0]
    ids, vecs = q.dequeue_many(2)
    assert ids.numpy().tolist() == [2, 3] and vecs.shape == (2, 2)
    q.close()
    assert bool(q.is_closed())
    with pytest.raises(OutOfRangeError):
        q.dequeue()
    with pytest.raises(CancelledError):
        q.enqueue([4, [0.0, 0.0]])


def test_fifo_queue_in_a_session():
    with tf.Graph().as_default():
        q = tf.FIFOQueue(10, tf.float32, shapes=[[]], name="q")
        x = tf.placeholder(tf.float32, [None])
        enqueue = q.enqueue_many([x])
        item = q.dequeue()
        assert item.shape.as_list() == []
        total = q.dequeue_many(2) * 10.0
        assert total.shape.as_list() == [2]
        up_to = q.dequeue_up_to(5)
        with tf.Session() as sess:
            sess.run(enqueue, {x: [1.0, 2.0, 3.0, 4.0]})
            assert sess.run(q.size()) == 4
            assert sess.run(item) == 1.0
            assert sess.run(total).tolist() == [20.0, 30.0]
            sess.run(q.close())
            assert sess.run(up_to).tolist() == [4.0]
            with pytest.raises(OutOfRangeError):
                sess.run(up_to)


def test_named_queue_gives_dicts():
    q = tf.FIFOQueue(2, [tf.int32, tf.string], shapes=[[], []], names=["n", "s"])
    q.enqueue({"n": 5, "s": "five"})
    out = q.dequeue()
    assert int(out["n"]) == 5 and out["s"].numpy() == b"five"


def test_padding_queue_pads_batches():
    q = tf.PaddingFIFOQueue(5, [tf.int32], shapes=[[None]])
    q.enqueue([[1, 2, 3]])
    q.enqueue([[4]])
    np.testing.assert_array_equal(q.dequeue_many(2).numpy(), [[1, 2, 3], [4, 0, 0]])


def test_random_shuffle_queue_keeps_a_reserve_and_shuffles():
    q = tf.RandomShuffleQueue(100, min_after_dequeue=5, dtypes=[tf.int32], shapes=[[]],
                              seed=3)
    q.enqueue_many([np.arange(20, dtype=np.int32)])
    drawn = q.dequeue_many(15).numpy()
    assert sorted(drawn.tolist()) != drawn.tolist() and len(set(drawn)) == 15
    assert int(q.size()) == 5
    q.close()  # closed: the reserve can be drained
    rest = q.dequeue_many(5).numpy()
    assert sorted(drawn.tolist() + rest.tolist()) == list(range(20))


def test_priority_queue_orders_by_priority():
    q = tf.PriorityQueue(5, [tf.string], shapes=[[]])
    q.enqueue_many([np.int64([5, 1, 3]), ["five", "one", "three"]])
    priorities, names = q.dequeue_many(3)
    assert priorities.numpy().tolist() == [1, 3, 5]
    assert names.numpy().tolist() == [b"one", b"three", b"five"]


def test_blocking_dequeue_waits_for_another_thread():
    q = tf.FIFOQueue(1, tf.int32, shapes=[[]])
    result = []
    reader = threading.Thread(target=lambda: result.append(int(q.dequeue())))
    reader.start()
    q.enqueue(7)
    reader.join(5)
    assert result == [7]


def test_coordinator():
    coord = tf.train.Coordinator()
    seen = []

    def worker():
        with coord.stop_on_exception():
            while not coord.should_stop():
                seen.append(1)
                if len(seen) > 3:
                    raise RuntimeError("worker failed")

    threads = [threading.Thread(target=worker)]
    for thread in threads:
        thread.start()
    with pytest.raises(RuntimeError, match="worker failed"):
        coord.join(threads)
    coord.clear_stop()
    assert not coord.should_stop()
    coord.request_stop(OutOfRangeError(None, None, "end"))  # a clean stop: not raised
    coord.join([])
    assert coord.joined
    ticks = []
    coord = tf.train.Coordinator()
    looper = tf.train.LooperThread.loop(coord, 0.01, ticks.append, args=(1,))
    while len(ticks) < 3:
        coord.wait_for_stop(0.01)
    coord.request_stop()
    coord.join([looper])
    assert len(ticks) >= 3


def test_queue_runner_fills_a_queue_until_the_input_ends():
    with tf.Graph().as_default():
        names = tf.train.string_input_producer(["a", "b", "c"], num_epochs=2, shuffle=False)
        name = names.dequeue()
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess, coord)
            seen = []
            with pytest.raises(OutOfRangeError):
                while True:
                    seen.append(sess.run(name))
            coord.request_stop()
            coord.join(threads)
    assert seen == [b"a", b"b", b"c", b"a", b"b", b"c"]


def test_shuffle_batch_and_slice_input_producer_train_a_model():
    rng = np.random.RandomState(0)
    features = rng.rand(64, 3).astype(np.float32)
    targets = features @ np.float32([1.0, -2.0, 0.5])
    with tf.Graph().as_default():
        tf.set_random_seed(1)
        x, y = tf.train.slice_input_producer([features, targets], shuffle=True, seed=2)
        xb, yb = tf.train.shuffle_batch([x, y], batch_size=16, capacity=64,
                                        min_after_dequeue=16, num_threads=2, seed=3)
        assert xb.shape.as_list() == [16, 3] and yb.shape.as_list() == [16]
        w = tf.Variable(tf.zeros([3]))
        loss = tf.reduce_mean(tf.square(tf.reduce_sum(xb * w, 1) - yb))
        train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess=sess, coord=coord)
            first = sess.run(loss)
            for _ in range(150):
                sess.run(train)
            last = sess.run(loss)
            coord.request_stop()
            coord.join(threads)
    assert last < first / 10


@pytest.mark.parametrize("join", [False, True])
def test_batch_variants(join):
    with tf.Graph().as_default():
        values = tf.train.range_input_producer(6, num_epochs=1, shuffle=False).dequeue()
        if join:
            out = tf.train.batch_join([[values]], batch_size=4, allow_smaller_final_batch=True)
        else:
            out = tf.train.batch([values], batch_size=4, allow_smaller_final_batch=True)
        out = out[0]
        # Its own input: reading `values` too, its runner raced the batch for the six
        # elements (the test failed whenever it took them all).
        other = tf.train.range_input_producer(6, num_epochs=1, shuffle=False).dequeue()
        kept = tf.train.maybe_batch({"v": other * 10}, keep_input=True, batch_size=1)
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess, coord)
            batches = []
            with pytest.raises(OutOfRangeError):
                while True:
                    batches.append(sess.run(out).tolist())
            coord.request_stop()
            coord.join(threads)
    assert sorted(sum(batches, [])) == list(range(6))
    assert isinstance(kept, dict) and kept["v"].shape.as_list() == [1]


def test_maybe_shuffle_batch_filters():
    with tf.Graph().as_default():
        data = np.arange(20, dtype=np.int32)
        batch = tf.train.maybe_shuffle_batch([data], batch_size=5, capacity=30,
                                             min_after_dequeue=0, keep_input=data % 2 == 0,
                                             enqueue_many=True)
        joined = tf.train.maybe_shuffle_batch_join([[data]], 2, 30, 0, keep_input=True,
                                                   enqueue_many=True)
        both = tf.train.shuffle_batch_join([[data]], 2, 30, 0, enqueue_many=True)
        with tf.Session() as sess:
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess, coord)
            drawn = sess.run(batch)[0]
            sess.run([joined, both])
            coord.request_stop()
            coord.join(threads, stop_grace_period_secs=5)
    assert all(v % 2 == 0 for v in drawn) and len(drawn) == 5


def test_limit_epochs_and_input_producer():
    with tf.Graph().as_default():
        limited = tf.train.limit_epochs(fx.constant([1, 2]), num_epochs=2)
        queue = tf.train.input_producer(fx.constant([[1.0, 2.0], [3.0, 4.0]]), shuffle=False)
        row = queue.dequeue()
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            sess.run(limited)
            sess.run(limited)
            with pytest.raises(OutOfRangeError):
                sess.run(limited)
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess, coord)
            assert sess.run(row).tolist() == [1.0, 2.0]
            coord.request_stop()
            coord.join(threads)
    with pytest.raises(ValueError):
        tf.train.limit_epochs(fx.constant([1]), num_epochs=0)


def test_add_queue_runner_and_errors():
    with tf.Graph().as_default():
        q = tf.FIFOQueue(2, tf.int32, shapes=[[]])
        runner = tf.train.QueueRunner(q, [q.enqueue(1)])
        tf.train.add_queue_runner(runner)
        assert tf.get_collection("queue_runners") == [runner]
        assert runner.name == q.name and runner.enqueue_ops
        with pytest.raises(ValueError, match="No default session"):
            tf.train.start_queue_runners()
    with pytest.raises(ValueError):
        tf.train.QueueRunner(q, [])
