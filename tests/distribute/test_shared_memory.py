"""Gradients reduced through the host's shared memory and Adam's update sharded across the
ranks (real ``mpiexec`` runs): the same weights and optimizer state on every rank, equal
to one process with the same global batch, also after values are replaced between fits,
in saved models, and across (simulated) hosts."""

import os
import sys

import numpy as np
import pytest
from mpi_runs import HERE, MPIEXEC, needs_mpiexec
from mpi_runs import run as run_ranks

pytestmark = needs_mpiexec
SCRIPT = os.path.join(HERE, "mpi_sharded.py")


def run(command, extra_env=None, timeout=240):
    result = run_ranks(command, {"FLUXION_COLLECTIVE_TIMEOUT": "60", **(extra_env or {})},
                       timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def arrays(path):
    with np.load(path) as data:
        return [data[key] for key in sorted(data.files, key=lambda k: int(k.split("_")[1]))]


def results(out_dir, tag):
    return {kind: arrays(os.path.join(out_dir, f"{tag}_{kind}.npz"))
            for kind in ("weights", "slots", "loaded_slots")}


def assert_same(a, b, exact=False):
    for kind in a:
        assert len(a[kind]) == len(b[kind])
        for x, y in zip(a[kind], b[kind]):
            if exact:
                np.testing.assert_array_equal(x, y, err_msg=kind)
            else:
                np.testing.assert_allclose(x, y, rtol=2e-5, atol=2e-6, err_msg=kind)


@pytest.fixture(scope="module")
def alone(tmp_path_factory):
    """One process's results, per optimizer."""
    made = {}

    def get(optimizer):
        if optimizer not in made:
            out = tmp_path_factory.mktemp(f"alone_{optimizer}")
            run([sys.executable, SCRIPT, str(out), optimizer])
            made[optimizer] = results(out, "rank0_of_1")
        return made[optimizer]

    return get


@pytest.mark.parametrize("sharded,eager", [("1", ""), ("0", ""), ("1", "1")])
def test_adam_on_two_ranks_equals_one_process_weights_and_optimizer_state(
        tmp_path, alone, sharded, eager):
    run([MPIEXEC, "-n", "2", sys.executable, SCRIPT, str(tmp_path), "adam"],
        extra_env={"FLUXION_SHARDED_UPDATE": sharded, "FLUXION_TEST_EAGER": eager})
    rank0, rank1 = results(tmp_path, "rank0_of_2"), results(tmp_path, "rank1_of_2")
    assert_same(rank0, rank1, exact=True)  # bit-identical on every rank
    assert_same(alone("adam"), rank0)
    iterations = rank0["slots"][0]
    assert int(iterations) == 3 * 96 // 16  # 3 epochs of 6 steps


def test_the_sharded_update_runs_and_splits_the_parameters(tmp_path):
    probe = (
        "import sys\n"
        f"sys.argv = ['x', {str(tmp_path)!r}, 'adam']\n"
        "from fluxion.distribute import sharded_update, node_memory\n"
        "calls = []\n"
        "step = sharded_update.SharedAdamState.step\n"
        "def counted(self, alpha, grads):\n"
        "    step(self, alpha, grads)\n"
        "    calls.append((self.reduction.start, self.reduction.stop))\n"
        "sharded_update.SharedAdamState.step = counted\n"
        f"import runpy; runpy.run_path({SCRIPT!r}, run_name='__main__')\n"
        "from mpi4py import MPI\n"
        f"with open({str(tmp_path)!r} + f'/parts{{MPI.COMM_WORLD.Get_rank()}}', 'w') as f:\n"
        "    f.write(f'{len(calls)} {sorted(set(calls))}')\n")
    run([MPIEXEC, "-n", "2", sys.executable, "-c", probe])
    # 18 steps; 146 parameters: rank 0 updates the first 73, rank 1 the others
    assert (tmp_path / "parts0").read_text() == "18 [(0, 73)]"
    assert (tmp_path / "parts1").read_text() == "18 [(73, 146)]"


def test_sgd_reduces_through_shared_memory_like_one_process(tmp_path, alone):
    run([MPIEXEC, "-n", "2", sys.executable, SCRIPT, str(tmp_path), "sgd"])
    rank0, rank1 = results(tmp_path, "rank0_of_2"), results(tmp_path, "rank1_of_2")
    assert_same(rank0, rank1, exact=True)
    assert_same(alone("sgd"), rank0)


def test_ranks_on_two_hosts_add_the_hosts_sums_between_leaders(tmp_path, alone):
    # MPICH's cliques: each rank its own "host"; the leaders' Allreduce adds them.
    run([MPIEXEC, "-n", "2", sys.executable, SCRIPT, str(tmp_path), "adam"],
        extra_env={"MPIR_CVAR_ODD_EVEN_CLIQUES": "1"})
    rank0, rank1 = results(tmp_path, "rank0_of_2"), results(tmp_path, "rank1_of_2")
    assert_same(rank0, rank1, exact=True)
    assert_same(alone("adam"), rank0)


@pytest.mark.parametrize("ranks,hosts", [(4, 2), (3, 3)])  # 3 hosts: reduce + broadcast
def test_shared_reduction_is_bit_identical_and_hierarchical(tmp_path, ranks, hosts):
    probe = (
        "import numpy as np\n"
        "from mpi4py import MPI\n"
        "from fluxion.distribute import node_memory\n"
        "rank, n = MPI.COMM_WORLD.Get_rank(), MPI.COMM_WORLD.Get_size()\n"
        "values = [np.random.default_rng(r).normal(size=1001).astype(np.float32) "
        "for r in range(n)]\n"
        "reduction = node_memory.SharedReduction(1001, np.float32)\n"
        "for step in range(3):\n"
        "    reduction.write([values[rank][:600] * (step + 1), values[rank][600:] * (step + 1)])\n"
        "    mean = reduction.mean()\n"
        "    expected = sum(values) * (step + 1) / n\n"
        "    np.testing.assert_allclose(mean, expected, rtol=1e-5, atol=1e-6)\n"
        "    everyone = MPI.COMM_WORLD.allgather(mean.tobytes())\n"
        "    assert len(set(everyone)) == 1, 'ranks disagree'\n"
        "group = node_memory.node_group()\n"
        "print(f'rank {rank}: hosts {group.hosts} of {group.size}', flush=True)\n")
    result = run([MPIEXEC, "-n", str(ranks), sys.executable, "-c", probe],
                 extra_env={"MPIR_CVAR_NUM_CLIQUES": str(hosts)})
    assert result.stdout.count(f"hosts {hosts} of {ranks // hosts}") == ranks


def test_a_failed_shared_allocation_says_what_to_do(tmp_path):
    probe = (
        "from mpi4py import MPI\n"
        "from fluxion.core import errors\n"
        "from fluxion.distribute import node_memory\n"
        "def refuse(*args, **kwargs):\n"
        "    raise MPI.Exception(MPI.ERR_NO_MEM)\n"
        "node_memory._allocate_shared = refuse\n"
        "try:\n"
        "    node_memory.node_group(MPI.COMM_WORLD).shared_array((1000,), 'float32')\n"
        "except errors.ResourceExhaustedError as error:\n"
        "    print('refused:', error)\n")
    result = run([sys.executable, "-c", probe])
    assert "refused: Could not allocate 0.0 MiB of memory shared by this host's 1" \
        in result.stdout
    assert "bytes_per_pack" in result.stdout


CUSTOM = '''
import sys
import numpy as np
import fluxion as tf
from fluxion import keras
strategy = tf.distribute.MultiWorkerMirroredStrategy()
rng = np.random.default_rng(0)
x = rng.random((96, 5), dtype=np.float32)
y = (x @ rng.random((5, 2))).astype("float32")
class Model(keras.Sequential):
    def train_step(self, data):  # reads the weights after the update, in the same step
        xb, yb = data
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(self(xb, training=True) - yb))
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        return {"loss": loss,
                "wsum": tf.add_n([tf.reduce_sum(v) for v in self.trainable_variables])}
with strategy.scope():
    keras.utils.set_random_seed(3)
    model = Model([keras.Input((5,)), keras.layers.Dense(
        8, activation="relu", kernel_constraint=keras.constraints.MaxNorm(0.5)),
        keras.layers.Dense(2)])
    model.compile(keras.optimizers.Adam(0.01))
history = model.fit(x, y, batch_size=16, epochs=2, verbose=0)
rank, n = strategy.cluster_resolver.task_id, strategy.num_replicas_in_sync
np.savez(f"{sys.argv[1]}/custom{rank}_of_{n}.npz", history.history["wsum"][-1],
         *[v.numpy() for v in model.weights])
'''


def test_constraints_and_reads_after_the_update_match_one_process(tmp_path):
    script = tmp_path / "custom.py"
    script.write_text(CUSTOM)
    run([sys.executable, str(script), str(tmp_path)])
    run([MPIEXEC, "-n", "2", sys.executable, str(script), str(tmp_path)])
    alone = arrays(tmp_path / "custom0_of_1.npz")
    for rank in (0, 1):
        for a, b in zip(alone, arrays(tmp_path / f"custom{rank}_of_2.npz")):
            np.testing.assert_allclose(b, a, rtol=2e-5, atol=2e-6)
