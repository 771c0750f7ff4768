"""The usable CPU count: affinity and cgroup v1/v2 CPU quotas, on fake cgroup trees."""

import os

import pytest

from fluxion.core import usable_cpus


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as file:
        file.write(text)


@pytest.fixture
def affinity(monkeypatch):
    monkeypatch.setattr(usable_cpus, "affinity_cpu_count", lambda: 8)


def count(tmp_path, proc_cgroup: str) -> int:
    write(tmp_path / "proc_self_cgroup", proc_cgroup)
    return usable_cpus.usable_cpu_count(str(tmp_path / "cg"), str(tmp_path / "proc_self_cgroup"))


def test_cgroup_v2_quota_is_rounded_up(tmp_path, affinity):
    write(tmp_path / "cg/app/cpu.max", "150000 100000\n")
    assert count(tmp_path, "0::/app\n") == 2


def test_cgroup_v2_without_quota_uses_affinity(tmp_path, affinity):
    write(tmp_path / "cg/app/cpu.max", "max 100000\n")
    assert count(tmp_path, "0::/app\n") == 8


def test_cgroup_v2_parent_quota_binds(tmp_path, affinity):
    write(tmp_path / "cg/outer/cpu.max", "300000 100000\n")
    write(tmp_path / "cg/outer/inner/cpu.max", "max 100000\n")
    assert count(tmp_path, "0::/outer/inner\n") == 3


def test_cgroup_v2_container_sees_its_cgroup_at_the_root(tmp_path, affinity):
    # The path names the host's hierarchy; the container mounts its own cgroup as root.
    write(tmp_path / "cg/cpu.max", "100000 100000\n")
    assert count(tmp_path, "0::/kubepods/pod1/abc\n") == 1


def test_cgroup_v1_cfs_quota(tmp_path, affinity):
    write(tmp_path / "cg/cpu,cpuacct/docker/x/cpu.cfs_quota_us", "250000\n")
    write(tmp_path / "cg/cpu,cpuacct/docker/x/cpu.cfs_period_us", "100000\n")
    assert count(tmp_path, "4:memory:/docker/x\n3:cpu,cpuacct:/docker/x\n") == 3


def test_cgroup_v1_unlimited_quota(tmp_path, affinity):
    write(tmp_path / "cg/cpu/cpu.cfs_quota_us", "-1\n")
    write(tmp_path / "cg/cpu/cpu.cfs_period_us", "100000\n")
    assert count(tmp_path, "1:cpu:/\n") == 8


def test_quota_never_raises_the_affinity_count(tmp_path, affinity):
    write(tmp_path / "cg/cpu.max", "1600000 100000\n")
    assert count(tmp_path, "0::/\n") == 8


def test_missing_or_garbled_files_mean_no_limit(tmp_path, affinity):
    write(tmp_path / "cg/app/cpu.max", "lots\n")
    assert count(tmp_path, "0::/app\nnot a cgroup line\n") == 8
    assert usable_cpus.usable_cpu_count(str(tmp_path / "none"), str(tmp_path / "none")) == 8


def test_real_count_is_within_the_machine():
    assert 1 <= usable_cpus.usable_cpu_count() <= (os.cpu_count() or 1)
