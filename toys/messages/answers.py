"""Each ToyService method as request message in, encoded answer out: the use cases behind
every wire. Domain errors pass through (each adapter turns them into its status, from
toys.messages.statuses).

Answers are bytes put together from toys encoded once per revision (toys.messages.encoded),
tagged with what the call logs and audits (its toy, a callback's outcome).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from toys._generated.toys import v1 as pb
from toys.core.readiness import Readiness
from toys.core.service import ToyPage, ToyService
from toys.domain import CallbackResult, ChangeKind, Toy, WatchFilter, check_toy_id
from toys.messages import encoded, translate
from toys.messages.encoded import Encoded, EncodedToys
from toys.watching.tokens import ResumeTokens
from toys.watching.watches import Watches, WatchEvent, WatchStart

EVENT_TYPES = {
    ChangeKind.ADDED: pb.WatchEventType.ADDED,
    ChangeKind.MODIFIED: pb.WatchEventType.MODIFIED,
    ChangeKind.DELETED: pb.WatchEventType.DELETED,
    ChangeKind.SYNCED: pb.WatchEventType.SYNCED,
}


class ToyAnswers:
    """The unary methods: the use case each request asks for, and its answer."""

    def __init__(
        self,
        service: ToyService,
        *,
        version: str,
        readiness: Readiness,
        encoded_toys: EncodedToys | None = None,
    ) -> None:
        self.service = service
        self.version = version
        self.readiness = readiness
        self.encoded_toys = encoded_toys or EncodedToys()

    # -- the use cases -----------------------------------------------------------------------

    async def created(self, message: pb.CreateToyRequest) -> Toy:
        return await self.service.create(
            translate.new_toy_from_pb(message), request_id=message.request_id
        )

    async def got(self, message: pb.GetToyRequest) -> Toy:
        return await self.service.get(message.id)

    async def listed(self, message: pb.ListToysRequest) -> ToyPage:
        return await self.service.list(
            page_size=message.page_size,
            page_token=message.page_token,
            status=translate.status_from_pb(message.status, "status"),
        )

    async def reported(self, message: pb.UpdateManufactureStatusRequest) -> CallbackResult:
        return await self.service.report_run(message.toy_id, translate.run_from_pb(message))

    async def reset_done(self, message: pb.ResetToyRequest) -> Toy:
        return await self.service.reset(message.id)

    async def health(self) -> pb.HealthCheckResponse:
        serving = await self.readiness.refresh()
        return pb.HealthCheckResponse(
            status=(
                pb.HealthCheckResponseServingStatus.SERVING
                if serving
                else pb.HealthCheckResponseServingStatus.NOT_SERVING
            ),
            version=self.version,
            store_ok=self.readiness.store_ok,
            store_detail=self.readiness.store_detail,
        )

    # -- encoded answers ---------------------------------------------------------------------

    def one_toy(self, toy: Toy) -> Encoded:
        return Encoded(encoded.toy_response(self.encoded_toys(toy)), toy_id=toy.id)

    def callback_answer(self, result: CallbackResult) -> Encoded:
        outcome = translate.outcome_to_pb(result.outcome)
        data = encoded.callback_response(self.encoded_toys(result.toy), int(outcome))
        return Encoded(data, toy_id=result.toy.id, outcome=outcome.name)

    async def create(self, message: pb.CreateToyRequest) -> Encoded:
        return self.one_toy(await self.created(message))

    async def get(self, message: pb.GetToyRequest) -> Encoded:
        return self.one_toy(await self.got(message))

    async def reset(self, message: pb.ResetToyRequest) -> Encoded:
        return self.one_toy(await self.reset_done(message))

    async def list(self, message: pb.ListToysRequest) -> Encoded:
        page = await self.listed(message)
        return Encoded(
            encoded.list_response(map(self.encoded_toys, page.toys), page.next_page_token)
        )

    async def report(self, message: pb.UpdateManufactureStatusRequest) -> Encoded:
        return self.callback_answer(await self.reported(message))

    async def history(self, message: pb.GetToyHistoryRequest) -> pb.GetToyHistoryResponse:
        found = await self.service.history(message.id)
        return pb.GetToyHistoryResponse(
            entries=[
                pb.ToyHistoryEntry(
                    type=EVENT_TYPES[change.kind], toy=translate.toy_to_pb(change.toy)
                )
                for change in found.changes
            ],
            complete=found.complete,
        )

    async def delete(self, message: pb.DeleteToyRequest) -> pb.DeleteToyResponse:
        await self.service.delete(message.id)
        return pb.DeleteToyResponse()


class WatchAnswers:
    """WatchToys: the request -> a watch, each event -> an encoded response."""

    def __init__(self, watches: Watches, tokens: ResumeTokens, encoded_toys: EncodedToys) -> None:
        self._watches = watches
        self._tokens = tokens
        self._encoded = encoded_toys

    def start(self, message: pb.WatchToysRequest) -> WatchStart:
        toy_id = check_toy_id(message.id) if message.id else ""
        watch = WatchFilter(
            status=translate.status_from_pb(message.status, "status"), toy_id=toy_id
        )
        if message.resume_token:
            return WatchStart(watch, resume_after=self._tokens.decode(message.resume_token))
        return WatchStart(watch, send_initial=message.send_initial)

    def events(self, message: pb.WatchToysRequest) -> AsyncIterator[WatchEvent]:
        return self._watches.events(self.start(message))

    def typed(self, event: WatchEvent) -> pb.WatchToysResponse:
        return pb.WatchToysResponse(
            type=EVENT_TYPES[event.kind],
            toy=translate.toy_to_pb(event.toy) if event.toy is not None else None,
            resume_token=self._tokens.encode(event.sequence),
        )

    def response(self, event: WatchEvent) -> Encoded:
        toy = self._encoded(event.toy) if event.toy is not None else None
        data = encoded.watch_response(
            int(EVENT_TYPES[event.kind]), toy, self._tokens.encode(event.sequence)
        )
        return Encoded(data, toy_id=event.toy.id if event.toy is not None else "")

    async def responses(self, message: pb.WatchToysRequest) -> AsyncIterator[Encoded]:
        async for event in self.events(message):
            yield self.response(event)
