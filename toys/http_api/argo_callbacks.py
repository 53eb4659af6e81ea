"""POST /argo/v1/callbacks: the run an Argo `http` exit handler reports, as the same payload
document toyctl update-status reads (an exit-handler payload or a Workflow resource, YAML or
JSON), read by the same code (toys.argo), applied like UpdateManufactureStatus and answered
with its response in Connect's JSON. `?toy-id=` is toyctl's --toy-id.

Argo renders the body from `{{workflow.*}}` and sends it with no pod; the server reads what
toyctl would have sent, so that a run reported either way is stored the same way and answered
the same (APPLIED, REPLAY). Errors are Connect's error JSON.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qs

from connectrpc.errors import ConnectError
from grpclib.const import Status

from toys._generated.pb2.toys.v1 import toys_pb2
from toys._generated.toys import v1 as pb
from toys.argo import parse_payload
from toys.calls.context import current_call, remember_message
from toys.domain import ToyError
from toys.http_api.codecs import Answer, StrictJsonCodec
from toys.http_api.responses import send_body, send_error
from toys.messages import translate
from toys.messages.answers import ToyAnswers
from toys.messages.statuses import status_of

log = logging.getLogger("toys.servicer")

PATH = "/argo/v1/callbacks"
METHOD = "/toys.v1.ToyService/UpdateManufactureStatus"  # what it is, for roles and logs
SOURCE = "(request body)"


class _ClientGone(Exception):
    """The client went away before its request was whole: nobody to answer."""


async def _body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGone
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


class ArgoCallbacks:
    def __init__(self, answers: ToyAnswers) -> None:
        self._answers = answers
        self._codec = StrictJsonCodec()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        call = current_call()
        if call is not None and call.refusal is not None:
            await send_error(send, call.refusal.status, call.refusal.message)
            return
        try:
            data = await _body(receive)
        except _ClientGone:
            return
        except ConnectError as exc:  # larger than the limit (toys.http_api.calls)
            await send_error(send, Status[exc.code.name], exc.message)
            return
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            await send_error(send, Status.INVALID_ARGUMENT, f"payload {SOURCE}: is not UTF-8 text")
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        toy_id = query.get("toy-id", [""])[0] or None
        try:
            callback = parse_payload(text, source=SOURCE, toy_id=toy_id)
            request = pb.UpdateManufactureStatusRequest(
                toy_id=callback.toy_id,
                status=translate.status_to_pb(callback.run.status),
                run=translate.run_to_pb(callback.run),
            )
            if call is not None:
                remember_message(call, request)
            answer = await self._answers.report(request)
        except ToyError as exc:
            await send_error(send, *status_of(exc))
            return
        except Exception:
            log.exception("unexpected error in an Argo callback")
            await send_error(send, Status.INTERNAL, "internal error; the server log has details")
            return
        if call is not None:
            remember_message(call, answer)
        body = self._codec.encode(Answer(answer.data, toys_pb2.UpdateManufactureStatusResponse))
        await send_body(send, 200, body, b"application/json")
