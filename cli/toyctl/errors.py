"""toyctl's exit codes and its one error type. Imports nothing heavy."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """What toyctl's exit status means; the README lists the same table."""

    OK = 0
    ERROR = 1  # unexpected: a server-side fault (INTERNAL, UNKNOWN...) or a bug in toyctl
    USAGE = 2  # bad flags or arguments (Click's own code for usage errors)
    UNAVAILABLE = 3  # server down, unreachable, or shutting down
    DEADLINE = 4  # no answer within --timeout
    NOT_FOUND = 5  # no toy with that id
    INVALID = 6  # the server rejected the request as invalid (INVALID_ARGUMENT)
    PRECONDITION = 7  # the toy's state does not allow it (FAILED_PRECONDITION)
    PAYLOAD = 8  # the payload file is unreadable or not a valid Argo callback
    NOT_SERVING = 9  # `toyctl health`: the server answered, but is not SERVING
    DECLINED = 10  # the user answered no at a confirmation prompt
    UNAUTHENTICATED = 11  # no token, or one the server does not know (UNAUTHENTICATED)
    PERMISSION_DENIED = 12  # the token's role may not do this (PERMISSION_DENIED)
    CONDITION = 13  # --for: the toy reached another final status, or was deleted


class ToyctlError(Exception):
    """An error toyctl reports as one line on stderr before exiting with `code`."""

    def __init__(self, code: ExitCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
