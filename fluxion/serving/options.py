"""``fluxion serve``'s flags, named as ``tensorflow_model_server``'s, and what they mean.

    fluxion serve --model_name=mlp --model_base_path=/models/mlp --rest_api_port=8501
    fluxion serve --model_config_file=models.config --enable_batching \
        --batching_parameters_file=batching.config

Flags take ``--flag=value`` or ``--flag value``; booleans also ``--flag`` alone.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field


@dataclass
class ModelSpecConfig:
    """One model to serve: where its versions live and which of them to serve."""

    name: str
    base_path: str
    policy: str = "latest"  # "latest" | "all" | "specific"
    num_versions: int = 1  # for "latest"
    versions: tuple = ()  # for "specific"
    labels: dict = field(default_factory=dict)  # label -> version


@dataclass
class BatchingOptions:
    """Server-side batching, with TensorFlow Serving's defaults."""

    max_batch_size: int = 1000
    batch_timeout_micros: int = 0
    max_enqueued_batches: int = 10
    num_batch_threads: int = max(1, os.cpu_count() or 1)
    allowed_batch_sizes: tuple = ()
    pad_variable_length_inputs: bool = False


@dataclass
class ServerOptions:
    models: list
    host: str = "0.0.0.0"
    rest_api_port: int = 8501
    rest_api_num_threads: int = 4 * (os.cpu_count() or 1)
    rest_api_timeout_in_ms: int = 30000
    file_system_poll_wait_seconds: float = 1.0
    batching: BatchingOptions | None = None
    prometheus_path: str | None = None
    grpc_port: int = 0  # accepted, not served
    model_config_file: str = ""
    model_config_file_poll_wait_seconds: float = 0.0


def _boolean(text: str) -> bool:
    lowered = str(text).lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds ``tensorflow_model_server``'s flags (those this server honours)."""
    add = parser.add_argument
    add("--model_name", default="default", help="name of the model (default: default)")
    add("--model_base_path", default="", help="directory holding the model's versions "
        "(1/, 2/, ...)")
    add("--model_config_file", default="", help="a ModelServerConfig text proto listing "
        "several models; replaces --model_name/--model_base_path")
    add("--model_config_file_poll_wait_seconds", type=float, default=0.0,
        help="seconds between re-reads of --model_config_file (0: read once)")
    add("--rest_api_port", type=int, default=8501, help="port of the HTTP/REST API")
    add("--rest_api_host", default="0.0.0.0", help="address to listen on (default all)")
    add("--rest_api_num_threads", type=int, default=4 * (os.cpu_count() or 1),
        help="threads running requests' model calls")
    add("--rest_api_timeout_in_ms", type=int, default=30000,
        help="a request running longer fails with DEADLINE_EXCEEDED (0: no limit)")
    add("--file_system_poll_wait_seconds", type=float, default=1.0,
        help="seconds between polls of the base paths for new versions (0: load once)")
    add("--enable_batching", type=_boolean, nargs="?", const=True, default=False,
        help="merge concurrent requests into one model call")
    add("--batching_parameters_file", default="", help="a BatchingParameters text proto")
    add("--monitoring_config_file", default="", help="a MonitoringConfig text proto "
        "(prometheus_config { enable: true path: ... })")
    add("--allow_version_labels_for_unavailable_models", type=_boolean, nargs="?",
        const=True, default=False, help="accepted for compatibility: labels may always "
        "name versions not loaded yet (requests through them answer 404 until loaded)")
    add("--port", type=int, default=0, help="gRPC port: accepted for compatibility; this "
        "server speaks only the REST API")


def models_from_config(path: str) -> list:
    """The models a ``ModelServerConfig`` text file lists; ValueError if it is bad."""
    from fluxion.serving.config_protos import read_text_proto

    config = read_text_proto(path, "ModelServerConfig")
    models = []
    for entry in config.model_config_list.config:
        if not entry.name or not entry.base_path:
            raise ValueError(f"{path}: every config needs a name and a base_path; got "
                             f"name={entry.name!r} base_path={entry.base_path!r}")
        if entry.model_platform not in ("", "tensorflow"):
            raise ValueError(f"{path}: model {entry.name!r} has model_platform "
                             f"{entry.model_platform!r}; only 'tensorflow' is served")
        spec = ModelSpecConfig(entry.name, entry.base_path, labels=dict(entry.version_labels))
        policy = entry.model_version_policy
        which = None
        if policy.HasField("specific"):
            which = "specific"
            spec.versions = tuple(policy.specific.versions)
        elif policy.HasField("all"):
            which = "all"
        elif policy.HasField("latest"):
            which = "latest"
            spec.num_versions = max(1, policy.latest.num_versions or 1)
        spec.policy = which or "latest"
        models.append(spec)
    names = [m.name for m in models]
    if len(set(names)) != len(names):
        raise ValueError(f"{path}: model names must be unique; got {names}")
    if not models:
        raise ValueError(f"{path}: model_config_list names no model")
    return models


def _batching_from_file(path: str) -> BatchingOptions:
    from fluxion.serving.config_protos import read_text_proto

    params = read_text_proto(path, "BatchingParameters")
    options = BatchingOptions()
    for name in ("max_batch_size", "batch_timeout_micros", "max_enqueued_batches",
                 "num_batch_threads"):
        if params.HasField(name):
            setattr(options, name, int(getattr(params, name).value))
    options.allowed_batch_sizes = tuple(params.allowed_batch_sizes)
    options.pad_variable_length_inputs = params.pad_variable_length_inputs
    if options.max_batch_size < 1 or options.num_batch_threads < 1:
        raise ValueError(f"{path}: max_batch_size and num_batch_threads must be >= 1; got "
                         f"{options.max_batch_size} and {options.num_batch_threads}")
    sizes = list(options.allowed_batch_sizes)
    if sizes != sorted(set(sizes)) or (sizes and sizes[0] < 1):
        raise ValueError(f"{path}: allowed_batch_sizes must be positive and increasing; got "
                         f"{sizes}")
    if options.allowed_batch_sizes and options.allowed_batch_sizes[-1] != options.max_batch_size:
        raise ValueError(f"{path}: the last allowed_batch_sizes entry must equal "
                         f"max_batch_size ({options.max_batch_size}); got "
                         f"{list(options.allowed_batch_sizes)}")
    return options


def _prometheus_path(path: str) -> str | None:
    from fluxion.serving.config_protos import read_text_proto

    config = read_text_proto(path, "MonitoringConfig").prometheus_config
    if not config.enable:
        return None
    return config.path or "/monitoring/prometheus/metrics"


def options_from_args(args) -> ServerOptions:
    """The server's options from parsed flags; ValueError names a bad flag."""
    if args.model_config_file:
        models = models_from_config(args.model_config_file)
    elif args.model_base_path:
        models = [ModelSpecConfig(args.model_name, args.model_base_path)]
    else:
        raise ValueError("Both server_options.model_base_path and "
                         "server_options.model_config_file are empty! Give "
                         "--model_base_path (with --model_name) or --model_config_file.")
    if args.batching_parameters_file and not args.enable_batching:
        raise ValueError("--batching_parameters_file needs --enable_batching")
    batching = None
    if args.enable_batching:
        batching = (_batching_from_file(args.batching_parameters_file)
                    if args.batching_parameters_file else BatchingOptions())
    if not 0 < args.rest_api_port < 65536:
        raise ValueError(f"--rest_api_port must be in 1..65535; got {args.rest_api_port}")
    return ServerOptions(
        models=models, host=args.rest_api_host, rest_api_port=args.rest_api_port,
        rest_api_num_threads=max(1, args.rest_api_num_threads),
        rest_api_timeout_in_ms=args.rest_api_timeout_in_ms,
        file_system_poll_wait_seconds=args.file_system_poll_wait_seconds,
        batching=batching,
        prometheus_path=(_prometheus_path(args.monitoring_config_file)
                         if args.monitoring_config_file else None),
        grpc_port=args.port,
        model_config_file=args.model_config_file,
        model_config_file_poll_wait_seconds=args.model_config_file_poll_wait_seconds)
