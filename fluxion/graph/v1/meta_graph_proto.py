"""TensorFlow's ``MetaGraphDef`` and the messages it holds (``GraphDef``, ``NodeDef``,
``AttrValue``, ``TensorProto``, ``SaverDef``, ``CollectionDef``...), built at run time
with ``protobuf`` (``fluxion.io.proto_messages``) under TensorFlow's package, names and
field numbers, so the ``.meta`` files Fluxion writes parse as TensorFlow's.  Enums
(``DataType``, the checkpoint version) are declared ``int32``: the same varint.
"""

from __future__ import annotations

import functools

_HINT = ("Writing and reading .meta files (MetaGraphDef) needs the `protobuf` package: "
         "pip install 'fluxion-ml[protobuf]' (or pip install protobuf)")

MESSAGE_NAMES = ("MetaGraphDef", "GraphDef", "NodeDef", "AttrValue", "TensorProto",
                 "TensorShapeProto", "VersionDef", "SaverDef", "CollectionDef", "NameAttrList")


def _file_descriptor(descriptor_pb2):
    field = descriptor_pb2.FieldDescriptorProto
    proto = descriptor_pb2.FileDescriptorProto(name="fluxion/meta_graph.proto",
                                               package="tensorflow", syntax="proto3")
    rep, opt = field.LABEL_REPEATED, field.LABEL_OPTIONAL
    T = field  # noqa: N806 - field types read like the .proto's

    def message(owner, name, *fields, oneof=None):
        msg = owner.add(name=name)
        if oneof:
            msg.oneof_decl.add(name=oneof)
        for fname, number, kind, label, type_name, *in_oneof in fields:
            entry = msg.field.add(name=fname, number=number, type=kind, label=label)
            if type_name:
                entry.type_name = f".tensorflow.{type_name}"
            if in_oneof:
                entry.oneof_index = 0
            if label == rep and kind in (T.TYPE_INT32, T.TYPE_INT64, T.TYPE_FLOAT,
                                         T.TYPE_DOUBLE, T.TYPE_BOOL):
                entry.options.packed = True
        return msg

    def map_field(msg, owner_name, fname, number, value_type):
        entry_name = "".join(p.capitalize() for p in fname.split("_")) + "Entry"
        entry = message(msg.nested_type, entry_name,
                        ("key", 1, T.TYPE_STRING, opt, None),
                        ("value", 2, T.TYPE_MESSAGE, opt, value_type))
        entry.options.map_entry = True
        msg.field.add(name=fname, number=number, type=T.TYPE_MESSAGE, label=rep,
                      type_name=f".tensorflow.{owner_name}.{entry_name}")

    shape = message(proto.message_type, "TensorShapeProto",
                    ("dim", 2, T.TYPE_MESSAGE, rep, "TensorShapeProto.Dim"),
                    ("unknown_rank", 3, T.TYPE_BOOL, opt, None))
    message(shape.nested_type, "Dim", ("size", 1, T.TYPE_INT64, opt, None),
            ("name", 2, T.TYPE_STRING, opt, None))
    message(proto.message_type, "TensorProto",
            ("dtype", 1, T.TYPE_INT32, opt, None),
            ("tensor_shape", 2, T.TYPE_MESSAGE, opt, "TensorShapeProto"),
            ("version_number", 3, T.TYPE_INT32, opt, None),
            ("tensor_content", 4, T.TYPE_BYTES, opt, None),
            ("string_val", 8, T.TYPE_BYTES, rep, None))
    attr = message(proto.message_type, "AttrValue",
                   ("list", 1, T.TYPE_MESSAGE, opt, "AttrValue.ListValue", True),
                   ("s", 2, T.TYPE_BYTES, opt, None, True),
                   ("i", 3, T.TYPE_INT64, opt, None, True),
                   ("f", 4, T.TYPE_FLOAT, opt, None, True),
                   ("b", 5, T.TYPE_BOOL, opt, None, True),
                   ("type", 6, T.TYPE_INT32, opt, None, True),
                   ("shape", 7, T.TYPE_MESSAGE, opt, "TensorShapeProto", True),
                   ("tensor", 8, T.TYPE_MESSAGE, opt, "TensorProto", True),
                   ("placeholder", 9, T.TYPE_STRING, opt, None, True),
                   ("func", 10, T.TYPE_MESSAGE, opt, "NameAttrList", True), oneof="value")
    message(attr.nested_type, "ListValue", ("s", 2, T.TYPE_BYTES, rep, None),
            ("i", 3, T.TYPE_INT64, rep, None), ("f", 4, T.TYPE_FLOAT, rep, None),
            ("b", 5, T.TYPE_BOOL, rep, None), ("type", 6, T.TYPE_INT32, rep, None),
            ("shape", 7, T.TYPE_MESSAGE, rep, "TensorShapeProto"))
    names = message(proto.message_type, "NameAttrList", ("name", 1, T.TYPE_STRING, opt, None))
    map_field(names, "NameAttrList", "attr", 2, "AttrValue")
    node = message(proto.message_type, "NodeDef", ("name", 1, T.TYPE_STRING, opt, None),
                   ("op", 2, T.TYPE_STRING, opt, None), ("input", 3, T.TYPE_STRING, rep, None),
                   ("device", 4, T.TYPE_STRING, opt, None))
    map_field(node, "NodeDef", "attr", 5, "AttrValue")
    message(proto.message_type, "VersionDef", ("producer", 1, T.TYPE_INT32, opt, None),
            ("min_consumer", 2, T.TYPE_INT32, opt, None),
            ("bad_consumers", 3, T.TYPE_INT32, rep, None))
    message(proto.message_type, "GraphDef", ("node", 1, T.TYPE_MESSAGE, rep, "NodeDef"),
            ("versions", 4, T.TYPE_MESSAGE, opt, "VersionDef"))
    message(proto.message_type, "SaverDef",
            ("filename_tensor_name", 1, T.TYPE_STRING, opt, None),
            ("save_tensor_name", 2, T.TYPE_STRING, opt, None),
            ("restore_op_name", 3, T.TYPE_STRING, opt, None),
            ("max_to_keep", 4, T.TYPE_INT32, opt, None),
            ("sharded", 5, T.TYPE_BOOL, opt, None),
            ("keep_checkpoint_every_n_hours", 6, T.TYPE_FLOAT, opt, None),
            ("version", 7, T.TYPE_INT32, opt, None))  # enum: V1 = 1, V2 = 2
    collection = message(proto.message_type, "CollectionDef",
                         ("node_list", 1, T.TYPE_MESSAGE, opt, "CollectionDef.NodeList", True),
                         ("bytes_list", 2, T.TYPE_MESSAGE, opt, "CollectionDef.BytesList",
                          True), oneof="kind")
    message(collection.nested_type, "NodeList", ("value", 1, T.TYPE_STRING, rep, None))
    message(collection.nested_type, "BytesList", ("value", 1, T.TYPE_BYTES, rep, None))
    meta = message(proto.message_type, "MetaGraphDef",
                   ("meta_info_def", 1, T.TYPE_MESSAGE, opt, "MetaGraphDef.MetaInfoDef"),
                   ("graph_def", 2, T.TYPE_MESSAGE, opt, "GraphDef"),
                   ("saver_def", 3, T.TYPE_MESSAGE, opt, "SaverDef"))
    map_field(meta, "MetaGraphDef", "collection_def", 4, "CollectionDef")
    message(meta.nested_type, "MetaInfoDef",
            ("meta_graph_version", 1, T.TYPE_STRING, opt, None),
            ("tags", 4, T.TYPE_STRING, rep, None),
            ("tensorflow_version", 5, T.TYPE_STRING, opt, None),
            ("tensorflow_git_version", 6, T.TYPE_STRING, opt, None))
    return proto


@functools.cache
def messages() -> dict:
    """``{name: message class}`` for ``MESSAGE_NAMES``."""
    from fluxion.io.proto_messages import message_classes_from

    return message_classes_from(_file_descriptor, MESSAGE_NAMES, _HINT)
