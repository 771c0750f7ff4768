"""Data-parallel training on 2 MPI ranks equals one process with the same global batch,
with identical weights on both ranks; a dead rank stops the other with a clear error."""

import os
import subprocess
import sys

import numpy as np
import pytest
from mpi_runs import HERE, MPIEXEC, ROOT, needs_mpiexec, run

pytestmark = needs_mpiexec
SCRIPT = os.path.join(HERE, "mpi_training.py")



def weights(path):
    with np.load(path) as data:
        return [data[key] for key in sorted(data.files, key=lambda k: int(k.split("_")[1]))]


@pytest.mark.parametrize("bytes_per_pack", ["0", "200"])  # shared memory; MPI buckets
def test_two_ranks_train_like_one_process_with_the_global_batch(tmp_path, bytes_per_pack):
    single = run([sys.executable, SCRIPT, str(tmp_path)])
    assert single.returncode == 0, single.stderr[-2000:]
    double = run([MPIEXEC, "-n", "2", sys.executable, SCRIPT, str(tmp_path)],
                 extra_env={"FLUXION_TEST_BYTES_PER_PACK": bytes_per_pack})
    assert double.returncode == 0, double.stderr[-3000:]
    alone = weights(tmp_path / "rank0_of_1.npz")
    rank0, rank1 = weights(tmp_path / "rank0_of_2.npz"), weights(tmp_path / "rank1_of_2.npz")
    for a, b in zip(rank0, rank1):
        np.testing.assert_array_equal(a, b)  # bit-identical on every worker
    for a, b in zip(alone, rank0):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6)
    assert "rank 0: reduce=3.0" in double.stdout and "rank 1: reduce=3.0" in double.stdout


def test_a_hung_rank_stops_the_other_with_a_clear_error_in_bounded_time(tmp_path):
    import time

    started = time.monotonic()
    result = run([MPIEXEC, "-n", "2", sys.executable, SCRIPT, str(tmp_path)],
                 extra_env={"FLUXION_TEST_FAULT": "hang", "FLUXION_COLLECTIVE_TIMEOUT": "20"},
                 timeout=180)
    assert result.returncode != 0
    assert "UnavailableError" in result.stderr
    assert "no answer from the other workers within 20 s" in result.stderr
    assert time.monotonic() - started < 170


def test_a_dead_rank_ends_the_run_in_bounded_time(tmp_path):
    result = run([MPIEXEC, "-n", "2", sys.executable, SCRIPT, str(tmp_path)],
                 extra_env={"FLUXION_TEST_FAULT": "die", "FLUXION_COLLECTIVE_TIMEOUT": "5"},
                 timeout=180)
    assert result.returncode != 0


def test_fluxion_launch_runs_the_script_on_n_workers(tmp_path):
    result = run([sys.executable, "-m", "fluxion.cli", "launch", "-n", "2", SCRIPT,
                  str(tmp_path)])
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(os.listdir(tmp_path)) == ["rank0_of_2.npz", "rank1_of_2.npz"]


def test_keras_distribution_data_parallel_and_chief_only_checkpoints(tmp_path):
    result = run([MPIEXEC, "-n", "2", sys.executable, SCRIPT, str(tmp_path)],
                 extra_env={"FLUXION_TEST_KERAS_DISTRIBUTION": "1",
                            "FLUXION_TEST_CHECKPOINT": "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    rank0, rank1 = weights(tmp_path / "rank0_of_2.npz"), weights(tmp_path / "rank1_of_2.npz")
    for a, b in zip(rank0, rank1):
        np.testing.assert_array_equal(a, b)
    assert (tmp_path / "model.keras").exists()  # written by the chief only


def test_plain_mpiexec_gives_each_rank_its_share_of_the_cpus(tmp_path):
    from fluxion.core.usable_cpus import usable_cpu_count

    probe = ("import sys\n"
             "import fluxion as tf\n"
             "s = tf.distribute.MultiWorkerMirroredStrategy()\n"
             "with open(f'{sys.argv[1]}/rank{s.cluster_resolver.task_id}', 'w') as f:\n"
             "    f.write(str(tf.config.threading.get_intra_op_parallelism_threads()))\n")
    env = {k: v for k, v in os.environ.items()
           if k not in ("FLUXION_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                        "MKL_NUM_THREADS", "BLIS_NUM_THREADS")}
    env["PYTHONPATH"] = ROOT

    script = tmp_path / "probe.py"
    script.write_text(probe)

    def threads_of_each_rank(launcher=(MPIEXEC, "-n", "2", sys.executable)):
        result = subprocess.run([*launcher, str(script), str(tmp_path)], env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]
        return [(tmp_path / f"rank{r}").read_text() for r in range(2)]

    share = str(max(1, usable_cpu_count() // 2))
    assert threads_of_each_rank() == [share, share]
    launch = (sys.executable, "-m", "fluxion.cli", "launch", "-n", "2")
    assert threads_of_each_rank(launch) == [share, share]
    env["FLUXION_NUM_THREADS"] = "3"  # a user's own setting wins
    assert threads_of_each_rank() == ["3", "3"]


def test_fit_on_a_dataset_shards_it_by_data_like_the_arrays(tmp_path):
    single = run([sys.executable, SCRIPT, str(tmp_path)])
    assert single.returncode == 0, single.stderr[-2000:]
    double = run([MPIEXEC, "-n", "2", sys.executable, SCRIPT, str(tmp_path)],
                 extra_env={"FLUXION_TEST_SOURCE": "dataset"})
    assert double.returncode == 0, double.stderr[-3000:]
    alone = weights(tmp_path / "rank0_of_1.npz")
    rank0, rank1 = weights(tmp_path / "rank0_of_2.npz"), weights(tmp_path / "rank1_of_2.npz")
    for a, b, c in zip(alone, rank0, rank1):
        np.testing.assert_array_equal(b, c)
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6)


def test_fit_on_files_of_different_lengths_shards_by_file_and_ends_together(tmp_path):
    result = run([MPIEXEC, "-n", "2", sys.executable, SCRIPT, str(tmp_path)],
                 extra_env={"FLUXION_TEST_SOURCE": "files", "FLUXION_COLLECTIVE_TIMEOUT": "60"},
                 timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    rank0, rank1 = weights(tmp_path / "rank0_of_2.npz"), weights(tmp_path / "rank1_of_2.npz")
    for a, b in zip(rank0, rank1):
        np.testing.assert_array_equal(a, b)


def test_rerunning_after_a_worker_was_killed_resumes_to_the_uninterrupted_weights(tmp_path):
    import time

    def launch(out_dir, **extra):
        os.makedirs(out_dir, exist_ok=True)
        return run([sys.executable, "-m", "fluxion.cli", "launch", "-n", "2", SCRIPT,
                    str(out_dir)],
                   extra_env={"FLUXION_TEST_EPOCHS": "3", "FLUXION_COLLECTIVE_TIMEOUT": "30",
                              "FLUXION_TEST_BACKUP": str(out_dir / "backup"), **extra},
                   timeout=180)

    whole = launch(tmp_path / "whole")
    assert whole.returncode == 0, whole.stderr[-3000:]
    crashing = tmp_path / "crashing"
    started = time.monotonic()
    killed = launch(crashing, FLUXION_TEST_KILL_AT="1,3")  # rank 1 dies in epoch 1
    assert killed.returncode != 0
    assert time.monotonic() - started < 120  # the other worker did not wait forever
    assert "killing this worker at epoch 1, batch 3" in killed.stdout
    assert "a worker of" in killed.stderr and "run the same command again" in killed.stderr
    assert not (crashing / "rank0_of_2.npz").exists()
    assert (crashing / "backup").is_dir()  # the chief's backup of epoch 0's end
    resumed = launch(crashing, FLUXION_TEST_KILL_AT="1,3")  # the same command again
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert (tmp_path / "whole" / "started_rank0.txt").read_text() == "epoch 0, batch 0"
    for rank in (0, 1):  # from the backup at epoch 0's end, not from scratch
        assert (crashing / f"started_rank{rank}.txt").read_text() == "epoch 1, batch 0"
    expected = weights(tmp_path / "whole" / "rank0_of_2.npz")
    for rank in (0, 1):
        for a, b in zip(expected, weights(crashing / f"rank{rank}_of_2.npz")):
            np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-7)
    assert not (crashing / "backup").exists()  # deleted when training finished
