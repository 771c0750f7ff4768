"""The protocol buffers of TensorFlow's V2 checkpoints, built at run time with ``protobuf``.

A TF checkpoint's ``.index`` table maps each tensor's key to a ``BundleEntryProto``
(dtype, shape, which shard, offset, size, CRC-32C) and the empty key to a
``BundleHeaderProto`` (number of shards, endianness, version).  An object-based
checkpoint (``tf.train.Checkpoint``) also stores a ``TrackableObjectGraph`` under
``_CHECKPOINTABLE_OBJECT_GRAPH``.  The messages are declared here as a
``FileDescriptorProto`` with TensorFlow's package, message and field names and
numbers, so their wire format is TensorFlow's; they live in a private descriptor pool
so they never clash with TensorFlow's own classes.  (Enums such as ``DataType`` are
declared as ``int32``: the same varint on the wire.)
"""

from __future__ import annotations

import functools

_EXTRA_HINT = ("Reading and writing TensorFlow checkpoints needs the `protobuf` package: "
               "pip install 'fluxion-ml[protobuf]' (or pip install protobuf)")

MESSAGE_NAMES = ("TensorShapeProto", "TensorSliceProto", "VersionDef", "BundleHeaderProto",
                 "BundleEntryProto", "TrackableObjectGraph")


def _file_descriptor(descriptor_pb2):
    field = descriptor_pb2.FieldDescriptorProto
    proto = descriptor_pb2.FileDescriptorProto(name="fluxion/tensor_bundle.proto",
                                               package="tensorflow", syntax="proto3")
    rep, opt = field.LABEL_REPEATED, field.LABEL_OPTIONAL

    def message(owner, name: str, *fields):
        """A message with ``fields`` = (name, number, type, label, type name or None)."""
        msg = owner.add(name=name)
        for fname, number, kind, label, type_name in fields:
            entry = msg.field.add(name=fname, number=number, type=kind, label=label)
            if type_name:
                entry.type_name = f".tensorflow.{type_name}"
            if kind == field.TYPE_INT32 and label == rep:
                entry.options.packed = True
        return msg

    shape = message(proto.message_type, "TensorShapeProto",
                    ("dim", 2, field.TYPE_MESSAGE, rep, "TensorShapeProto.Dim"),
                    ("unknown_rank", 3, field.TYPE_BOOL, opt, None))
    message(shape.nested_type, "Dim", ("size", 1, field.TYPE_INT64, opt, None),
            ("name", 2, field.TYPE_STRING, opt, None))
    slice_ = message(proto.message_type, "TensorSliceProto",
                     ("extent", 1, field.TYPE_MESSAGE, rep, "TensorSliceProto.Extent"))
    extent = message(slice_.nested_type, "Extent", ("start", 1, field.TYPE_INT64, opt, None),
                     ("length", 2, field.TYPE_INT64, opt, None))
    extent.oneof_decl.add(name="has_length")
    extent.field[1].oneof_index = 0
    message(proto.message_type, "VersionDef", ("producer", 1, field.TYPE_INT32, opt, None),
            ("min_consumer", 2, field.TYPE_INT32, opt, None),
            ("bad_consumers", 3, field.TYPE_INT32, rep, None))
    message(proto.message_type, "BundleHeaderProto",
            ("num_shards", 1, field.TYPE_INT32, opt, None),
            ("endianness", 2, field.TYPE_INT32, opt, None),  # enum: LITTLE = 0, BIG = 1
            ("version", 3, field.TYPE_MESSAGE, opt, "VersionDef"))
    message(proto.message_type, "BundleEntryProto",
            ("dtype", 1, field.TYPE_INT32, opt, None),  # enum tensorflow.DataType
            ("shape", 2, field.TYPE_MESSAGE, opt, "TensorShapeProto"),
            ("shard_id", 3, field.TYPE_INT32, opt, None),
            ("offset", 4, field.TYPE_INT64, opt, None),
            ("size", 5, field.TYPE_INT64, opt, None),
            ("crc32c", 6, field.TYPE_FIXED32, opt, None),
            ("slices", 7, field.TYPE_MESSAGE, rep, "TensorSliceProto"))
    graph = message(proto.message_type, "TrackableObjectGraph",
                    ("nodes", 1, field.TYPE_MESSAGE, rep, "TrackableObjectGraph.TrackableObject"))
    prefix = "TrackableObjectGraph.TrackableObject."
    node = message(graph.nested_type, "TrackableObject",
                   ("children", 1, field.TYPE_MESSAGE, rep, prefix + "ObjectReference"),
                   ("attributes", 2, field.TYPE_MESSAGE, rep, prefix + "SerializedTensor"),
                   ("slot_variables", 3, field.TYPE_MESSAGE, rep,
                    prefix + "SlotVariableReference"))
    message(node.nested_type, "ObjectReference", ("node_id", 1, field.TYPE_INT32, opt, None),
            ("local_name", 2, field.TYPE_STRING, opt, None))
    message(node.nested_type, "SerializedTensor", ("name", 1, field.TYPE_STRING, opt, None),
            ("full_name", 2, field.TYPE_STRING, opt, None),
            ("checkpoint_key", 3, field.TYPE_STRING, opt, None))
    message(node.nested_type, "SlotVariableReference",
            ("original_variable_node_id", 1, field.TYPE_INT32, opt, None),
            ("slot_name", 2, field.TYPE_STRING, opt, None),
            ("slot_variable_node_id", 3, field.TYPE_INT32, opt, None))
    return proto


@functools.cache
def message_classes() -> dict:
    """Name -> message class for every message in ``MESSAGE_NAMES`` (built once)."""
    from fluxion.io.proto_messages import message_classes_from

    return message_classes_from(_file_descriptor, MESSAGE_NAMES, _EXTRA_HINT)
