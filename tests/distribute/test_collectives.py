"""Bucketed gradient all-reduce in one process, MPI replaced by a fake world of two
workers holding the same gradients: buckets, values, and the start of each bucket's
reduction placed inside the backward pass of a compiled step."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.distribute import collectives, mpi_comm


class _Done:
    def Test(self):  # noqa: N802 - mpi4py's name
        return True


class _TwoIdenticalWorkers:
    """Iallreduce as two workers with equal buffers would see it: twice the buffer."""

    def __init__(self):
        self.sizes = []

    def Get_size(self):  # noqa: N802
        return 2

    def Iallreduce(self, send, receive, op=None):  # noqa: N802
        self.sizes.append(send.size)
        np.multiply(send, 2, out=receive)
        return _Done()


@pytest.fixture
def world(monkeypatch):
    fake = _TwoIdenticalWorkers()
    monkeypatch.setattr(mpi_comm, "require_world", lambda: fake)
    return fake


def test_buckets_hold_the_last_variables_first():
    shapes = [(8, 4), (4,), (4, 4), (4,), (4, 2), (2,)]
    assert collectives._buckets(shapes, 20) == [[5, 4, 3, 2], [1, 0]]
    assert collectives._buckets(shapes, 1000) == [[5, 4, 3, 2, 1, 0]]
    assert collectives._buckets([(3,)], 20) == [[0]]


def test_the_mean_comes_back_per_gradient_eagerly(world):
    grads = [tf.constant(np.arange(12.0, dtype=np.float32).reshape(3, 4)),
             tf.constant([1.0, 2.0])]
    out = collectives.all_reduce_bucket(grads)
    for g, o in zip(grads, out):
        np.testing.assert_array_equal(o.numpy(), g.numpy())
        assert o.shape == g.shape and o.dtype == g.dtype


def test_a_bucket_starts_reducing_inside_the_backward_pass(world):
    rng = np.random.default_rng(0)
    weights = [tf.Variable(rng.random(shape, dtype=np.float32))
               for shape in [(8, 16), (16,), (16, 16), (16,), (16, 2), (2,)]]
    x = tf.constant(rng.random((5, 8), dtype=np.float32))

    def gradients():
        with tf.GradientTape() as tape:
            h = x
            for kernel, bias in zip(weights[::2], weights[1::2]):
                h = tf.nn.relu(tf.matmul(h, kernel) + bias)
            loss = tf.reduce_sum(h * h)
        return tape.gradient(loss, weights)

    def step():
        return collectives.all_reduce_bucket(gradients(), bytes_per_pack=40 * 4)

    compiled = tf.function(step)
    for got, want in zip(compiled(), gradients()):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)
    assert world.sizes == [2 + 16 * 2 + 16, 16 * 16, 16 + 8 * 16]  # buckets of >= 40
    lines = compiled.python_source().splitlines()
    starts = [i for i, line in enumerate(lines) if "host_call" in line]
    matmuls = [i for i, line in enumerate(lines) if line.endswith("# matmul")]
    # the last layers' bucket starts before the first layer's kernel gradient is computed
    assert starts[0] < matmuls[-1]


def test_communication_options_set_the_buckets_and_the_timeout(world):
    options = tf.distribute.experimental.CommunicationOptions(bytes_per_pack=1 << 10,
                                                               timeout_seconds=5)
    strategy = tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
    try:
        assert mpi_comm.timeout_seconds() == 5
    finally:
        mpi_comm.set_timeout_option(None)
    assert strategy._communication_options.bytes_per_pack == 1024
    with pytest.raises(ValueError, match="must be >=0"):
        tf.distribute.experimental.CommunicationOptions(bytes_per_pack=-1)
    with pytest.raises(TypeError, match="CommunicationOptions"):
        tf.distribute.MultiWorkerMirroredStrategy(communication_options={"a": 1})
    implementation = tf.distribute.experimental.CommunicationImplementation.RING
    assert tf.distribute.experimental.CommunicationOptions(
        implementation="ring").implementation is implementation


def test_only_adams_plain_fused_update_is_offered_for_sharding():
    from fluxion import keras

    weights = [tf.Variable(np.ones((3, 2), np.float32)), tf.Variable(np.ones(2, np.float32))]
    grads = [tf.constant(np.ones((3, 2), np.float32)), tf.constant(np.ones(2, np.float32))]

    def plan(optimizer):
        optimizer.build(weights)
        return optimizer._sharded_update_plan(grads, weights)

    offered = plan(keras.optimizers.Adam(0.01))
    assert offered["hyper"] == {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}
    assert len(offered["moments"]) == len(offered["velocities"]) == 2
    assert float(offered["alpha"]()) > 0
    for other in (keras.optimizers.Adam(amsgrad=True), keras.optimizers.AdamW(),
                  keras.optimizers.Adam(clipnorm=1.0), keras.optimizers.Adam(use_ema=True),
                  keras.optimizers.Adam(gradient_accumulation_steps=2)):
        assert plan(other) is None, other
    assert getattr(keras.optimizers.SGD(), "_sharded_update_plan", None) is None


@pytest.mark.parametrize("size", [7, 135_000])  # NumPy's and oneDNN's adam_update kernels
def test_adam_in_place_is_bit_for_bit_the_adam_update_primitive(size):
    from fluxion.core.primitives.optimizer_updates import adam_update_p
    from fluxion.distribute.sharded_update import adam_in_place

    rng = np.random.default_rng(3)
    g, m, w = (rng.normal(size=size).astype(np.float32) for _ in range(3))
    v = rng.random(size, dtype=np.float32)
    alpha = np.float32(0.0123)
    expected = adam_update_p.impl(g, m, v, w, alpha, beta_1=0.9, beta_2=0.999,
                                  epsilon=1e-7)
    m2, v2, w2 = m.copy(), v.copy(), w.copy()
    adam_in_place(g, m2, v2, w2, alpha, 0.9, 0.999, 1e-7,
                  scratch=np.empty((2, size), np.float32))
    for got, want in zip((m2, v2, w2), expected):
        np.testing.assert_array_equal(got, want)
