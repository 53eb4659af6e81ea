"""Tokens and roles on the HTTP port, as on gRPC: every role against every method over
Connect, missing and unknown tokens, a client certificate as an identity over TLS, the Argo
callback path for the callback role only, and the probes and metrics open."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from grpclib.const import Status

from tests.access import TOKENS, assert_role_decides
from tests.http_support import call_json, stream_json
from tests.pki import make_pki
from tests.support import serving
from toys.auth.roles import Role

MESSAGES: dict[str, dict[str, object]] = {
    "CreateToy": {"name": "Car"},
    "GetToy": {"id": "missing"},
    "ListToys": {},
    "DeleteToy": {"id": "missing"},
    "ResetToy": {"id": "missing"},
    "UpdateManufactureStatus": {"toyId": "missing"},
    "HealthCheck": {},
    "GetToyHistory": {"id": "missing"},
}


@pytest.fixture
async def client(tmp_path: Path, access_file: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        serving(tmp_path / "toys.db", access_file=str(access_file), http_port=0) as (
            server,
            _,
        ),
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.http_port}") as http,
    ):
        yield http


async def status_of(client: httpx.AsyncClient, method: str, token: str | None) -> Status:
    if method == "WatchToys":
        events = [e async for e in stream_json(client, method, {"resumeToken": "x"}, token)]
        error = events[-1]["end"].get("error")
        return Status[error["code"].upper()] if error else Status.OK
    return (await call_json(client, method, MESSAGES[method], token))[0]


@pytest.mark.parametrize("role", list(Role))
async def test_each_role_may_call_exactly_its_methods_over_http(
    client: httpx.AsyncClient, role: Role
) -> None:
    for method in [*MESSAGES, "WatchToys"]:
        assert_role_decides(role, method, await status_of(client, method, TOKENS[role]))


@pytest.mark.parametrize(("token", "why"), [(None, "needs credentials"), ("tft_forged", "not one")])
async def test_no_token_or_an_unknown_one_is_unauthenticated_over_http(
    client: httpx.AsyncClient, token: str | None, why: str
) -> None:
    status, body = await call_json(client, "ListToys", {}, token)
    assert status is Status.UNAUTHENTICATED
    assert why in body["message"]


async def test_a_refused_request_is_not_parsed(client: httpx.AsyncClient) -> None:
    """Refused before its body is read as JSON: no token is UNAUTHENTICATED, not a parse
    error, however broken the body."""
    response = await client.post(
        "/toys.v1.ToyService/ListToys",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")


@pytest.mark.parametrize(("role", "code"), [(Role.CALLBACK, 400), (Role.WRITER, 403)])
async def test_the_argo_callback_path_needs_the_callback_role(
    client: httpx.AsyncClient, role: Role, code: int
) -> None:
    response = await client.post(
        "/argo/v1/callbacks",
        content=b"workflow: {}",
        headers={"authorization": f"Bearer {TOKENS[role]}"},
    )
    assert response.status_code == code  # the callback role gets as far as the payload


async def test_probes_and_metrics_need_no_credentials(client: httpx.AsyncClient) -> None:
    for path in ("/healthz", "/readyz", "/metrics"):
        assert (await client.get(path)).status_code == 200, path


async def test_a_known_client_certificate_is_an_identity_over_https(
    tmp_path: Path,
    access_file: Path,
) -> None:
    pki = make_pki(tmp_path / "pki")
    batch = pki.client("batch")
    async with serving(
        tmp_path / "toys.db",
        access_file=str(access_file),
        tls_cert=str(pki.server.cert),
        tls_key=str(pki.server.key),
        tls_client_ca=str(pki.ca_file),
        http_port=0,
    ) as (server, _):
        context = ssl.create_default_context(cafile=str(pki.ca_file))
        context.load_cert_chain(str(batch.cert), str(batch.key))
        base = f"https://localhost:{server.http_port}"
        async with httpx.AsyncClient(base_url=base, verify=context) as https:
            assert (await call_json(https, "CreateToy", {"name": "Car"}))[0] is Status.OK
            status, _ = await call_json(https, "UpdateManufactureStatus", {"toyId": "x"})
            assert status is Status.PERMISSION_DENIED
        anonymous = ssl.create_default_context(cafile=str(pki.ca_file))
        async with httpx.AsyncClient(base_url=base, verify=anonymous) as https:
            with pytest.raises(httpx.HTTPError):
                await https.get("/healthz")  # mutual TLS: no certificate, no connection
