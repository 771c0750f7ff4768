"""How many CPUs this process may really use: its affinity mask and its cgroup's quota.

``os.cpu_count()`` counts the machine's CPUs.  A process pinned with ``taskset`` or
running in a container limited to ``--cpus=2`` on a 64-core host may use far fewer;
starting 64 BLAS threads there makes them queue behind each other.  The count here is
the smaller of

- the affinity mask (``os.sched_getaffinity``), and
- the CPU bandwidth quota of the process's cgroup and of every cgroup above it:
  cgroup v2's ``cpu.max`` (``"<quota> <period>"`` or ``"max <period>"``) or cgroup v1's
  ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us`` (quota ``-1``: none), rounded up.

Everything is read once per call and any unreadable file counts as "no limit".
"""

from __future__ import annotations

import math
import os

_CGROUP_ROOT = "/sys/fs/cgroup"
_PROC_SELF_CGROUP = "/proc/self/cgroup"


def usable_cpu_count(cgroup_root: str = _CGROUP_ROOT,
                     proc_self_cgroup: str = _PROC_SELF_CGROUP) -> int:
    """CPUs this process may use: affinity and cgroup CPU quota, at least 1.

    ``cgroup_root`` and ``proc_self_cgroup`` exist for the tests, which build fake trees.
    """
    count = affinity_cpu_count()
    quota = cgroup_cpu_quota(cgroup_root, proc_self_cgroup)
    if quota is not None:
        count = min(count, max(1, math.ceil(quota)))
    return max(1, count)


def affinity_cpu_count() -> int:
    """CPUs in this process's affinity mask (``os.cpu_count()`` where there is none)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # macOS, Windows
        return os.cpu_count() or 1


def cgroup_cpu_quota(cgroup_root: str = _CGROUP_ROOT,
                     proc_self_cgroup: str = _PROC_SELF_CGROUP) -> float | None:
    """The tightest CPU quota (in CPUs) over this process's cgroups, or None if unlimited."""
    try:
        with open(proc_self_cgroup) as file:
            lines = file.read().splitlines()
    except OSError:
        lines = []
    quotas = []
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        if controllers == "":  # cgroup v2's unified hierarchy: "0::/path"
            quotas += _quotas_along(path, [cgroup_root, os.path.join(cgroup_root, "unified")],
                                    _read_cpu_max)
        elif "cpu" in controllers.split(","):
            mounts = [os.path.join(cgroup_root, controllers),
                      os.path.join(cgroup_root, "cpu"),
                      os.path.join(cgroup_root, "cpu,cpuacct")]
            quotas += _quotas_along(path, mounts, _read_cfs_quota)
    if not lines:  # no /proc/self/cgroup: try the root of either hierarchy
        quotas += [q for q in (_read_cpu_max(cgroup_root),
                               _read_cfs_quota(os.path.join(cgroup_root, "cpu")))
                   if q is not None]
    return min(quotas) if quotas else None


def _quotas_along(path: str, mounts: list[str], read) -> list[float]:
    """Quotas of the cgroup at ``path`` and of its ancestors, under the first mount that has
    them.  Inside a container the path may name the host's hierarchy while the container
    sees its own cgroup at the mount's root, so the root is always read too."""
    found = []
    for mount in dict.fromkeys(mounts):
        if not os.path.isdir(mount):
            continue
        directory = path.strip("/")
        while True:
            quota = read(os.path.join(mount, directory) if directory else mount)
            if quota is not None:
                found.append(quota)
            if not directory:
                break
            directory = os.path.dirname(directory)
        if found:
            break
    return found


def _read_cpu_max(directory: str) -> float | None:
    """cgroup v2: ``cpu.max`` holds ``"<quota> <period>"``, or ``"max <period>"`` if none."""
    text = _read(os.path.join(directory, "cpu.max"))
    if text is None:
        return None
    fields = text.split()
    if len(fields) != 2 or fields[0] == "max":
        return None
    return _ratio(fields[0], fields[1])


def _read_cfs_quota(directory: str) -> float | None:
    """cgroup v1: ``cpu.cfs_quota_us`` (``-1``: none) over ``cpu.cfs_period_us``."""
    quota = _read(os.path.join(directory, "cpu.cfs_quota_us"))
    period = _read(os.path.join(directory, "cpu.cfs_period_us"))
    if quota is None or period is None:
        return None
    return _ratio(quota, period)


def _ratio(quota: str, period: str) -> float | None:
    try:
        quota_us, period_us = int(quota), int(period)
    except ValueError:
        return None
    if quota_us <= 0 or period_us <= 0:
        return None
    return quota_us / period_us


def _read(path: str) -> str | None:
    try:
        with open(path) as file:
            return file.read().strip()
    except OSError:
        return None
