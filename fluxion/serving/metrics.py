"""Request metrics in Prometheus' text format, named as TensorFlow Serving names them.

``:tensorflow:serving:request_count`` (by model and status), the REST request latency
histogram ``:tensorflow:serving:request_latency`` (microseconds, by model, API and
entry point) and ``:tensorflow:serving:batching_session:processed_batch_size`` (rows
per model call when batching is on).
"""

from __future__ import annotations

import bisect
import threading

# Latency buckets in microseconds (TF Serving uses exponential buckets too).
_LATENCY_BOUNDS = tuple(10 * 1.8 ** i for i in range(33))
_BATCH_BOUNDS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)


class _Histogram:
    def __init__(self, bounds):
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)
        self.total = 0.0
        self.count = 0

    def observe(self, value: float) -> None:
        self.counts[bisect.bisect_left(self.bounds, value)] += 1
        self.total += value
        self.count += 1

    def lines(self, name: str, labels: str) -> list:
        out, running = [], 0
        sep = "," if labels else ""
        for bound, count in zip(self.bounds, self.counts):
            running += count
            out.append(f'{name}_bucket{{{labels}{sep}le="{bound:g}"}} {running}')
        out.append(f'{name}_bucket{{{labels}{sep}le="+Inf"}} {self.count}')
        out.append(f"{name}_sum{{{labels}}} {self.total:g}")
        out.append(f"{name}_count{{{labels}}} {self.count}")
        return out


class Metrics:
    """Counters and histograms updated by the request handlers."""

    def __init__(self):
        self._lock = threading.Lock()
        self._requests: dict = {}  # (model, status) -> count
        self._latency: dict = {}  # (model, api) -> histogram
        self._batch = _Histogram(_BATCH_BOUNDS)

    def record_request(self, model: str, api: str, status: str, seconds: float) -> None:
        with self._lock:
            key = (model, status)
            self._requests[key] = self._requests.get(key, 0) + 1
            histogram = self._latency.get((model, api))
            if histogram is None:
                histogram = self._latency[(model, api)] = _Histogram(_LATENCY_BOUNDS)
            histogram.observe(seconds * 1e6)

    def record_batch(self, rows: int) -> None:
        with self._lock:
            self._batch.observe(rows)

    def prometheus_text(self) -> str:
        lines = []
        with self._lock:
            name = ":tensorflow:serving:request_count"
            lines += [f"# TYPE {name} counter"]
            lines += [f'{name}{{model_name="{m}",status="{s}"}} {n}'
                      for (m, s), n in sorted(self._requests.items())]
            name = ":tensorflow:serving:request_latency"
            lines += [f"# TYPE {name} histogram"]
            for (model, api), histogram in sorted(self._latency.items()):
                labels = f'model_name="{model}",API="{api}",entrypoint="REST"'
                lines += histogram.lines(name, labels)
            name = ":tensorflow:serving:batching_session:processed_batch_size"
            lines += [f"# TYPE {name} histogram"]
            lines += self._batch.lines(name, "")
        return "\n".join(lines) + "\n"
