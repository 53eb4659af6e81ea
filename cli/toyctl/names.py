"""The short names toyctl shows for the proto's enum values (PENDING for
MANUFACTURE_STATUS_PENDING), by number."""

from __future__ import annotations

from google.protobuf.descriptor import EnumDescriptor

from toys._generated.pb2.toys.v1 import toys_pb2 as pb2


def short_names(enum: EnumDescriptor, prefix: str) -> dict[int, str]:
    return {value.number: value.name.removeprefix(prefix) for value in enum.values}


STATUS = short_names(pb2.ManufactureStatus.DESCRIPTOR, "MANUFACTURE_STATUS_")
SERVING = short_names(pb2.HealthCheckResponse.ServingStatus.DESCRIPTOR, "SERVING_STATUS_")
EVENT = short_names(pb2.WatchEventType.DESCRIPTOR, "WATCH_EVENT_TYPE_")
