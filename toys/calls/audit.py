"""The audit trail: one JSON record per mutating call (create, delete, reset, callback) on the
`toys.audit` logger: who, what, which toy, and how it ended."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from grpclib.const import Status
from grpclib.events import RecvRequest, SendTrailingMetadata, listen
from grpclib.server import Server

from toys.auth.roles import MUTATING_METHODS
from toys.calls.access_log import shown
from toys.calls.context import CallContext, call_context, current_call

audit_log = logging.getLogger("toys.audit")


class AuditTrail:
    def __init__(self, *, auth_enabled: bool) -> None:
        # Without an access file nobody is identified: say so rather than leave it blank.
        self._nobody = "" if auth_enabled else "anonymous (no access file)"

    def install(self, server: Server) -> None:
        listen(server, RecvRequest, self._on_request)
        listen(server, SendTrailingMetadata, self._on_trailers)

    async def _on_request(self, event: RecvRequest) -> None:
        if event.method_name in MUTATING_METHODS:
            call_context(event)

    async def _on_trailers(self, event: SendTrailingMetadata) -> None:
        call = current_call()
        if call is not None:
            self.finished(call, event.status)

    def finished(self, call: CallContext, status: Status) -> None:
        """The audit record of `call`, when it is a mutating call."""
        if call.method not in MUTATING_METHODS:
            return
        record: dict[str, Any] = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "who": call.principal or self._nobody or "unauthenticated",
            "method": call.method,
            "toy_id": shown(call.toy_id),
            "status": status.name,
            "outcome": call.outcome,
            "peer": call.peer,
            "trace_id": call.trace_id,
        }
        audit_log.info(json.dumps(record, ensure_ascii=False), extra={"fields": record})
