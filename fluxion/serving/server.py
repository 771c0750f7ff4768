"""``fluxion serve``: load the models, then serve TensorFlow Serving's REST API.

The model manager loads every configured model's versions before the port opens (so
a client that can connect finds the models that exist), then polls the base paths in
the background.  uvicorn runs the Starlette application; on SIGTERM or SIGINT it stops
accepting connections, lets the requests in flight finish, then the batch threads and
the poller stop.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

from fluxion.serving.options import ServerOptions

log = logging.getLogger("fluxion.serving")


def make_executor(options: ServerOptions, manager, metrics):
    """``(execute, scheduler, pool)``: the coroutine running a signature, batched or not.

    A signature whose recent calls were quick runs on the event loop's thread; a slow one
    runs on a worker thread so that the server keeps answering meanwhile, and a request
    waiting longer than ``--rest_api_timeout_in_ms`` fails with DEADLINE_EXCEEDED.
    """
    import asyncio

    from fluxion.serving.batching import BatchScheduler

    timeout = options.rest_api_timeout_in_ms / 1000 if options.rest_api_timeout_in_ms > 0 \
        else None
    pool = ThreadPoolExecutor(options.rest_api_num_threads, thread_name_prefix="fluxion-run")
    if options.batching is None:
        async def execute(servable, signature, inputs):
            if signature.is_quick:
                return servable.run(signature, inputs)
            loop = asyncio.get_running_loop()
            return await asyncio.wait_for(
                loop.run_in_executor(pool, servable.run, signature, inputs), timeout)

        return execute, None, pool
    batch_pool = ThreadPoolExecutor(options.batching.num_batch_threads,
                                    thread_name_prefix="fluxion-batch")
    scheduler = BatchScheduler(options.batching, batch_pool, on_batch=metrics.record_batch,
                               timeout=timeout)
    return scheduler.run, scheduler, batch_pool


def watch_config_file(options: ServerOptions, manager, stop) -> None:
    """Re-reads ``--model_config_file`` every poll interval until ``stop`` is set; a
    changed file reconfigures the manager, a bad one is logged and ignored."""
    from fluxion.serving.options import models_from_config

    def read() -> str:
        with open(options.model_config_file, encoding="utf-8") as handle:
            return handle.read()

    def loop():
        last = read()
        while not stop.wait(options.model_config_file_poll_wait_seconds):
            try:
                text = read()
                if text != last:
                    manager.reconfigure(models_from_config(options.model_config_file))
                    last = text
                    log.info("Reloaded the model config %s", options.model_config_file)
            except (OSError, ValueError) as error:
                log.error("Keeping the current models; the config file is unusable: %s",
                          error)

    threading.Thread(target=loop, name="fluxion-config-poll", daemon=True).start()


def serve(options: ServerOptions) -> int:
    """Runs the server until it is told to stop; the process's exit status."""
    import uvicorn

    from fluxion.serving.metrics import Metrics
    from fluxion.serving.model_manager import ModelManager
    from fluxion.serving.rest_api import RestApi, build_app

    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if options.grpc_port:
        log.warning("--port=%d ignored: this server speaks TensorFlow Serving's REST API "
                    "only, not gRPC", options.grpc_port)
    manager = ModelManager(options.models, options.file_system_poll_wait_seconds)
    manager.start()
    stop_watching = threading.Event()
    if options.model_config_file and options.model_config_file_poll_wait_seconds > 0:
        watch_config_file(options, manager, stop_watching)
    metrics = Metrics()
    execute, scheduler, pool = make_executor(options, manager, metrics)
    api = RestApi(manager, execute, metrics)

    async def shutdown():
        stop_watching.set()
        if scheduler is not None:
            await scheduler.close()
        manager.stop()
        pool.shutdown(wait=False)

    app = build_app(api, options.prometheus_path, shutdown)
    config = uvicorn.Config(app, host=options.host, port=options.rest_api_port,
                            log_level="warning", access_log=False, lifespan="on",
                            timeout_graceful_shutdown=30)
    server = uvicorn.Server(config)
    log.info("Exporting HTTP/REST API at:%s:%d ...", options.host, options.rest_api_port)
    # uvicorn drains the requests in flight on SIGTERM / SIGINT, then raises the signal
    # again for the handler found at start; this one makes that a clean exit (status 0).
    stop_signals = []
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda received, frame: stop_signals.append(received))
    server.run()
    if stop_signals:
        log.info("Stopped by signal %d after draining the requests in flight", stop_signals[0])
    return 0 if server.started else 1
