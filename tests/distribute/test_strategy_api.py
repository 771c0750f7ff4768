"""The strategy API in one process: scopes, reduce, gather, sharding of batches."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.distribute import sharding


def test_scope_get_strategy_and_has_strategy():
    strategy = tf.distribute.MirroredStrategy()
    assert not tf.distribute.has_strategy()
    with strategy.scope():
        assert tf.distribute.has_strategy() and tf.distribute.get_strategy() is strategy
    assert tf.distribute.get_strategy().num_replicas_in_sync == 1
    assert strategy.cluster_resolver.task_type == "worker"
    assert strategy.cluster_resolver.task_id == 0


@pytest.mark.parametrize("cls", [tf.distribute.MultiWorkerMirroredStrategy,
                                 tf.distribute.OneDeviceStrategy,
                                 tf.distribute.MirroredStrategy])
def test_one_worker_reduce_gather_and_run(cls):
    strategy = cls()
    value = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    assert float(strategy.reduce("SUM", tf.constant(5.0))) == 5.0
    np.testing.assert_allclose(strategy.reduce(tf.distribute.ReduceOp.MEAN, value, axis=0),
                               [2.0, 3.0])
    np.testing.assert_allclose(strategy.reduce("SUM", value, axis=0), [4.0, 6.0])
    np.testing.assert_allclose(strategy.gather(value, axis=0), value)
    assert strategy.run(lambda a, b: a + b, args=(1, 2)) == 3
    assert strategy.experimental_local_results(value)[0] is value


def test_each_worker_takes_its_share_of_every_global_batch():
    batch = (np.arange(8.0).reshape(8, 1), np.arange(8))
    first = sharding.share_of_batch(batch, 0, 2)
    second = sharding.share_of_batch(batch, 1, 2)
    np.testing.assert_array_equal(first[1], [0, 1, 2, 3])
    np.testing.assert_array_equal(second[1], [4, 5, 6, 7])
    with pytest.raises(ValueError, match="cannot be split evenly"):
        sharding.share_of_batch(np.arange(5), 0, 2)
    dataset = tf.data.Dataset.range(8).batch(4)
    shares = [list(np.concatenate([np.asarray(b) for b in
                                   sharding.share_of_each_batch(dataset, r, 2)]))
              for r in range(2)]
    assert shares == [[0, 1, 4, 5], [2, 3, 6, 7]]


def test_input_context_and_datasets_from_function():
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    seen = []

    def make(context):
        seen.append((context.num_input_pipelines, context.input_pipeline_id,
                     context.get_per_replica_batch_size(8)))
        return tf.data.Dataset.range(4)

    strategy.distribute_datasets_from_function(make)
    assert seen == [(1, 0, 8)]
