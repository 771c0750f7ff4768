"""Load on ``fluxion serve``: N concurrent clients for T seconds, every answer checked.

    python benchmarks/serving_load.py [--clients 16] [--seconds 10] [--repeats 3]

A small MLP (Dense 32-64-64-10; ``--width`` sets the hidden layers) is exported with
``model.export`` to a fresh base path and served by ``fluxion serve`` in its own process
on 127.0.0.1, once without batching and once with ``--enable_batching``
(``--max-batch-size``, ``--batch-timeout-micros``, ``--num-batch-threads``).
Each client keeps one HTTP/1.1 connection and sends predict requests of one row in
TensorFlow Serving's row format back to back; every answer must be HTTP 200 and equal
``model.predict`` on the same row (to float32 rounding), else it counts as a failure.
The table shows requests/s, the p50/p99 latency seen by the clients, the mean rows
per model call (from the server's Prometheus metrics) and the server's CPU time per
request (user + system, from ``/proc``: a figure that other load on the machine
changes little, unlike the throughput).  The clients run in this process
(asyncio, raw sockets, little CPU per request); on a 2-core machine they share the CPUs
with the server, so the figures are a lower bound for a server with the machine to
itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from fluxion.testing.model_server import ModelServer  # noqa: E402


def _request_bytes(port: int, path: str, body: bytes) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode() + body


async def _one_client(port, requests, expected, deadline, latencies, failures, offset):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    index = offset
    try:
        while time.perf_counter() < deadline:
            k = index % len(requests)
            index += 1
            started = time.perf_counter()
            writer.write(requests[k])
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            body = await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if b" 200 " not in status_line:
                failures.append(f"{status_line.decode().strip()} {body[:200]!r}")
                continue
            answer = np.asarray(json.loads(body)["predictions"], np.float32)
            if not np.allclose(answer, expected[k], rtol=1e-5, atol=1e-6):
                failures.append(f"wrong answer for row {k}: {answer} != {expected[k]}")
    finally:
        writer.close()


def run_load(port: int, model_name: str, rows: np.ndarray, expected: np.ndarray,
             clients: int, seconds: float) -> dict:
    """Drives ``clients`` connections for ``seconds``; counts, latencies, failures."""
    path = f"/v1/models/{model_name}:predict"
    requests = [_request_bytes(port, path, json.dumps({"instances": [row.tolist()]}).encode())
                for row in rows]
    latencies: list = []
    failures: list = []

    async def main():
        deadline = time.perf_counter() + seconds
        await asyncio.gather(*(_one_client(port, requests, expected[:, None], deadline,
                                           latencies, failures, i * 7)
                               for i in range(clients)))

    started = time.perf_counter()
    asyncio.run(main())
    elapsed = time.perf_counter() - started
    ordered = np.sort(np.asarray(latencies)) if latencies else np.zeros(1)
    return {"requests": len(latencies), "seconds": elapsed,
            "throughput": len(latencies) / elapsed,
            "p50_ms": float(np.percentile(ordered, 50) * 1e3),
            "p99_ms": float(np.percentile(ordered, 99) * 1e3), "failures": failures}


def build_mlp(base_path: str, seed: int = 0, width: int = 64):
    """A Dense 32-width-width-10 model exported as version 1 under ``base_path``."""
    from fluxion import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((32,), name="x"),
                              keras.layers.Dense(width, activation="relu"),
                              keras.layers.Dense(width, activation="relu"),
                              keras.layers.Dense(10)])
    model.export(os.path.join(base_path, "1"))
    return model


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux ``/proc``; 0 elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def batch_stats(server: ModelServer) -> str:
    status, text = server.get("/monitoring/prometheus/metrics")
    if status != 200:
        return "-"
    name = ":tensorflow:serving:batching_session:processed_batch_size"
    total = re.search(re.escape(name) + r"_sum\{\} (\S+)", text)
    count = re.search(re.escape(name) + r"_count\{\} (\S+)", text)
    if not total or not count or float(count.group(1)) == 0:
        return "-"
    return f"{float(total.group(1)) / float(count.group(1)):.1f}"


def _measure(base, mode, args, rows, expected, monitoring, batching) -> dict:
    extra = [f"--monitoring_config_file={monitoring}"]
    if mode == "batching":
        extra += ["--enable_batching", f"--batching_parameters_file={batching}"]
    with ModelServer(["--model_name=mlp", f"--model_base_path={base}", *extra]) as server:
        run_load(server.port, "mlp", rows, expected, args.clients, 1.0)  # warm up
        cpu_before = process_cpu_seconds(server.pid)
        result = run_load(server.port, "mlp", rows, expected, args.clients, args.seconds)
        result["server_cpu_us"] = ((process_cpu_seconds(server.pid) - cpu_before)
                                   / max(1, result["requests"]) * 1e6)
        result["batch"] = batch_stats(server)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of each mode, alternating; the table shows medians")
    parser.add_argument("--modes", default="plain,batching")
    parser.add_argument("--width", type=int, default=64, help="units of the hidden layers")
    parser.add_argument("--max-batch-size", type=int, default=16)
    parser.add_argument("--batch-timeout-micros", type=int, default=0)
    parser.add_argument("--num-batch-threads", type=int, default=1)
    args = parser.parse_args()
    modes = args.modes.split(",")
    runs = {mode: [] for mode in modes}
    with tempfile.TemporaryDirectory() as workdir:
        base = os.path.join(workdir, "mlp")
        model = build_mlp(base, width=args.width)
        rows = np.random.default_rng(1).standard_normal((256, 32)).astype(np.float32)
        expected = model.predict(rows, verbose=0)
        monitoring = os.path.join(workdir, "monitoring.config")
        with open(monitoring, "w") as handle:
            handle.write('prometheus_config { enable: true path: '
                         '"/monitoring/prometheus/metrics" }\n')
        batching = os.path.join(workdir, "batching.config")
        with open(batching, "w") as handle:
            handle.write(f"max_batch_size {{ value: {args.max_batch_size} }}\n"
                         f"batch_timeout_micros {{ value: {args.batch_timeout_micros} }}\n"
                         f"num_batch_threads {{ value: {args.num_batch_threads} }}\n"
                         "max_enqueued_batches { value: 1000 }\n")
        load_before = os.getloadavg()[0]
        for _ in range(args.repeats):
            for mode in modes:
                runs[mode].append(_measure(base, mode, args, rows, expected, monitoring,
                                           batching))
    print(f"fluxion serve, Dense 32-{args.width}-{args.width}-10, {args.clients} clients x "
          f"{args.seconds:g} s, "
          f"medians of {args.repeats} alternating runs, {os.cpu_count()} CPUs, load average "
          f"{load_before:.1f} before / {os.getloadavg()[0]:.1f} after; batching: max batch "
          f"{args.max_batch_size}, timeout {args.batch_timeout_micros} us")
    print(f"{'mode':>9} {'requests':>9} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'rows/call':>9} {'server CPU us/req':>17} {'failures':>8}  req/s of each run")
    failed = False
    for mode, results in runs.items():
        def median(key, results=results):
            return float(np.median([r[key] for r in results]))

        failures = [f for r in results for f in r["failures"]]
        failed = failed or bool(failures)
        each = " ".join(f"{r['throughput']:.0f}" for r in results)
        print(f"{mode:>9} {sum(r['requests'] for r in results):>9} {median('throughput'):>8.0f} "
              f"{median('p50_ms'):>7.2f} {median('p99_ms'):>7.2f} {results[-1]['batch']:>9} "
              f"{median('server_cpu_us'):>17.0f} {len(failures):>8}  {each}")
        for failure in failures[:5]:
            print("   ", failure)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
