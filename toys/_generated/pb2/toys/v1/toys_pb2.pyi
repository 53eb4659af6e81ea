import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ManufactureStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MANUFACTURE_STATUS_UNSPECIFIED: _ClassVar[ManufactureStatus]
    MANUFACTURE_STATUS_PENDING: _ClassVar[ManufactureStatus]
    MANUFACTURE_STATUS_RUNNING: _ClassVar[ManufactureStatus]
    MANUFACTURE_STATUS_SUCCEEDED: _ClassVar[ManufactureStatus]
    MANUFACTURE_STATUS_FAILED: _ClassVar[ManufactureStatus]
    MANUFACTURE_STATUS_ERROR: _ClassVar[ManufactureStatus]

class WatchEventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WATCH_EVENT_TYPE_UNSPECIFIED: _ClassVar[WatchEventType]
    WATCH_EVENT_TYPE_ADDED: _ClassVar[WatchEventType]
    WATCH_EVENT_TYPE_MODIFIED: _ClassVar[WatchEventType]
    WATCH_EVENT_TYPE_DELETED: _ClassVar[WatchEventType]
    WATCH_EVENT_TYPE_SYNCED: _ClassVar[WatchEventType]

class CallbackOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CALLBACK_OUTCOME_UNSPECIFIED: _ClassVar[CallbackOutcome]
    CALLBACK_OUTCOME_APPLIED: _ClassVar[CallbackOutcome]
    CALLBACK_OUTCOME_REPLAY: _ClassVar[CallbackOutcome]
    CALLBACK_OUTCOME_STALE: _ClassVar[CallbackOutcome]
MANUFACTURE_STATUS_UNSPECIFIED: ManufactureStatus
MANUFACTURE_STATUS_PENDING: ManufactureStatus
MANUFACTURE_STATUS_RUNNING: ManufactureStatus
MANUFACTURE_STATUS_SUCCEEDED: ManufactureStatus
MANUFACTURE_STATUS_FAILED: ManufactureStatus
MANUFACTURE_STATUS_ERROR: ManufactureStatus
WATCH_EVENT_TYPE_UNSPECIFIED: WatchEventType
WATCH_EVENT_TYPE_ADDED: WatchEventType
WATCH_EVENT_TYPE_MODIFIED: WatchEventType
WATCH_EVENT_TYPE_DELETED: WatchEventType
WATCH_EVENT_TYPE_SYNCED: WatchEventType
CALLBACK_OUTCOME_UNSPECIFIED: CallbackOutcome
CALLBACK_OUTCOME_APPLIED: CallbackOutcome
CALLBACK_OUTCOME_REPLAY: CallbackOutcome
CALLBACK_OUTCOME_STALE: CallbackOutcome

class Toy(_message.Message):
    __slots__ = ("id", "name", "manufacture_time", "manufacturor", "design_time", "designer", "number_manufactured", "status", "create_time", "update_time", "last_run")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    MANUFACTURE_TIME_FIELD_NUMBER: _ClassVar[int]
    MANUFACTUROR_FIELD_NUMBER: _ClassVar[int]
    DESIGN_TIME_FIELD_NUMBER: _ClassVar[int]
    DESIGNER_FIELD_NUMBER: _ClassVar[int]
    NUMBER_MANUFACTURED_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_RUN_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    manufacture_time: _timestamp_pb2.Timestamp
    manufacturor: str
    design_time: _timestamp_pb2.Timestamp
    designer: str
    number_manufactured: int
    status: ManufactureStatus
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    last_run: WorkflowRun
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., manufacture_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., manufacturor: _Optional[str] = ..., design_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., designer: _Optional[str] = ..., number_manufactured: _Optional[int] = ..., status: _Optional[_Union[ManufactureStatus, str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_run: _Optional[_Union[WorkflowRun, _Mapping]] = ...) -> None: ...

class WorkflowFailure(_message.Message):
    __slots__ = ("display_name", "message", "template_name", "phase", "pod_name", "finished_time")
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_NAME_FIELD_NUMBER: _ClassVar[int]
    PHASE_FIELD_NUMBER: _ClassVar[int]
    POD_NAME_FIELD_NUMBER: _ClassVar[int]
    FINISHED_TIME_FIELD_NUMBER: _ClassVar[int]
    display_name: str
    message: str
    template_name: str
    phase: str
    pod_name: str
    finished_time: _timestamp_pb2.Timestamp
    def __init__(self, display_name: _Optional[str] = ..., message: _Optional[str] = ..., template_name: _Optional[str] = ..., phase: _Optional[str] = ..., pod_name: _Optional[str] = ..., finished_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class WorkflowRun(_message.Message):
    __slots__ = ("name", "namespace", "uid", "creation_time", "phase", "started_time", "finished_time", "message", "failures", "units_produced")
    NAME_FIELD_NUMBER: _ClassVar[int]
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    UID_FIELD_NUMBER: _ClassVar[int]
    CREATION_TIME_FIELD_NUMBER: _ClassVar[int]
    PHASE_FIELD_NUMBER: _ClassVar[int]
    STARTED_TIME_FIELD_NUMBER: _ClassVar[int]
    FINISHED_TIME_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    FAILURES_FIELD_NUMBER: _ClassVar[int]
    UNITS_PRODUCED_FIELD_NUMBER: _ClassVar[int]
    name: str
    namespace: str
    uid: str
    creation_time: _timestamp_pb2.Timestamp
    phase: str
    started_time: _timestamp_pb2.Timestamp
    finished_time: _timestamp_pb2.Timestamp
    message: str
    failures: _containers.RepeatedCompositeFieldContainer[WorkflowFailure]
    units_produced: int
    def __init__(self, name: _Optional[str] = ..., namespace: _Optional[str] = ..., uid: _Optional[str] = ..., creation_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., phase: _Optional[str] = ..., started_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finished_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., message: _Optional[str] = ..., failures: _Optional[_Iterable[_Union[WorkflowFailure, _Mapping]]] = ..., units_produced: _Optional[int] = ...) -> None: ...

class CreateToyRequest(_message.Message):
    __slots__ = ("name", "designer", "design_time", "manufacturor", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESIGNER_FIELD_NUMBER: _ClassVar[int]
    DESIGN_TIME_FIELD_NUMBER: _ClassVar[int]
    MANUFACTUROR_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    designer: str
    design_time: _timestamp_pb2.Timestamp
    manufacturor: str
    request_id: str
    def __init__(self, name: _Optional[str] = ..., designer: _Optional[str] = ..., design_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., manufacturor: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateToyResponse(_message.Message):
    __slots__ = ("toy",)
    TOY_FIELD_NUMBER: _ClassVar[int]
    toy: Toy
    def __init__(self, toy: _Optional[_Union[Toy, _Mapping]] = ...) -> None: ...

class GetToyRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetToyResponse(_message.Message):
    __slots__ = ("toy",)
    TOY_FIELD_NUMBER: _ClassVar[int]
    toy: Toy
    def __init__(self, toy: _Optional[_Union[Toy, _Mapping]] = ...) -> None: ...

class ListToysRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "status")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    status: ManufactureStatus
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., status: _Optional[_Union[ManufactureStatus, str]] = ...) -> None: ...

class ListToysResponse(_message.Message):
    __slots__ = ("toys", "next_page_token")
    TOYS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    toys: _containers.RepeatedCompositeFieldContainer[Toy]
    next_page_token: str
    def __init__(self, toys: _Optional[_Iterable[_Union[Toy, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class WatchToysRequest(_message.Message):
    __slots__ = ("status", "id", "resume_token", "send_initial")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    RESUME_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SEND_INITIAL_FIELD_NUMBER: _ClassVar[int]
    status: ManufactureStatus
    id: str
    resume_token: str
    send_initial: bool
    def __init__(self, status: _Optional[_Union[ManufactureStatus, str]] = ..., id: _Optional[str] = ..., resume_token: _Optional[str] = ..., send_initial: _Optional[bool] = ...) -> None: ...

class WatchToysResponse(_message.Message):
    __slots__ = ("type", "toy", "resume_token")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    TOY_FIELD_NUMBER: _ClassVar[int]
    RESUME_TOKEN_FIELD_NUMBER: _ClassVar[int]
    type: WatchEventType
    toy: Toy
    resume_token: str
    def __init__(self, type: _Optional[_Union[WatchEventType, str]] = ..., toy: _Optional[_Union[Toy, _Mapping]] = ..., resume_token: _Optional[str] = ...) -> None: ...

class UpdateManufactureStatusRequest(_message.Message):
    __slots__ = ("toy_id", "status", "run")
    TOY_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    RUN_FIELD_NUMBER: _ClassVar[int]
    toy_id: str
    status: ManufactureStatus
    run: WorkflowRun
    def __init__(self, toy_id: _Optional[str] = ..., status: _Optional[_Union[ManufactureStatus, str]] = ..., run: _Optional[_Union[WorkflowRun, _Mapping]] = ...) -> None: ...

class UpdateManufactureStatusResponse(_message.Message):
    __slots__ = ("toy", "outcome")
    TOY_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    toy: Toy
    outcome: CallbackOutcome
    def __init__(self, toy: _Optional[_Union[Toy, _Mapping]] = ..., outcome: _Optional[_Union[CallbackOutcome, str]] = ...) -> None: ...

class DeleteToyRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class DeleteToyResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ResetToyRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ResetToyResponse(_message.Message):
    __slots__ = ("toy",)
    TOY_FIELD_NUMBER: _ClassVar[int]
    toy: Toy
    def __init__(self, toy: _Optional[_Union[Toy, _Mapping]] = ...) -> None: ...

class GetToyHistoryRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ToyHistoryEntry(_message.Message):
    __slots__ = ("type", "toy")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    TOY_FIELD_NUMBER: _ClassVar[int]
    type: WatchEventType
    toy: Toy
    def __init__(self, type: _Optional[_Union[WatchEventType, str]] = ..., toy: _Optional[_Union[Toy, _Mapping]] = ...) -> None: ...

class GetToyHistoryResponse(_message.Message):
    __slots__ = ("entries", "complete")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[ToyHistoryEntry]
    complete: bool
    def __init__(self, entries: _Optional[_Iterable[_Union[ToyHistoryEntry, _Mapping]]] = ..., complete: _Optional[bool] = ...) -> None: ...

class HealthCheckRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class HealthCheckResponse(_message.Message):
    __slots__ = ("status", "version", "store_ok", "store_detail")
    class ServingStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        SERVING_STATUS_UNSPECIFIED: _ClassVar[HealthCheckResponse.ServingStatus]
        SERVING_STATUS_SERVING: _ClassVar[HealthCheckResponse.ServingStatus]
        SERVING_STATUS_NOT_SERVING: _ClassVar[HealthCheckResponse.ServingStatus]
    SERVING_STATUS_UNSPECIFIED: HealthCheckResponse.ServingStatus
    SERVING_STATUS_SERVING: HealthCheckResponse.ServingStatus
    SERVING_STATUS_NOT_SERVING: HealthCheckResponse.ServingStatus
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    STORE_OK_FIELD_NUMBER: _ClassVar[int]
    STORE_DETAIL_FIELD_NUMBER: _ClassVar[int]
    status: HealthCheckResponse.ServingStatus
    version: str
    store_ok: bool
    store_detail: str
    def __init__(self, status: _Optional[_Union[HealthCheckResponse.ServingStatus, str]] = ..., version: _Optional[str] = ..., store_ok: _Optional[bool] = ..., store_detail: _Optional[str] = ...) -> None: ...
