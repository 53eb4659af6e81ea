"""What an admin command refuses to do, each with its own exit status (README: "Moving,
backing up and restoring"): one line on stderr, nothing created, changed or emptied."""

from __future__ import annotations

import enum


class AdminExit(enum.IntEnum):
    OK = 0
    FAILED = 1  # the database failed: cannot connect, I/O error, newer schema, bad backup
    USAGE = 2
    NO_SOURCE = 3  # the source (or the database to migrate or back up) does not exist
    SAME_DATABASE = 4
    TARGET_HOLDS_DATA = 5  # toys in the target, or a file where the backup would go
    EMPTY_SOURCE = 6  # --force from an empty source would only empty the target


class Refused(Exception):
    def __init__(self, code: AdminExit, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
