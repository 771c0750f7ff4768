"""The batch scheduler (merging concurrent calls) and the serve command's flags."""

import argparse
import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from fluxion.serving.batching import BatchScheduler
from fluxion.serving.errors import ServingError
from fluxion.serving.options import BatchingOptions, add_serve_arguments, options_from_args


class _Signature:
    name = "serving_default"
    is_quick = False  # run on the batch thread, so batches fill while it works


class _DoublingServable:
    """Answers ``y = 2 * x``; records the batch size of every call."""

    def __init__(self, delay: float = 0.0):
        self.calls = []
        self.delay = delay
        self.release = threading.Event()

    def run(self, signature, inputs):
        self.calls.append(len(inputs["x"]))
        if self.delay:
            self.release.wait(self.delay)
        return {"y": inputs["x"] * 2}


def _run_concurrently(scheduler, servable, requests):
    async def main():
        try:
            return await asyncio.gather(*(scheduler.run(servable, _Signature(), {"x": x})
                                          for x in requests), return_exceptions=True)
        finally:
            await scheduler.close()

    return asyncio.run(main())


def test_concurrent_requests_are_merged_and_split_back():
    servable = _DoublingServable(delay=0.05)
    options = BatchingOptions(max_batch_size=8, num_batch_threads=1)
    scheduler = BatchScheduler(options, ThreadPoolExecutor(1))
    requests = [np.full((1 + i % 2, 3), i, np.float32) for i in range(12)]
    results = _run_concurrently(scheduler, servable, requests)
    for x, result in zip(requests, results):
        np.testing.assert_array_equal(result["y"], x * 2)
    assert sum(servable.calls) == sum(len(x) for x in requests)
    assert len(servable.calls) < len(requests) and max(servable.calls) <= 8


def test_a_task_larger_than_the_batch_fails_and_others_succeed():
    scheduler = BatchScheduler(BatchingOptions(max_batch_size=4), ThreadPoolExecutor(1))
    results = _run_concurrently(scheduler, _DoublingServable(),
                                [np.ones((5, 1)), np.ones((2, 1))])
    assert isinstance(results[0], ServingError) and results[0].code == "INVALID_ARGUMENT"
    assert "Task size 5 is larger than maximum input batch size 4" in results[0].message
    np.testing.assert_array_equal(results[1]["y"], np.full((2, 1), 2.0))


def test_a_full_queue_answers_resource_exhausted():
    servable = _DoublingServable(delay=0.2)
    options = BatchingOptions(max_batch_size=1, max_enqueued_batches=2, num_batch_threads=1)
    scheduler = BatchScheduler(options, ThreadPoolExecutor(1))
    results = _run_concurrently(scheduler, servable, [np.ones((1, 1))] * 6)
    codes = [r.code if isinstance(r, ServingError) else "OK" for r in results]
    assert "RESOURCE_EXHAUSTED" in codes and "OK" in codes
    exhausted = [r for r in results if isinstance(r, ServingError)]
    assert all(r.http_status == 429 for r in exhausted)


def test_inputs_with_different_row_shapes_never_share_a_batch():
    servable = _DoublingServable(delay=0.05)
    scheduler = BatchScheduler(BatchingOptions(num_batch_threads=1), ThreadPoolExecutor(1))
    requests = [np.ones((1, 2)), np.ones((1, 3)), np.ones((1, 2)), np.ones((1, 3))]
    results = _run_concurrently(scheduler, servable, requests)
    for x, result in zip(requests, results):
        assert result["y"].shape == x.shape


def _parse(*argv):
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    return options_from_args(parser.parse_args(list(argv)))


def test_flags_as_tensorflow_model_server_spells_them():
    options = _parse("--model_name=mlp", "--model_base_path", "/m", "--rest_api_port=9000",
                     "--file_system_poll_wait_seconds=0.5", "--enable_batching")
    assert options.models[0].name == "mlp" and options.models[0].base_path == "/m"
    assert options.rest_api_port == 9000 and options.file_system_poll_wait_seconds == 0.5
    assert options.batching.max_batch_size == 1000 and options.batching.batch_timeout_micros == 0
    assert _parse("--model_base_path=/m", "--enable_batching=false").batching is None
    with pytest.raises(ValueError, match="model_base_path"):
        _parse("--model_name=x")


def test_model_config_and_batching_files(tmp_path):
    pytest.importorskip("google.protobuf")
    config = tmp_path / "models.config"
    config.write_text("""
model_config_list {
  config {
    name: "a"  base_path: "/a"  model_platform: "tensorflow"
    model_version_policy { specific { versions: 1 versions: 3 } }
    version_labels { key: "stable" value: 1 }
  }
  config { name: "b" base_path: "/b" model_version_policy { latest { num_versions: 2 } } }
  config { name: "c" base_path: "/c" model_version_policy { all {} } }
}""")
    batching = tmp_path / "batching.config"
    batching.write_text("max_batch_size { value: 64 }\nbatch_timeout_micros { value: 2000 }\n"
                        "num_batch_threads { value: 2 }\nmax_enqueued_batches { value: 5 }\n")
    options = _parse(f"--model_config_file={config}", "--enable_batching",
                     f"--batching_parameters_file={batching}")
    a, b, c = options.models
    assert (a.policy, a.versions, a.labels) == ("specific", (1, 3), {"stable": 1})
    assert (b.policy, b.num_versions) == ("latest", 2) and c.policy == "all"
    assert (options.batching.max_batch_size, options.batching.batch_timeout_micros,
            options.batching.num_batch_threads, options.batching.max_enqueued_batches) == (
        64, 2000, 2, 5)
    bad = tmp_path / "bad.config"
    bad.write_text("model_config_list { config { nme: 'x' } }")
    with pytest.raises(ValueError, match="not a valid ModelServerConfig"):
        _parse(f"--model_config_file={bad}")


def test_batches_are_padded_to_an_allowed_size_and_trimmed_back():
    servable = _DoublingServable(delay=0.05)
    options = BatchingOptions(max_batch_size=8, allowed_batch_sizes=(4, 8),
                              num_batch_threads=1)
    scheduler = BatchScheduler(options, ThreadPoolExecutor(1))
    requests = [np.full((1, 2), i, np.float32) for i in range(3)]
    results = _run_concurrently(scheduler, servable, requests)
    for x, result in zip(requests, results):
        np.testing.assert_array_equal(result["y"], x * 2)
    assert all(size in (4, 8) for size in servable.calls)
