"""The descriptor pool behind server reflection: our contract plus grpclib's own services."""

from __future__ import annotations

from google.protobuf.descriptor import FileDescriptor
from google.protobuf.descriptor_pool import DescriptorPool
from grpclib.health.v1 import health_pb2
from grpclib.reflection.v1 import reflection_pb2
from grpclib.reflection.v1alpha import reflection_pb2 as reflection_v1alpha_pb2

from toys._generated.toys import v1 as pb


def _add(pool: DescriptorPool, file: FileDescriptor, added: set[str]) -> None:
    """Add `file` after its dependencies, each once."""
    if file.name in added:
        return
    for dependency in file.dependencies:
        _add(pool, dependency, added)
    pool.AddSerializedFile(file.serialized_pb)
    added.add(file.name)


def reflection_pool() -> DescriptorPool:
    """A fresh pool with toys.v1 (from betterproto2's generated descriptors), health and
    reflection, so that grpcurl can list and describe every service the server exposes."""
    pool = DescriptorPool()
    added: set[str] = set()
    for file in (
        pb.TOYS_V1_TOYS_PROTO_DESCRIPTOR,
        health_pb2.DESCRIPTOR,
        reflection_pb2.DESCRIPTOR,
        reflection_v1alpha_pb2.DESCRIPTOR,
    ):
        _add(pool, file, added)
    return pool
