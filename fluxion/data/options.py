"""``Options``: settings for a whole pipeline (``tf.data.Options``).

Options set anywhere in a pipeline (``with_options``) apply to all of it; merging keeps
the value set later in the pipeline.  Fluxion reads ``deterministic``; the other
groups are accepted so that TF code setting them runs unchanged.
"""

from __future__ import annotations


class _Group:
    """A group of options; unset ones read None."""

    _fields: tuple = ()

    def __init__(self):
        for name in self._fields:
            object.__setattr__(self, name, None)

    def __setattr__(self, name, value):
        if name not in self._fields:
            raise AttributeError(f"{type(self).__name__} has no option {name!r}; the options "
                                 f"are {', '.join(self._fields)}.")
        object.__setattr__(self, name, value)

    def _merge(self, other):
        merged = type(self)()
        for name in self._fields:
            value = getattr(other, name)
            if isinstance(value, _Group):
                value = getattr(self, name)._merge(value)
            elif value is None:
                value = getattr(self, name)
            object.__setattr__(merged, name, value)
        return merged

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and all(
            getattr(self, n) == getattr(other, n) for n in self._fields)

    def __repr__(self) -> str:
        set_fields = {n: getattr(self, n) for n in self._fields if getattr(self, n) is not None}
        return f"{type(self).__name__}({set_fields})"


class OptimizationOptions(_Group):
    _fields = ("apply_default_optimizations", "filter_fusion", "inject_prefetch",
               "map_and_batch_fusion", "map_and_filter_fusion", "map_fusion",
               "map_parallelization", "noop_elimination", "parallel_batch",
               "shuffle_and_repeat_fusion")


class ThreadingOptions(_Group):
    _fields = ("max_intra_op_parallelism", "private_threadpool_size")


class AutotuneOptions(_Group):
    _fields = ("enabled", "cpu_budget", "ram_budget")


class AutoShardPolicy:
    OFF, AUTO, FILE, DATA, HINT = -1, 0, 1, 2, 3


class DistributeOptions(_Group):
    _fields = ("auto_shard_policy", "num_devices")


class Options(_Group):
    """Pipeline options.

    >>> options = Options()
    >>> options.deterministic = False
    >>> options.deterministic
    False
    """

    _fields = ("deterministic", "experimental_optimization", "threading", "autotune",
               "experimental_distribute", "experimental_slack",
               "experimental_external_state_policy", "experimental_warm_start")

    def __init__(self):
        super().__init__()
        object.__setattr__(self, "experimental_optimization", OptimizationOptions())
        object.__setattr__(self, "threading", ThreadingOptions())
        object.__setattr__(self, "autotune", AutotuneOptions())
        object.__setattr__(self, "experimental_distribute", DistributeOptions())

    def merge(self, options) -> Options:
        """These options overridden by those set in ``options``."""
        return self if options is None else self._merge(options)
