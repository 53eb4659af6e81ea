"""`toys-server migrate`, `copy` and `backup`: parsing, the refusals, exit statuses.

migrate applies the schema migrations and exits, for a Kubernetes Job or init container, so
that servers can start with --no-migrate. copy moves every toy, with the callbacks it
remembers, from one store to another (SQLite to PostgreSQL, or back; a backup to its store),
in one transaction. backup copies a running SQLite store to a file. Each takes its database
from flags, TOYS_DB or a file (TOYS_DB_FILE, a mounted Secret), never only a command line.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path

from toys.config.database import DatabaseSettingError, database, read_db_file
from toys.domain import ToyError
from toys.process.admin.backup import backup
from toys.process.admin.progress import Tally, progress
from toys.process.admin.refusals import AdminExit, Refused
from toys.process.admin.sources import identity, open_source
from toys.stores.opening import StoreOptions, is_postgres, open_store, redacted
from toys.stores.records import PlainRow
from toys.stores.sqlite import MEMORY


def _existing(db: str, *, create: bool) -> str:
    """`db`, unless it is a SQLite file that does not exist (and may not be made)."""
    if not is_postgres(db) and db != MEMORY and not create and not os.path.exists(db):
        raise Refused(
            AdminExit.NO_SOURCE,
            f"{db} does not exist; nothing was created (a server creates its database when "
            "it starts; pass --create to make it now)",
        )
    return db


async def _migrate(db: str) -> str:
    versions: list[int] = []  # the one found, then each one applied
    with progress("migrating", 0, "schema versions") as tally:

        def on_version(version: int, target: int) -> None:
            if not versions:
                tally.set_total(target - version)
            else:
                tally.advance()
            versions.append(version)

        store = await open_store(db, StoreOptions(migrate=True, on_version=on_version))
        await store.close()
    if len(versions) > 1:
        return f"{redacted(db)} migrated from schema {versions[0]} to {versions[-1]}"
    return f"{redacted(db)} is at the current schema ({versions[0]})"


async def _copy(source_db: str, target_db: str, *, force: bool, allow_empty: bool) -> str:
    source_id = await identity(source_db)
    if source_id is not None and source_id == await identity(target_db):
        raise Refused(
            AdminExit.SAME_DATABASE,
            f"{redacted(source_db)} and {redacted(target_db)} are the same database; "
            "nothing was copied",
        )
    source = await open_source(source_db)
    try:
        total = await source.count()
        target = await open_store(target_db)
        try:
            present = await target.count()
            if present and not force:
                raise Refused(
                    AdminExit.TARGET_HOLDS_DATA,
                    f"{redacted(target_db)} already holds {present} toys; nothing was copied "
                    "(pass --force to replace them)",
                )
            if present and not total and not allow_empty:
                raise Refused(
                    AdminExit.EMPTY_SOURCE,
                    f"{redacted(source_db)} holds no toys: --force would only empty "
                    f"{redacted(target_db)} ({present} toys); nothing was changed (pass "
                    "--allow-empty-source too if that is what you want)",
                )
            # Above every revision the target had: a server still running on the target
            # cannot take a copied toy for a state it cached (toys.core.by_revision).
            offset = await target.max_revision() if present else 0
            with progress("copying", total, "toys") as tally:
                copied = await target.load(
                    _counted(source.batches(offset), tally), replace=bool(present)
                )
            if await target.count() != copied:
                raise ToyError("the target's count disagrees after the copy; run it again")
        finally:
            await target.close()
    finally:
        await source.close()
    return f"{copied} toys from {redacted(source_db)} to {redacted(target_db)}"


async def _counted(
    batches: AsyncIterator[Sequence[PlainRow]], tally: Tally
) -> AsyncIterator[Sequence[PlainRow]]:
    async for batch in batches:
        yield batch
        tally.advance(len(batch))


def _parser(command: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"toys-server {command}",
        epilog="Exit status: 0 done; 1 the database failed; 2 bad usage; 3 the source does "
        "not exist; 4 source and target are the same; 5 the target holds data (--force); 6 "
        "--force from an empty source (--allow-empty-source).",
    )
    if command in ("migrate", "backup"):
        parser.add_argument("--db", help="SQLite file or postgresql:// URL [env TOYS_DB]")
        parser.add_argument(
            "--db-file", metavar="PATH", help="read --db from this file [env TOYS_DB_FILE]"
        )
    if command == "migrate":
        parser.description = "Bring the database's schema up to date, then exit."
        parser.add_argument(
            "--create", action="store_true", help="make a SQLite file that does not exist"
        )
    elif command == "backup":
        parser.description = (
            "Copy a SQLite store, even while a server runs on it, to a checked file "
            "(restore it with `toys-server copy --from FILE --to DB --force`)."
        )
        parser.add_argument("--to", required=True, type=Path, metavar="FILE")
        parser.add_argument("--force", action="store_true", help="replace FILE if it exists")
    else:
        parser.description = (
            "Copy every toy (and the callbacks each remembers) between stores, either way, "
            "in one transaction. The source is only read. A target that already holds toys "
            "is left alone unless --force replaces them."
        )
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--from", dest="source", metavar="DB")
        source.add_argument("--from-file", metavar="PATH", help="read --from from this file")
        parser.add_argument("--to", dest="target", metavar="DB", help="[env TOYS_DB]")
        parser.add_argument(
            "--to-file", metavar="PATH", help="read --to from this file [env TOYS_DB_FILE]"
        )
        parser.add_argument("--force", action="store_true", help="replace the target's toys")
        parser.add_argument(
            "--allow-empty-source",
            action="store_true",
            help="with --force, copy even from a source without toys (emptying the target)",
        )
    return parser


def _run(command: str, args: argparse.Namespace) -> str:
    if command == "migrate":
        db = _existing(database(args.db, args.db_file), create=args.create)
        return asyncio.run(_migrate(db))
    if command == "backup":
        db = database(args.db, args.db_file)
        pages = backup(db, args.to, force=args.force)
        return f"{redacted(db)} backed up to {args.to} ({pages} pages, integrity checked)"
    source = args.source if args.source is not None else read_db_file(args.from_file)
    target = database(args.target, args.to_file)
    return asyncio.run(_copy(source, target, force=args.force, allow_empty=args.allow_empty_source))


def main(command: str, argv: Sequence[str]) -> int:
    args = _parser(command).parse_args(argv)
    say: Callable[[str], None] = lambda line: print(f"toys-server {command}: {line}")  # noqa: E731
    try:
        say(_run(command, args))
    except Refused as exc:
        print(f"toys-server {command}: {exc.message}", file=sys.stderr)
        return exc.code
    except DatabaseSettingError as exc:
        print(f"toys-server {command}: {exc}", file=sys.stderr)
        return AdminExit.USAGE
    except (ToyError, OSError, RuntimeError) as exc:
        message = exc.message if isinstance(exc, ToyError) else str(exc)
        print(f"toys-server {command}: {message}", file=sys.stderr)
        return AdminExit.FAILED
    return AdminExit.OK
