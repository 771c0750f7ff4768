"""Protobuf message classes built at run time from a file descriptor.

Fluxion defines the few TensorFlow messages it reads and writes (``Example``, the
checkpoint bundle's entries...) as ``FileDescriptorProto`` s in Python, so no ``.proto``
compiler runs and TensorFlow is not needed; this turns one into message classes with the
``protobuf`` package (an optional extra: ``install_hint`` says how to get it).
"""

from __future__ import annotations


def message_classes_from(make_file_descriptor, names, install_hint: str,
                         package: str = "tensorflow") -> dict:
    """``{name: message class}`` for ``names`` in the file ``make_file_descriptor`` builds
    (it is given protobuf's ``descriptor_pb2``)."""
    try:
        from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    except ImportError as error:
        raise ImportError(install_hint) from error
    pool = descriptor_pool.DescriptorPool()
    pool.Add(make_file_descriptor(descriptor_pb2))
    classes = {}
    for name in names:
        descriptor = pool.FindMessageTypeByName(f"{package}.{name}")
        if hasattr(message_factory, "GetMessageClass"):  # protobuf >= 4.21
            classes[name] = message_factory.GetMessageClass(descriptor)
        else:  # pragma: no cover - older protobuf
            classes[name] = message_factory.MessageFactory(pool).GetPrototype(descriptor)
    return classes
