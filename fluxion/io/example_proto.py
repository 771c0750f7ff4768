"""The ``tf.train.Example`` protocol buffers, built at run time with ``protobuf``.

The messages (``Example``, ``SequenceExample``, ``Features``, ``Feature``,
``FeatureList(s)``, ``BytesList``, ``FloatList``, ``Int64List``) are declared here as a
``FileDescriptorProto`` in code, with TensorFlow's package name, field names and
numbers, so their wire format is TensorFlow's and records interchange both ways.
No ``.proto`` compilation step is needed.  They live in a private descriptor pool, so
they never clash with TensorFlow's own classes when both are imported.

``protobuf`` is an optional dependency (the extra ``fluxion-ml[protobuf]``); the classes
are built on first use, and a clear ``ImportError`` names the extra when it is missing.
"""

from __future__ import annotations

import functools

_EXTRA_HINT = ("tf.train.Example and tf.io.parse_example need the `protobuf` package: "
               "pip install 'fluxion-ml[protobuf]' (or pip install protobuf)")

MESSAGE_NAMES = ("BytesList", "FloatList", "Int64List", "Feature", "Features", "FeatureList",
                 "FeatureLists", "Example", "SequenceExample")


def _file_descriptor(descriptor_pb2):
    field = descriptor_pb2.FieldDescriptorProto
    proto = descriptor_pb2.FileDescriptorProto(name="fluxion/example.proto",
                                               package="tensorflow", syntax="proto3")

    def message(name: str, *fields, map_entry: bool = False, oneof: str | None = None):
        msg = proto.message_type.add(name=name)
        if oneof:
            msg.oneof_decl.add(name=oneof)
        for number, (fname, kind, label, type_name) in enumerate(fields, start=1):
            f = msg.field.add(name=fname, number=number, type=kind, label=label)
            if type_name:
                f.type_name = f".tensorflow.{type_name}"
            if kind in (field.TYPE_FLOAT, field.TYPE_INT64):
                f.options.packed = True
            if oneof:
                f.oneof_index = 0
        return msg

    def map_entry(owner, entry_name: str, value_type: str) -> None:
        entry = owner.nested_type.add(name=entry_name)
        entry.options.map_entry = True
        entry.field.add(name="key", number=1, type=field.TYPE_STRING, label=field.LABEL_OPTIONAL)
        entry.field.add(name="value", number=2, type=field.TYPE_MESSAGE,
                        label=field.LABEL_OPTIONAL, type_name=f".tensorflow.{value_type}")

    rep, opt = field.LABEL_REPEATED, field.LABEL_OPTIONAL
    message("BytesList", ("value", field.TYPE_BYTES, rep, None))
    message("FloatList", ("value", field.TYPE_FLOAT, rep, None))
    message("Int64List", ("value", field.TYPE_INT64, rep, None))
    message("Feature", ("bytes_list", field.TYPE_MESSAGE, opt, "BytesList"),
            ("float_list", field.TYPE_MESSAGE, opt, "FloatList"),
            ("int64_list", field.TYPE_MESSAGE, opt, "Int64List"), oneof="kind")
    features = message("Features",
                       ("feature", field.TYPE_MESSAGE, rep, "Features.FeatureEntry"))
    map_entry(features, "FeatureEntry", "Feature")
    message("FeatureList", ("feature", field.TYPE_MESSAGE, rep, "Feature"))
    lists = message("FeatureLists",
                    ("feature_list", field.TYPE_MESSAGE, rep, "FeatureLists.FeatureListEntry"))
    map_entry(lists, "FeatureListEntry", "FeatureList")
    message("Example", ("features", field.TYPE_MESSAGE, opt, "Features"))
    message("SequenceExample", ("context", field.TYPE_MESSAGE, opt, "Features"),
            ("feature_lists", field.TYPE_MESSAGE, opt, "FeatureLists"))
    return proto


@functools.cache
def message_classes() -> dict:
    """Name -> message class for every message in ``MESSAGE_NAMES`` (built once)."""
    from fluxion.io.proto_messages import message_classes_from

    return message_classes_from(_file_descriptor, MESSAGE_NAMES, _EXTRA_HINT)


def __getattr__(name: str):
    if name in MESSAGE_NAMES:
        return message_classes()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
