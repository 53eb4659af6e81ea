"""A server run at DEBUG writes no token it was shown, valid or not, through any logger."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support import ServerProcess, grpcurl, grpcurl_path, skip_or_fail
from toys.auth.credentials import new_token, token_hash

BIN = Path(sys.executable).parent


def test_no_token_reaches_the_log_at_debug(tmp_path: Path) -> None:
    known, unknown = new_token(), new_token()
    access = tmp_path / "access"
    access.write_text(f"ops writer {token_hash(known)}\n")
    server = ServerProcess(
        db=tmp_path / "toys.db",
        extra_env={"TOYS_ACCESS_FILE": str(access), "TOYS_LOG_LEVEL": "DEBUG"},
    ).start()
    try:
        for token in (known, unknown):
            subprocess.run(
                [str(BIN / "toyctl"), "-s", server.address, "manufacture", "--name", "Car"],
                capture_output=True,
                timeout=60,
                check=False,
                env={**os.environ, "TOYCTL_TOKEN": token},
            )
        binary = grpcurl_path()
        if binary is None:
            skip_or_fail("grpcurl does not run on this machine")
        grpcurl(
            binary,
            server.address,
            "toys.v1.ToyService/ListToys",
            headers=(f"authorization: Bearer {known}",),
        )
    finally:
        server.stop()
    log = "\n".join(server.lines)
    assert "DEBUG" in log  # it really ran at DEBUG
    assert "CreateToy" in log
    assert known not in log
    assert unknown not in log
