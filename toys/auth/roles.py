"""Roles and the methods each may call. Health, reflection and ToyService/HealthCheck are open
to all, so that probes and grpcurl's discovery work without credentials."""

from __future__ import annotations

import enum

SERVICE = "/toys.v1.ToyService/"


class Role(enum.StrEnum):
    READER = "reader"
    WRITER = "writer"
    CALLBACK = "callback"
    ADMIN = "admin"


_READ = frozenset({"GetToy", "ListToys", "WatchToys", "GetToyHistory"})
_WRITE = frozenset({"CreateToy", "DeleteToy", "ResetToy"})
_CALLBACK = frozenset({"UpdateManufactureStatus"})
OPEN_METHODS = frozenset({f"{SERVICE}HealthCheck"})
MUTATING_METHODS = frozenset(f"{SERVICE}{name}" for name in _WRITE | _CALLBACK)

METHODS_OF_ROLE: dict[Role, frozenset[str]] = {
    Role.READER: _READ,
    Role.WRITER: _READ | _WRITE,
    Role.CALLBACK: _CALLBACK,
    Role.ADMIN: _READ | _WRITE | _CALLBACK,
}


def is_protected(method: str) -> bool:
    """ToyService's methods need credentials; everything else (health, reflection) is open."""
    return method.startswith(SERVICE) and method not in OPEN_METHODS


def allows(role: Role, method: str) -> bool:
    return method.removeprefix(SERVICE) in METHODS_OF_ROLE[role]


def roles_allowing(method: str) -> list[Role]:
    return [role for role in Role if allows(role, method)]
