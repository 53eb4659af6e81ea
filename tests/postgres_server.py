"""A real PostgreSQL server for the tests, started from the machine's binaries in a temporary
directory on a free port (trust authentication, loopback only).

`initdb` refuses to run as root, so as root the server runs as `nobody`. An external server
can stand in: TOYS_TEST_POSTGRES_DSN (the GitHub workflow's PostgreSQL service) names it.
Where neither is available the tests skip, and fail instead under TOYS_TEST_NO_SKIP=1 (CI).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from tests.support import skip_or_fail

EXTERNAL_DSN_VARIABLE = "TOYS_TEST_POSTGRES_DSN"


def _bindir() -> Path | None:
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """One PostgreSQL cluster in `directory`, stopped and started at will."""

    def __init__(self) -> None:
        bindir = _bindir()
        if bindir is None:
            skip_or_fail("PostgreSQL server binaries (pg_ctl, initdb) are not installed")
        self.bindir = bindir
        # Its own directory: pytest's temporary directories are closed to other users.
        self.directory = Path(tempfile.mkdtemp(prefix="toys-postgres-"))
        self.data = self.directory / "data"
        self.port = _free_port()
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            self._as_user = ["runuser", "-u", "nobody", "--"]

    def _run(self, program: str, *args: str) -> None:
        subprocess.run(
            [*self._as_user, str(self.bindir / program), *args],
            check=True,
            capture_output=True,
            timeout=120,
            cwd="/",
        )

    def initdb(self) -> PostgresServer:
        self.data.mkdir(parents=True)
        if self._as_user:
            nobody = pwd.getpwnam("nobody")
            os.chown(self.directory, nobody.pw_uid, nobody.pw_gid)
            os.chown(self.data, nobody.pw_uid, nobody.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )
        return self

    def start(self) -> PostgresServer:
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
            # A test cluster: speed over durability (the store's own durability is its concern).
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.directory / "log"),
            "-o",
            options,
            "-w",
            "start",
        )
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        """Stop (if running) and delete the cluster."""
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"


async def create_database(admin_dsn: str) -> str:
    """A new, empty database on the server `admin_dsn` reaches; its DSN."""
    import uuid

    import asyncpg

    name = f"toys_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return admin_dsn.rsplit("/", 1)[0] + f"/{name}"
