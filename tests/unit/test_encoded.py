"""The fast path's bytes are what the slow path would have sent: for any toy, a response put
together from toys encoded once decodes — with betterproto2 and with protobuf — to exactly the
message betterproto2 builds and encodes field by field."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import toys
from toys._generated.pb2.toys.v1 import toys_pb2 as pb2
from toys._generated.toys import v1 as pb
from toys.domain import Toy
from toys.messages import encoded, translate


@given(toys())
def test_a_toy_response_decodes_to_the_slow_paths_message(toy: Toy) -> None:
    slow = pb.GetToyResponse(toy=translate.toy_to_pb(toy))
    fast = encoded.toy_response(encoded.toy_field(toy))
    assert pb.GetToyResponse.parse(fast) == slow
    assert pb2.GetToyResponse.FromString(fast) == pb2.GetToyResponse.FromString(bytes(slow))


@given(st.lists(toys(), max_size=5), st.text(max_size=30))
def test_a_page_decodes_to_the_slow_paths_message(page: list[Toy], token: str) -> None:
    slow = pb.ListToysResponse(toys=[translate.toy_to_pb(t) for t in page], next_page_token=token)
    fast = encoded.list_response([encoded.toy_field(t) for t in page], token)
    assert pb.ListToysResponse.parse(fast) == slow
    assert pb2.ListToysResponse.FromString(fast) == pb2.ListToysResponse.FromString(bytes(slow))


@given(toys(), st.sampled_from(list(pb.CallbackOutcome)[1:]))
def test_a_callback_response_decodes_to_the_slow_paths_message(
    toy: Toy, outcome: pb.CallbackOutcome
) -> None:
    slow = pb.UpdateManufactureStatusResponse(toy=translate.toy_to_pb(toy), outcome=outcome)
    fast = encoded.callback_response(encoded.toy_field(toy), int(outcome))
    assert pb.UpdateManufactureStatusResponse.parse(fast) == slow


@given(st.none() | toys(), st.sampled_from(list(pb.WatchEventType)), st.text(max_size=30))
def test_a_watch_event_decodes_to_the_slow_paths_message(
    toy: Toy | None, kind: pb.WatchEventType, token: str
) -> None:
    slow = pb.WatchToysResponse(
        type=kind, toy=translate.toy_to_pb(toy) if toy else None, resume_token=token
    )
    fast = encoded.watch_response(int(kind), encoded.toy_field(toy) if toy else None, token)
    assert pb.WatchToysResponse.parse(fast) == slow
    assert pb2.WatchToysResponse.FromString(fast) == pb2.WatchToysResponse.FromString(bytes(slow))


def test_an_encoding_is_kept_per_revision() -> None:
    """The cache answers for the same state; a new revision is encoded again."""
    from tests.strategies import every_field_set

    cache = encoded.EncodedToys()
    toy = every_field_set()
    first = cache(toy)
    assert cache(toy) is first
    renamed = replace(toy, name="Other", revision=toy.revision + 1)
    assert pb2.GetToyResponse.FromString(cache(renamed)).toy.name == "Other"
    assert len(cache) == 2


def test_the_cache_is_bounded() -> None:
    from tests.strategies import every_field_set

    cache = encoded.EncodedToys(capacity=3)
    for revision in range(1, 10):
        cache(replace(every_field_set(), revision=revision))
    assert len(cache) == 3
