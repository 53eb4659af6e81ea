"""Values behind toyctl's options and how text becomes them, in a module that imports nothing
heavy. Every parser raises typer.BadParameter in one wording: what was given, what is allowed."""

from __future__ import annotations

import enum
from typing import NamedTuple

import typer

from toys.config.defaults import DEFAULT_PORT

DEFAULT_SERVER = f"localhost:{DEFAULT_PORT}"
DEFAULT_TIMEOUT_S = 10.0
MAX_TIMEOUT_S = 3600.0
MIN_TIMEOUT_S = 0.1


# NamedTuples, not frozen dataclasses: the same immutable values, made in a tenth of the time
# (each dataclass cost every command ~1 ms to create at import).
class Security(NamedTuple):
    """TLS and the bearer token. Any CA, certificate or server name turns TLS on."""

    tls: bool = False
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""
    server_name: str = ""
    token: str = ""  # a secret: never printed (see __repr__)

    def __repr__(self) -> str:
        shown = [f"{name}={value!r}" for name, value in self._asdict().items() if name != "token"]
        return f"Security({', '.join([*shown, f'token={"***" if self.token else ""!r}'])})"


class Target(NamedTuple):
    """Where, how patiently and as whom to call: `host:port`, each call's deadline, TLS and
    the token."""

    server: str
    timeout: float
    security: Security = Security()


class Output(enum.StrEnum):
    """-o/--output: how commands that show toys print them."""

    TABLE = "table"
    WIDE = "wide"
    JSON = "json"
    YAML = "yaml"
    NAME = "name"


class StatusFilter(enum.StrEnum):
    """--status: the manufacture statuses a user can filter on."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    ERROR = "ERROR"

    @property
    def proto_name(self) -> str:
        """The value's name in toys.v1.ManufactureStatus."""
        return f"MANUFACTURE_STATUS_{self.value}"


class Shell(enum.StrEnum):
    """The shells toyctl completes in."""

    BASH = "bash"
    ZSH = "zsh"
    FISH = "fish"


def _one_of[E: enum.StrEnum](kind: type[E], text: str, aliases: dict[str, E] | None = None) -> E:
    key = text.strip().casefold()
    for member in kind:
        if key == member.value.casefold():
            return member
    if aliases and key in aliases:
        return aliases[key]
    allowed = ", ".join(member.value for member in kind)
    raise typer.BadParameter(f"{text!r} is not one of {allowed}")


def parse_output(text: str) -> Output:
    return _one_of(Output, text)


_PROTO_STATUS_NAMES = {f"manufacture_status_{s.value.casefold()}": s for s in StatusFilter}


def parse_status(text: str) -> StatusFilter:
    """FAILED, failed, Failed or the proto's MANUFACTURE_STATUS_FAILED."""
    return _one_of(StatusFilter, text, _PROTO_STATUS_NAMES)


def parse_shell(text: str) -> Shell:
    return _one_of(Shell, text)


def parse_timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not MIN_TIMEOUT_S <= value <= MAX_TIMEOUT_S:
        raise typer.BadParameter(
            f"{text!r} is not a number of seconds from {MIN_TIMEOUT_S:g} to {MAX_TIMEOUT_S:g}"
        )
    return value


def parse_limit(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise typer.BadParameter(f"{text!r} is not a whole number of toys, 1 or more")
    return int(text)


def _offered[E: enum.StrEnum](kind: type[E], incomplete: str, prefix: str = "") -> list[str]:
    """The values of `kind` that complete `incomplete`, each after `prefix`, in the case being
    typed (`su` offers `succeeded`: shells keep only what starts with the typed text)."""
    typed = incomplete[len(prefix) :] if incomplete.startswith(prefix) else ""
    lower = typed.islower()
    return [
        f"{prefix}{member.value.lower() if lower else member.value}"
        for member in kind
        if f"{prefix}{member.value}".casefold().startswith(incomplete.casefold())
    ]


def complete_status(incomplete: str) -> list[str]:
    return _offered(StatusFilter, incomplete)


def complete_output(incomplete: str) -> list[str]:
    return _offered(Output, incomplete)


def complete_condition(incomplete: str) -> list[str]:
    return _offered(StatusFilter, incomplete, prefix="status=")


def parse_condition(text: str) -> StatusFilter:
    """--for: `status=SUCCEEDED` (the status a toy must reach), as `kubectl wait --for` reads."""
    key, _, value = text.partition("=")
    if key.strip().casefold() != "status" or not value:
        raise typer.BadParameter(f"{text!r} is not status=STATUS (e.g. status=SUCCEEDED)")
    return parse_status(value)
