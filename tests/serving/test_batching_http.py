"""Server-side batching over HTTP: concurrent clients get their own, correct answers
from merged model calls, under a bounded load test."""

import importlib.util
import os

import numpy as np

from fluxion.testing.model_server import ModelServer

from .conftest import export_mlp

_BENCHMARK = os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks",
                          "serving_load.py")


def _load_benchmark():
    spec = importlib.util.spec_from_file_location("serving_load", _BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_batched_load_every_answer_correct(tmp_path):
    model = export_mlp(tmp_path / "mlp" / "1", seed=4)
    rows = np.random.default_rng(2).standard_normal((64, 4)).astype(np.float32)
    expected = model.predict(rows, verbose=0)
    (tmp_path / "batching.config").write_text(
        "max_batch_size { value: 16 }\nbatch_timeout_micros { value: 1000 }\n"
        "num_batch_threads { value: 1 }\nmax_enqueued_batches { value: 100 }\n")
    (tmp_path / "monitoring.config").write_text("prometheus_config { enable: true }")
    load = _load_benchmark()
    args = ["--model_name=mlp", f"--model_base_path={tmp_path / 'mlp'}", "--enable_batching",
            f"--batching_parameters_file={tmp_path / 'batching.config'}",
            f"--monitoring_config_file={tmp_path / 'monitoring.config'}"]
    with ModelServer(args) as server:
        result = load.run_load(server.port, "mlp", rows, expected, clients=8, seconds=2.0)
        assert result["failures"] == []
        assert result["requests"] > 50
        rows_per_call = float(load.batch_stats(server))
        assert rows_per_call > 1.0  # concurrent requests really were merged
        status, answer = server.post("/v1/models/mlp:predict",
                                     {"instances": rows[:20].tolist()})
        assert status == 400
        assert "Task size 20 is larger than maximum input batch size 16" in answer["error"]
