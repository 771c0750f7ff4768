"""The serial/parallel choice of a compiled graph, on a fake graph whose speed depends on
the pool size it is given, timed by a fake clock (so the outcome is certain)."""

import types

import pytest

from fluxion.core import blas_threads, thread_choice
from fluxion.core.thread_choice import ThreadChoice


class FakePool:
    """Stands in for the native pools and the clock: the runner takes the time its pool
    size is given."""

    def __init__(self, monkeypatch, serial_s, parallel_s):
        self.size = 1
        self.seconds = {1: serial_s, 2: parallel_s}
        self.sizes_seen = []
        monkeypatch.setattr(blas_threads, "set_pool_size", self.resize)
        monkeypatch.setattr(blas_threads, "set_parallel", self.resize)
        # NumPy's BLAS pool, whose workers spin: the strict limits on tries
        monkeypatch.setattr(blas_threads, "parallel_pools_wait_passively", lambda: False)
        monkeypatch.setattr(blas_threads, "threads_when_parallel", 2)
        monkeypatch.setattr(blas_threads, "choosing", True)
        self.waiting_ns = 0  # what the calling thread's schedstat reports
        self.now = 1000.0
        clock = types.SimpleNamespace(perf_counter=lambda: self.now)
        monkeypatch.setattr(thread_choice, "time", clock)
        monkeypatch.setattr(thread_choice, "_waiting_ns", lambda: self.waiting_ns)
        self.load = 0.0  # the machine's one-minute load average
        monkeypatch.setattr(thread_choice, "_load_average", lambda: self.load)

    def resize(self, size):
        self.size = size

    def runner(self, x):
        self.sizes_seen.append(self.size)
        self.now += self.seconds[self.size]
        self.waiting_ns += int(self.waiting_share * self.seconds[self.size] * 1e9)
        return x + 1

    waiting_share = 0.0


def run(choice, pool, calls):
    for _ in range(calls):
        assert choice.run(pool.runner, (1,)) == 2
        assert pool.size == 1  # back at one thread after every call


def test_parallel_is_kept_where_it_measures_faster(monkeypatch):
    pool = FakePool(monkeypatch, serial_s=0.02, parallel_s=0.005)
    choice = ThreadChoice()
    run(choice, pool, 10)
    assert choice.parallel
    # untimed first call, the three-call baseline, a serial call checking the machine
    assert pool.sizes_seen[:6] == [1, 1, 1, 1, 1, 2]
    assert pool.sizes_seen[-3:] == [2, 2, 2]


def test_long_calls_try_parallel_after_one_serial_sample(monkeypatch):
    # a 1.5 s predict must not run five serial calls before its first parallel try
    pool = FakePool(monkeypatch, serial_s=1.5, parallel_s=0.8)
    choice = ThreadChoice()
    run(choice, pool, 6)
    assert pool.sizes_seen == [1, 1, 1, 2, 2, 2]  # untimed, sample, check, then parallel
    assert choice.parallel


def test_long_serial_calls_clear_the_next_try_as_they_run(monkeypatch):
    pool = FakePool(monkeypatch, serial_s=1.5, parallel_s=3.0)
    choice = ThreadChoice()
    run(choice, pool, 4)  # parallel tried once and lost
    assert not choice.parallel and pool.sizes_seen.count(2) == 1
    pool.seconds[2] = 0.8  # the machine got faster for two threads
    pool.now = choice.next_try - 1.0  # one serial call before the next try is due
    run(choice, pool, 2)
    # that serial call checked the machine, so the try needs no check call of its own
    assert pool.sizes_seen[-2:] == [1, 2]


def test_parallel_that_is_slower_loses_after_one_call_and_backs_off(monkeypatch):
    pool = FakePool(monkeypatch, serial_s=0.005, parallel_s=0.06)
    choice = ThreadChoice()
    run(choice, pool, 12)
    assert not choice.parallel
    assert pool.sizes_seen.count(2) == 1  # the try stopped at its first slow call
    assert choice.backoff == 2 * thread_choice.BACKOFF_START


def test_contention_switches_back_to_serial(monkeypatch):
    pool = FakePool(monkeypatch, serial_s=0.08, parallel_s=0.02)
    choice = ThreadChoice()
    run(choice, pool, 8)
    assert choice.parallel
    pool.seconds[2] = 0.25  # other programs started: parallel collapses
    run(choice, pool, 3)
    assert not choice.parallel
    assert pool.sizes_seen[-1] == 1


def test_no_parallel_try_while_the_serial_calls_wait_for_a_cpu(monkeypatch):
    pool = FakePool(monkeypatch, serial_s=0.08, parallel_s=0.02)
    pool.waiting_share = 0.3  # oversubscribed: a third of each call spent waiting
    choice = ThreadChoice()
    run(choice, pool, 8)
    assert set(pool.sizes_seen) == {1}
    assert choice.backoff == 2 * thread_choice.BACKOFF_START


def test_a_later_try_finds_the_machine_free_again(monkeypatch):
    pool = FakePool(monkeypatch, serial_s=0.08, parallel_s=0.02)
    pool.waiting_share = 0.3
    choice = ThreadChoice()
    run(choice, pool, 8)
    assert not choice.parallel
    pool.waiting_share = 0.0  # the other programs ended
    pool.now += choice.backoff + 0.1
    run(choice, pool, 6)
    assert choice.parallel and pool.sizes_seen[-3:] == [2, 2, 2]


def test_quick_graphs_settle_serial_untimed(monkeypatch):
    pool = FakePool(monkeypatch, serial_s=0.0, parallel_s=0.0)
    choice = ThreadChoice()
    run(choice, pool, 10)
    assert choice.settled and not choice.parallel
    assert set(pool.sizes_seen) == {1}


def test_no_choice_when_the_user_fixed_the_threads(monkeypatch):
    pool = FakePool(monkeypatch, serial_s=0.08, parallel_s=0.02)
    monkeypatch.setattr(blas_threads, "choosing", False)
    choice = ThreadChoice()
    run(choice, pool, 10)
    assert set(pool.sizes_seen) == {1} and choice.calls == 0


def test_other_threads_run_without_resizing(monkeypatch):
    import threading

    pool = FakePool(monkeypatch, serial_s=0.08, parallel_s=0.02)
    choice = ThreadChoice()
    worker = threading.Thread(target=run, args=(choice, pool, 10))
    worker.start()
    worker.join()
    assert set(pool.sizes_seen) == {1} and choice.calls == 0


@pytest.mark.parametrize("calls", [1, 30])
def test_compiled_function_results_do_not_depend_on_the_mode(calls):
    import numpy as np

    import fluxion as tf

    rng = np.random.default_rng(0)
    a = rng.standard_normal((96, 96)).astype(np.float32)
    step = tf.function(lambda x: tf.matmul(x, x))
    for _ in range(calls):
        out = step(tf.constant(a)).numpy()
    np.testing.assert_allclose(out, a @ a, rtol=1e-4, atol=1e-4)


class ScatteredPool(FakePool):
    """A shared machine: the parallel calls' times scatter (one lucky call among slow
    ones), the serial ones do not."""

    def __init__(self, monkeypatch, serial_s, parallel_sequence):
        super().__init__(monkeypatch, serial_s, parallel_sequence[0])
        self.sequence = list(parallel_sequence)

    def runner(self, x):
        if self.size == 2:
            self.seconds[2] = self.sequence[(self.sizes_seen.count(2)) % len(self.sequence)]
        return super().runner(x)


def test_one_lucky_parallel_call_does_not_decide(monkeypatch):
    # best parallel 0.01 < 0.85 x 0.05, but its median (0.07) is slower than serial
    pool = ScatteredPool(monkeypatch, serial_s=0.05, parallel_sequence=[0.01, 0.07, 0.08])
    choice = ThreadChoice()
    run(choice, pool, 12)
    assert not choice.parallel
    # the try's calls only: parallel was never kept (the best-time rule kept it)
    assert pool.sizes_seen.count(2) == thread_choice.SAMPLES
    assert choice.backoff == 2 * thread_choice.BACKOFF_START


def test_steadily_faster_parallel_still_wins_by_its_median(monkeypatch):
    pool = ScatteredPool(monkeypatch, serial_s=0.05, parallel_sequence=[0.03, 0.02, 0.035])
    choice = ThreadChoice()
    run(choice, pool, 12)
    assert choice.parallel


def test_no_parallel_try_while_the_load_average_fills_the_cpus(monkeypatch):
    pool = FakePool(monkeypatch, serial_s=0.08, parallel_s=0.02)
    pool.load = 2.5  # other programs: more runnable threads than the 2 CPUs
    choice = ThreadChoice()
    run(choice, pool, 8)
    assert set(pool.sizes_seen) == {1}
    assert choice.backoff == 2 * thread_choice.BACKOFF_START
    pool.load = 0.7  # they ended
    pool.now += choice.backoff + 0.1
    run(choice, pool, 6)
    assert choice.parallel and pool.sizes_seen[-3:] == [2, 2, 2]


def test_the_load_average_is_read_from_the_system():
    load = thread_choice._load_average()
    assert isinstance(load, float) and load >= 0.0


@pytest.mark.parametrize("waiting_share, load, tries", [
    (0.3, 2.5, True),  # beside two busy processes: two threads get more of the CPUs
    (0.6, 2.5, False),  # each thread would get under half a CPU
    (0.3, 4.5, False),
])
def test_passively_waiting_pools_are_tried_on_a_moderately_busy_machine(
        monkeypatch, waiting_share, load, tries):
    pool = FakePool(monkeypatch, serial_s=0.08, parallel_s=0.02)
    monkeypatch.setattr(blas_threads, "parallel_pools_wait_passively", lambda: True)
    pool.waiting_share, pool.load = waiting_share, load
    choice = ThreadChoice()
    run(choice, pool, 8)
    assert choice.parallel == tries
    assert (2 in pool.sizes_seen) == tries


def test_a_parallel_median_within_the_margin_wins(monkeypatch):
    # the MLP step on two OpenMP threads: 0.87x its serial time on the idle machine
    pool = FakePool(monkeypatch, serial_s=0.010, parallel_s=0.0087)
    choice = ThreadChoice()
    run(choice, pool, 10)
    assert choice.parallel
