"""A real toys-server process with TLS, mutual TLS and an access file, driven by toyctl,
toys-probe and grpcurl as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pki import Pki, make_pki
from tests.support import ServerProcess, grpcurl
from toys.auth.credentials import new_token, token_hash

BIN = Path(sys.executable).parent
CALLBACK_TOKEN, READER_TOKEN = new_token(), new_token()


def run(
    program: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / program), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory, pki: Pki) -> Iterator[ServerProcess]:
    directory = tmp_path_factory.mktemp("tls")
    access = directory / "access"
    access.write_text(
        f"argo callback {token_hash(CALLBACK_TOKEN)}\nops reader {token_hash(READER_TOKEN)}\n"
    )
    server = ServerProcess(
        db=directory / "toys.db",
        extra_env={
            "TOYS_TLS_CERT": str(pki.server.cert),
            "TOYS_TLS_KEY": str(pki.server.key),
            "TOYS_ACCESS_FILE": str(access),
        },
    ).start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture(scope="module")
def mtls_server(tmp_path_factory: pytest.TempPathFactory, pki: Pki) -> Iterator[ServerProcess]:
    server = ServerProcess(
        db=tmp_path_factory.mktemp("mtls") / "toys.db",
        extra_env={
            "TOYS_TLS_CERT": str(pki.server.cert),
            "TOYS_TLS_KEY": str(pki.server.key),
            "TOYS_TLS_CLIENT_CA": str(pki.ca_file),
        },
    ).start()
    try:
        yield server
    finally:
        server.kill()


def test_toyctl_over_tls_with_a_token(tls_server: ServerProcess, pki: Pki) -> None:
    result = run(
        "toyctl",
        "-s",
        tls_server.address,
        "--ca-file",
        str(pki.ca_file),
        "list",
        env={"TOYCTL_TOKEN": READER_TOKEN},
    )
    assert result.returncode == 0, result.stderr


def test_the_server_says_how_it_listens(tls_server: ServerProcess) -> None:
    started = "\n".join(tls_server.lines)
    assert "(TLS, db" in started
    assert "serving plaintext" not in started


def test_toyctl_reads_its_token_from_a_file(
    tls_server: ServerProcess, pki: Pki, tmp_path: Path
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(READER_TOKEN + "\n")
    result = run(
        "toyctl",
        "-s",
        tls_server.address,
        "--ca-file",
        str(pki.ca_file),
        "--token-file",
        str(token_file),
        "list",
        env={"TOYCTL_TOKEN": ""},
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("token", "code", "says"),
    [
        ("", 11, "needs credentials"),
        ("tft_nope", 11, "not one this server knows"),
        (CALLBACK_TOKEN, 12, "argo (role callback) may not call ListToys"),
    ],
    ids=["no token", "unknown token", "wrong role"],
)
def test_toyctl_exit_codes_for_auth(
    tls_server: ServerProcess, pki: Pki, token: str, code: int, says: str
) -> None:
    result = run(
        "toyctl",
        "-s",
        tls_server.address,
        "--ca-file",
        str(pki.ca_file),
        "list",
        env={"TOYCTL_TOKEN": token},
    )
    assert result.returncode == code
    assert says in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_a_server_certificate_nobody_vouched_for_is_refused(tls_server: ServerProcess) -> None:
    result = run("toyctl", "-s", tls_server.address, "--tls", "list")
    assert result.returncode == 3
    assert "TLS with" in result.stderr
    assert "unable to get local issuer certificate" in result.stderr  # OpenSSL's reason


def test_grpcurl_over_tls(tls_server: ServerProcess, pki: Pki, grpcurl_bin: str) -> None:
    """Discovery is open (reflection and health need no token); calls need one."""
    tls = ("-cacert", str(pki.ca_file))
    listed = grpcurl(grpcurl_bin, tls_server.address, "list", tls=tls)
    assert "toys.v1.ToyService" in listed.stdout, listed.stderr
    health = grpcurl(grpcurl_bin, tls_server.address, "grpc.health.v1.Health/Check", tls=tls)
    assert '"SERVING"' in health.stdout
    refused = grpcurl(grpcurl_bin, tls_server.address, "toys.v1.ToyService/ListToys", tls=tls)
    assert "Unauthenticated" in refused.stderr
    allowed = grpcurl(
        grpcurl_bin,
        tls_server.address,
        "toys.v1.ToyService/ListToys",
        tls=tls,
        headers=(f"authorization: Bearer {READER_TOKEN}",),
    )
    assert allowed.returncode == 0, allowed.stderr


def test_mutual_tls_with_toyctl_probe_and_grpcurl(
    mtls_server: ServerProcess, pki: Pki, grpcurl_bin: str
) -> None:
    client = pki.client("toyctl")
    with_cert = (
        "--ca-file",
        str(pki.ca_file),
        "--cert-file",
        str(client.cert),
        "--key-file",
        str(client.key),
    )
    assert run("toyctl", "-s", mtls_server.address, *with_cert, "list").returncode == 0
    without = run("toyctl", "-s", mtls_server.address, "--ca-file", str(pki.ca_file), "list")
    assert without.returncode == 3
    assert "--cert-file" in without.stderr
    host, port = mtls_server.address.split(":")
    probe = run("toys-probe", "--host", host, "--port", port, *with_cert)
    assert probe.returncode == 0, probe.stderr
    assert (
        run("toys-probe", "--host", host, "--port", port, "--ca-file", str(pki.ca_file)).returncode
        == 1
    )
    tls = ("-cacert", str(pki.ca_file), "-cert", str(client.cert), "-key", str(client.key))
    listed = grpcurl(grpcurl_bin, mtls_server.address, "toys.v1.ToyService/ListToys", tls=tls)
    assert listed.returncode == 0, listed.stderr
    refused = grpcurl(grpcurl_bin, mtls_server.address, "list", tls=("-cacert", str(pki.ca_file)))
    assert refused.returncode != 0
