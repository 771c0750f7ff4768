"""Cluster descriptions: ``tf.train.ClusterSpec`` and the ``ClusterDef``, ``JobDef`` and
``ServerDef`` protocol buffers.

A cluster is a set of named jobs (``"worker"``, ``"ps"``), each a set of tasks with
network addresses, dense (a list) or sparse (a dict of task index -> address).  The
messages are declared at run time with ``protobuf`` (an optional extra) with
TensorFlow's package, field names and numbers, so they interchange with TensorFlow's.
``ServerDef.default_session_config`` and ``cluster_device_filters`` are kept as their
serialized bytes (the same on the wire as the messages TensorFlow nests there).
"""

from __future__ import annotations

import functools

_EXTRA_HINT = ("tf.train.ClusterDef, JobDef and ServerDef need the `protobuf` package: "
               "pip install 'fluxion-ml[protobuf]' (or pip install protobuf)")
MESSAGE_NAMES = ("JobDef", "ClusterDef", "ServerDef")


def _file_descriptor(descriptor_pb2):
    field = descriptor_pb2.FieldDescriptorProto
    proto = descriptor_pb2.FileDescriptorProto(name="fluxion/cluster.proto",
                                               package="tensorflow", syntax="proto3")
    rep, opt = field.LABEL_REPEATED, field.LABEL_OPTIONAL
    job = proto.message_type.add(name="JobDef")
    job.field.add(name="name", number=1, type=field.TYPE_STRING, label=opt)
    job.field.add(name="tasks", number=2, type=field.TYPE_MESSAGE, label=rep,
                  type_name=".tensorflow.JobDef.TasksEntry")
    entry = job.nested_type.add(name="TasksEntry")
    entry.options.map_entry = True
    entry.field.add(name="key", number=1, type=field.TYPE_INT32, label=opt)
    entry.field.add(name="value", number=2, type=field.TYPE_STRING, label=opt)
    cluster = proto.message_type.add(name="ClusterDef")
    cluster.field.add(name="job", number=1, type=field.TYPE_MESSAGE, label=rep,
                      type_name=".tensorflow.JobDef")
    server = proto.message_type.add(name="ServerDef")
    for name, number, kind in (("cluster", 1, field.TYPE_MESSAGE),
                               ("job_name", 2, field.TYPE_STRING),
                               ("task_index", 3, field.TYPE_INT32),
                               ("default_session_config", 4, field.TYPE_BYTES),
                               ("protocol", 5, field.TYPE_STRING),
                               ("port", 6, field.TYPE_INT32),
                               ("cluster_device_filters", 7, field.TYPE_BYTES),
                               ("replica", 8, field.TYPE_INT32)):
        added = server.field.add(name=name, number=number, type=kind, label=opt)
        if name == "cluster":
            added.type_name = ".tensorflow.ClusterDef"
    return proto


@functools.cache
def message_classes() -> dict:
    """Name -> message class for ``JobDef``, ``ClusterDef``, ``ServerDef`` (built once)."""
    from fluxion.io.proto_messages import message_classes_from

    return message_classes_from(_file_descriptor, MESSAGE_NAMES, _EXTRA_HINT)


class ClusterSpec:
    """A cluster as a set of jobs, each a set of tasks (``tf.train.ClusterSpec``).

    Args:
      cluster: a dict ``{job name: [addresses] or {task index: address}}``, a
        ``ClusterDef`` message, or another ``ClusterSpec``.

    >>> spec = ClusterSpec({"worker": ["w0:2222", "w1:2222"], "ps": {1: "ps1:2222"}})
    >>> spec.num_tasks("worker"), spec.task_address("ps", 1)
    (2, 'ps1:2222')
    """

    def __init__(self, cluster):
        if isinstance(cluster, ClusterSpec):
            self._jobs = {name: dict(tasks) for name, tasks in cluster._jobs.items()}
        elif isinstance(cluster, dict):
            self._jobs = {}
            for job, tasks in cluster.items():
                if isinstance(tasks, (list, tuple)):
                    self._jobs[str(job)] = {i: str(a) for i, a in enumerate(tasks)}
                elif isinstance(tasks, dict):
                    self._jobs[str(job)] = {int(i): str(a) for i, a in tasks.items()}
                else:
                    raise TypeError(f"ClusterSpec: job {job!r} must map to a list or dict of "
                                    f"addresses, got {type(tasks).__name__}")
        elif hasattr(cluster, "job"):  # a ClusterDef
            self._jobs = {job.name: {int(i): str(a) for i, a in job.tasks.items()}
                          for job in cluster.job}
        else:
            raise TypeError(f"ClusterSpec: expected a dict, a ClusterDef or a ClusterSpec, "
                            f"got {type(cluster).__name__}")

    @property
    def jobs(self) -> list:
        """The job names, in the order given."""
        return list(self._jobs)

    def _job(self, job_name: str) -> dict:
        if job_name not in self._jobs:
            raise ValueError(f"No such job in cluster: {job_name!r}; jobs: {self.jobs}")
        return self._jobs[job_name]

    def num_tasks(self, job_name: str) -> int:
        """How many tasks ``job_name`` has."""
        return len(self._job(job_name))

    def task_indices(self, job_name: str) -> list:
        """The sorted task indices of ``job_name``."""
        return sorted(self._job(job_name))

    def task_address(self, job_name: str, task_index: int) -> str:
        """The address of task ``task_index`` of ``job_name``."""
        tasks = self._job(job_name)
        if task_index not in tasks:
            raise ValueError(f"No task with index {task_index} in job {job_name!r}")
        return tasks[task_index]

    def job_tasks(self, job_name: str) -> list:
        """The addresses of ``job_name`` by index, None where an index has no task."""
        tasks = self._job(job_name)
        return [tasks.get(i) for i in range(max(tasks) + 1)] if tasks else []

    def as_dict(self) -> dict:
        """``{job: [addresses]}``, or ``{job: {index: address}}`` for a sparse job."""
        result = {}
        for job, tasks in self._jobs.items():
            dense = sorted(tasks) == list(range(len(tasks)))
            result[job] = [tasks[i] for i in range(len(tasks))] if dense else dict(tasks)
        return result

    def as_cluster_def(self):
        """The cluster as a ``ClusterDef`` message (jobs sorted by name, as TF writes)."""
        classes = message_classes()
        cluster_def = classes["ClusterDef"]()
        for job in sorted(self._jobs):
            job_def = cluster_def.job.add(name=job)
            for index, address in sorted(self._jobs[job].items()):
                job_def.tasks[index] = address
        return cluster_def

    def __bool__(self) -> bool:
        return bool(self._jobs)

    def __eq__(self, other) -> bool:
        return isinstance(other, ClusterSpec) and self._jobs == other._jobs

    def __ne__(self, other) -> bool:
        return not self == other

    __hash__ = None

    def __repr__(self) -> str:
        return f"ClusterSpec({ {job: self.as_dict()[job] for job in sorted(self._jobs)} !r})"


def __getattr__(name: str):
    if name in MESSAGE_NAMES:
        return message_classes()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
