"""The README's Security recipes, run as written: the certificates openssl makes serve mutual
TLS, and the token commands leave an access file the server reads and token files only their
owner may read."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.readme import blocks
from tests.support import ServerProcess, require_tool
from toys.auth.credentials import read_access_file

BIN = Path(sys.executable).parent


def _block_with(marker: str) -> str:
    """The first `sh` block holding `marker` (the Security section's, before any other)."""
    return next(block.body for block in blocks() if marker in block.body and block.info == "sh")


def _bash(script: str, directory: Path) -> None:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=directory,
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )


def _toyctl(server: ServerProcess, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "toyctl"), "-s", f"localhost:{server.port}", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **env},
    )


def test_the_token_recipe_makes_a_readable_access_file_and_private_tokens(
    tmp_path: Path,
) -> None:
    _bash(_block_with("toys-server token new --role callback --name argo --append"), tmp_path)
    credentials = read_access_file(str(tmp_path / "access"))  # refuses a stray prose line
    assert {p.name for p in credentials.tokens.values()} == {"argo", "ops"}
    for token in ("argo.token", "ops.token"):
        assert stat.S_IMODE((tmp_path / token).stat().st_mode) == 0o600, token
    server = ServerProcess(
        db=tmp_path / "toys.db", extra_env={"TOYS_ACCESS_FILE": str(tmp_path / "access")}
    ).start()
    try:
        listed = _toyctl(server, "list", TOYCTL_TOKEN_FILE=str(tmp_path / "ops.token"))
    finally:
        server.stop()
    assert listed.returncode == 0, listed.stderr


def test_the_certificate_recipe_serves_mutual_tls(tmp_path: Path) -> None:
    require_tool("openssl")
    _bash(_block_with("openssl req -x509"), tmp_path)
    (tmp_path / "access").write_text("batch-job writer subject:CN=batch-job\n")
    server = ServerProcess(
        db=tmp_path / "toys.db",
        extra_env={
            "TOYS_TLS_CERT": str(tmp_path / "server.pem"),
            "TOYS_TLS_KEY": str(tmp_path / "server-key.pem"),
            "TOYS_TLS_CLIENT_CA": str(tmp_path / "ca.pem"),
            "TOYS_ACCESS_FILE": str(tmp_path / "access"),
        },
    ).start()
    try:
        made = _toyctl(
            server,
            "--ca-file",
            str(tmp_path / "ca.pem"),
            "--cert-file",
            str(tmp_path / "client.pem"),
            "--key-file",
            str(tmp_path / "client-key.pem"),
            "manufacture",
            "--name",
            "Car",
        )
    finally:
        server.stop()
    assert made.returncode == 0, made.stderr
