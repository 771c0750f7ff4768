"""TF 1 session configuration records: ``ConfigProto``, ``GPUOptions``, ``RunOptions``...

TF 1 programs build these to pass to ``Session(config=...)`` and ``Session.run(options=
...)``.  They are plain records here, with TensorFlow's field names and defaults; a
Fluxion session runs on the CPU (or the backend Fluxion was started with), so device
placement and GPU memory options have nothing to act on and are kept only for the
program to read back.
"""

from __future__ import annotations


class _Record:
    _fields: dict = {}

    def __init__(self, **fields):
        unknown = set(fields) - set(self._fields)
        if unknown:
            raise ValueError(f"{type(self).__name__} has no field(s) {sorted(unknown)}; "
                             f"fields: {sorted(self._fields)}")
        for name, default in self._fields.items():
            value = fields.get(name, default)
            setattr(self, name, value() if callable(value) and name not in fields else value)

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and all(
            getattr(self, k) == getattr(other, k) for k in self._fields)

    __hash__ = None

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._fields
                          if getattr(self, k) != (self._fields[k]() if callable(
                              self._fields[k]) else self._fields[k]))
        return f"{type(self).__name__}({shown})"


class GPUOptions(_Record):
    _fields = {"allow_growth": False, "per_process_gpu_memory_fraction": 0.0,
               "visible_device_list": "", "allocator_type": ""}


class OptimizerOptions(_Record):
    _fields = {"do_common_subexpression_elimination": True, "do_constant_folding": True,
               "opt_level": 0, "global_jit_level": 0}


class GraphOptions(_Record):
    _fields = {"optimizer_options": OptimizerOptions, "enable_bfloat16_sendrecv": False}


class ConfigProto(_Record):
    """``tf.compat.v1.ConfigProto``: the options of a ``Session``."""

    _fields = {"log_device_placement": False, "allow_soft_placement": False,
               "intra_op_parallelism_threads": 0, "inter_op_parallelism_threads": 0,
               "device_count": dict, "gpu_options": GPUOptions, "graph_options": GraphOptions,
               "operation_timeout_in_ms": 0, "use_per_session_threads": False}


class RunOptions(_Record):
    """``tf.compat.v1.RunOptions`` for ``Session.run(options=...)``."""

    NO_TRACE, SOFTWARE_TRACE, HARDWARE_TRACE, FULL_TRACE = 0, 1, 2, 3
    _fields = {"trace_level": 0, "timeout_in_ms": 0, "output_partition_graphs": False}


class RunMetadata(_Record):
    """``tf.compat.v1.RunMetadata``: filled by ``Session.run(run_metadata=...)`` in TF."""

    _fields = {"step_stats": dict, "partition_graphs": list}
