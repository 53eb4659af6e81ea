"""Who may do what in the tests: a token per role, what each role may call, and the access
file (the `access_file` fixture, tests/integration/conftest.py) that says so."""

from __future__ import annotations

from pathlib import Path

from grpclib.const import Status

from toys.auth.credentials import new_token, token_hash
from toys.auth.roles import Role

METHODS = frozenset(
    {
        "CreateToy",
        "GetToy",
        "ListToys",
        "DeleteToy",
        "ResetToy",
        "UpdateManufactureStatus",
        "HealthCheck",
        "WatchToys",
        "GetToyHistory",
    }
)
ALLOWED = {
    Role.READER: {"GetToy", "ListToys", "WatchToys", "GetToyHistory", "HealthCheck"},
    Role.WRITER: {
        "GetToy",
        "ListToys",
        "WatchToys",
        "GetToyHistory",
        "CreateToy",
        "DeleteToy",
        "ResetToy",
        "HealthCheck",
    },
    Role.CALLBACK: {"UpdateManufactureStatus", "HealthCheck"},
    Role.ADMIN: set(METHODS),
}
TOKENS = {role: new_token() for role in Role}


def write_access_file(path: Path) -> Path:
    path.write_text(
        "# name role credential\n"
        + "".join(f"{role}-holder {role} {token_hash(token)}\n" for role, token in TOKENS.items())
        + "batch writer subject:CN=batch\n"
    )
    return path


def assert_role_decides(role: Role, method: str, status: Status) -> None:
    """`status` is what the role table says `role` gets from `method`: anything but a
    refusal when it may call it, PERMISSION_DENIED when not."""
    if method in ALLOWED[role]:
        assert status not in (Status.PERMISSION_DENIED, Status.UNAUTHENTICATED), method
    else:
        assert status is Status.PERMISSION_DENIED, method
