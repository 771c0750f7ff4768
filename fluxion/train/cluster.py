"""``ClusterSpec``: the tasks of a distributed job, by job name (``tf.train.ClusterSpec``)."""

from __future__ import annotations


class ClusterSpec:
    """Maps job names (``"worker"``, ``"ps"``) to their tasks' addresses.

    ``cluster`` is a dict of job name to a list of addresses (task i is the i-th) or to
    a dict ``{task index: address}``, or another ``ClusterSpec``.

    >>> spec = ClusterSpec({"worker": ["w0:2222", "w1:2222"], "ps": ["p0:2222"]})
    >>> spec.num_tasks("worker"), spec.task_address("ps", 0)
    (2, 'p0:2222')
    """

    def __init__(self, cluster):
        if isinstance(cluster, ClusterSpec):
            cluster = cluster.as_dict()
        if not isinstance(cluster, dict):
            raise TypeError(f"`cluster` must be a dictionary mapping one or more job names "
                            f"to (possibly sparse) lists or dictionaries of tasks, got "
                            f"{type(cluster).__name__}")
        self._jobs = {}
        for job, tasks in cluster.items():
            if isinstance(tasks, (list, tuple)):
                tasks = dict(enumerate(tasks))
            elif not isinstance(tasks, dict):
                raise TypeError(f"The tasks for job {job!r} must be a list or a dictionary "
                                f"from integers to strings.")
            self._jobs[str(job)] = {int(i): str(address) for i, address in tasks.items()}

    @property
    def jobs(self) -> list:
        return sorted(self._jobs)

    def as_dict(self) -> dict:
        """``{job: [addresses]}`` (a dict of index to address for sparse jobs)."""
        result = {}
        for job, tasks in self._jobs.items():
            indices = sorted(tasks)
            dense = indices == list(range(len(indices)))
            result[job] = [tasks[i] for i in indices] if dense else dict(tasks)
        return result

    def num_tasks(self, job_name) -> int:
        return len(self._tasks(job_name))

    def task_indices(self, job_name) -> list:
        return sorted(self._tasks(job_name))

    def task_address(self, job_name, task_index) -> str:
        tasks = self._tasks(job_name)
        if int(task_index) not in tasks:
            raise ValueError(f"No task with index {task_index} in job {job_name!r}")
        return tasks[int(task_index)]

    def job_tasks(self, job_name) -> list:
        """Addresses by index (None where a sparse job has no task)."""
        tasks = self._tasks(job_name)
        return [tasks.get(i) for i in range(max(tasks) + 1)] if tasks else []

    def _tasks(self, job_name) -> dict:
        if job_name not in self._jobs:
            raise ValueError(f"No such job in cluster: {job_name!r}")
        return self._jobs[job_name]

    def __bool__(self) -> bool:
        return bool(self._jobs)

    def __eq__(self, other) -> bool:
        return isinstance(other, ClusterSpec) and self._jobs == other._jobs

    def __repr__(self) -> str:
        return f"ClusterSpec({self.as_dict()!r})"
