"""Which database: `--db` or TOYS_DB, or the first line of the file `--db-file` or
TOYS_DB_FILE names (a mounted Secret), so that a password never has to be on a command line."""

from __future__ import annotations

import os
from collections.abc import Mapping


class DatabaseSettingError(ValueError):
    """The database cannot be told from what was given; the message says what to fix."""


def read_db_file(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            value = handle.readline().strip()
    except OSError as exc:
        raise DatabaseSettingError(f"cannot read the database file {path}: {exc.strerror}") from exc
    if not value:
        raise DatabaseSettingError(f"the database file {path} is empty")
    return value


def database(
    db: str | None,
    db_file: str | None,
    environ: Mapping[str, str] | None = None,
    *,
    default: str | None = None,
) -> str:
    """The database named by the flags, else by TOYS_DB or TOYS_DB_FILE, else `default`.
    A flag beats a variable; naming it twice at the same level is an error."""
    env = os.environ if environ is None else environ
    if db is not None and db_file is not None:
        raise DatabaseSettingError("--db and --db-file name the database twice: give one")
    if db is not None:
        return db
    if db_file is not None:
        return read_db_file(db_file)
    if "TOYS_DB" in env and "TOYS_DB_FILE" in env:
        raise DatabaseSettingError("TOYS_DB and TOYS_DB_FILE name the database twice: set one")
    if "TOYS_DB_FILE" in env:
        return read_db_file(env["TOYS_DB_FILE"])
    if "TOYS_DB" in env:
        return env["TOYS_DB"]
    if default is None:
        raise DatabaseSettingError("no database: pass --db (or --db-file), or set TOYS_DB")
    return default
