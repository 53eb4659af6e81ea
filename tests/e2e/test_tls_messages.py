"""What toyctl says when TLS or a token is set up wrong: each one line that names the fix."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pki import Pki, make_pki
from tests.support import ServerProcess
from toys.auth.credentials import new_token, token_hash

BIN = Path(sys.executable).parent
KNOWN = new_token()


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, pki: Pki) -> Iterator[ServerProcess]:
    directory = tmp_path_factory.mktemp("messages")
    (directory / "access").write_text(f"ops reader {token_hash(KNOWN)}\n")
    started = ServerProcess(
        db=directory / "toys.db",
        extra_env={
            "TOYS_TLS_CERT": str(pki.server.cert),
            "TOYS_TLS_KEY": str(pki.server.key),
            "TOYS_ACCESS_FILE": str(directory / "access"),
        },
    ).start()
    try:
        yield started
    finally:
        started.kill()


def toyctl(server: ServerProcess, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TOYCTL_")}
    return subprocess.run(
        [str(BIN / "toyctl"), "-s", server.address, *args, "list"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**clean, **env},
    )


def test_no_token_names_where_toyctl_takes_one(server: ServerProcess, pki: Pki) -> None:
    result = toyctl(server, "--ca-file", str(pki.ca_file), "--server-name", "localhost")
    assert result.returncode == 11
    assert "TOYCTL_TOKEN" in result.stderr
    assert "--token-file" in result.stderr


def test_a_plaintext_client_is_told_the_server_speaks_tls(server: ServerProcess) -> None:
    result = toyctl(server)
    assert result.returncode == 3
    assert "speaks TLS" in result.stderr
    assert "--ca-file" in result.stderr


def test_a_name_the_certificate_does_not_hold_is_called_a_mismatch(
    server: ServerProcess, pki: Pki
) -> None:
    result = toyctl(server, "--ca-file", str(pki.ca_file), "--server-name", "toys.example")
    assert result.returncode == 3
    assert "not for 'toys.example'" in result.stderr
    assert "--server-name" in result.stderr


def test_a_certificate_without_its_key_asks_for_the_key(server: ServerProcess, pki: Pki) -> None:
    client = pki.client("batch")
    result = toyctl(server, "--ca-file", str(pki.ca_file), "--cert-file", str(client.cert))
    assert result.returncode == 2
    assert "holds no private key" in result.stderr
    assert "--key-file" in result.stderr
    assert "PEM lib" not in result.stderr


def test_every_message_is_one_line(server: ServerProcess, pki: Pki) -> None:
    for args in ([], ["--ca-file", str(pki.ca_file), "--server-name", "toys.example"]):
        assert len(toyctl(server, *args).stderr.splitlines()) == 1
