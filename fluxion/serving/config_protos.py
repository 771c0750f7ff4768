"""TensorFlow Serving's configuration files, read in protobuf text format.

``--model_config_file`` holds a ``ModelServerConfig``::

    model_config_list {
      config {
        name: "mlp"
        base_path: "/models/mlp"
        model_platform: "tensorflow"
        model_version_policy { latest { num_versions: 2 } }
        version_labels { key: "stable" value: 1 }
      }
    }

``--batching_parameters_file`` a ``BatchingParameters`` (``max_batch_size { value: 64 }``,
``batch_timeout_micros``, ``max_enqueued_batches``, ``num_batch_threads``...), and
``--monitoring_config_file`` a ``MonitoringConfig`` (``prometheus_config { enable: true
path: "/monitoring/prometheus/metrics" }``).  The messages are declared here with
TensorFlow Serving's field names and numbers and parsed by ``protobuf``'s text format
reader, so files written for ``tensorflow_model_server`` are read unchanged.
"""

from __future__ import annotations

import functools

_HINT = ("reading TensorFlow Serving config files needs the `protobuf` package: "
         "pip install 'fluxion-ml[serving]'")


def _file_descriptor(descriptor_pb2):
    F = descriptor_pb2.FieldDescriptorProto
    proto = descriptor_pb2.FileDescriptorProto(name="fluxion/serving_config.proto",
                                               package="tensorflow.serving", syntax="proto3")

    def message(name, fields, container=None):
        msg = (container.nested_type if container is not None else proto.message_type).add(
            name=name)
        for number, fname, kind, type_name, *label in fields:
            f = msg.field.add(name=fname, number=number, type=kind,
                              label=label[0] if label else F.LABEL_OPTIONAL)
            if type_name:
                f.type_name = type_name
        return msg

    msg, rep = F.TYPE_MESSAGE, F.LABEL_REPEATED
    pkg = ".tensorflow.serving."
    for wrapper, kind in (("Int64Value", F.TYPE_INT64), ("UInt64Value", F.TYPE_UINT64),
                          ("BoolValue", F.TYPE_BOOL), ("StringValue", F.TYPE_STRING),
                          ("DoubleValue", F.TYPE_DOUBLE)):
        message(wrapper, [(1, "value", kind, None)])
    policy = message("ServableVersionPolicy", [
        (100, "latest", msg, pkg + "ServableVersionPolicy.Latest"),
        (101, "all", msg, pkg + "ServableVersionPolicy.All"),
        (102, "specific", msg, pkg + "ServableVersionPolicy.Specific")])
    message("Latest", [(1, "num_versions", F.TYPE_UINT32, None)], policy)
    message("All", [], policy)
    message("Specific", [(1, "versions", F.TYPE_INT64, None, rep)], policy)
    message("SamplingConfig", [(1, "sampling_rate", F.TYPE_DOUBLE, None)])
    message("LogCollectorConfig", [(1, "type", F.TYPE_STRING, None),
                                   (2, "filename_prefix", F.TYPE_STRING, None)])
    message("LoggingConfig", [(1, "log_collector_config", msg, pkg + "LogCollectorConfig"),
                              (2, "sampling_config", msg, pkg + "SamplingConfig")])
    config = message("ModelConfig", [
        (1, "name", F.TYPE_STRING, None), (2, "base_path", F.TYPE_STRING, None),
        (3, "model_type", F.TYPE_INT32, None), (4, "model_platform", F.TYPE_STRING, None),
        (6, "logging_config", msg, pkg + "LoggingConfig"),
        (7, "model_version_policy", msg, pkg + "ServableVersionPolicy"),
        (8, "version_labels", msg, pkg + "ModelConfig.VersionLabelsEntry", rep)])
    entry = message("VersionLabelsEntry", [(1, "key", F.TYPE_STRING, None),
                                           (2, "value", F.TYPE_INT64, None)], config)
    entry.options.map_entry = True
    message("ModelConfigList", [(1, "config", msg, pkg + "ModelConfig", rep)])
    message("ModelServerConfig", [(1, "model_config_list", msg, pkg + "ModelConfigList")])
    int64, uint64 = pkg + "Int64Value", pkg + "UInt64Value"
    message("BatchingParameters", [
        (1, "max_batch_size", msg, int64), (2, "batch_timeout_micros", msg, int64),
        (3, "max_enqueued_batches", msg, int64), (4, "num_batch_threads", msg, int64),
        (5, "thread_pool_name", msg, pkg + "StringValue"),
        (6, "allowed_batch_sizes", F.TYPE_INT64, None, rep),
        (7, "pad_variable_length_inputs", F.TYPE_BOOL, None),
        (8, "enable_large_batch_splitting", msg, pkg + "BoolValue"),
        (9, "max_execution_batch_size", msg, int64)])
    del uint64
    message("PrometheusConfig", [(1, "enable", F.TYPE_BOOL, None),
                                 (2, "path", F.TYPE_STRING, None)])
    message("MonitoringConfig", [(1, "prometheus_config", msg, pkg + "PrometheusConfig")])
    return proto


@functools.cache
def _classes() -> dict:
    from fluxion.io.proto_messages import message_classes_from

    return message_classes_from(
        _file_descriptor, ("ModelServerConfig", "BatchingParameters", "MonitoringConfig"),
        _HINT, package="tensorflow.serving")


def read_text_proto(path: str, message_name: str):
    """Parses the text-format file ``path`` as the message ``message_name``."""
    message = _classes()[message_name]()
    from google.protobuf import text_format

    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as error:
        raise ValueError(f"cannot read {message_name} file {path}: {error}") from None
    try:
        text_format.Parse(text, message)
    except text_format.ParseError as error:
        raise ValueError(f"{path} is not a valid {message_name} text proto: {error}") from None
    return message
