"""`toys-server token new --role ROLE [--name NAME] [--append FILE] [--token-file FILE]`: a new
bearer token.

The token goes to stdout, or into --token-file (made readable by its owner only), and nowhere
else: give it to the client (a Kubernetes Secret, say). The access-file line, which holds only
the token's hash, goes to stderr and is all that goes there, so that `2>> access` appends
exactly the line; or --append adds it to the file itself.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from toys.auth.credentials import new_token, token_hash
from toys.auth.roles import Role


def _append(path: str, line: str) -> None:
    """`line` at the end of the access file, on a line of its own (made 0600 if new)."""
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(descriptor, "r+", encoding="utf-8") as handle:
        handle.seek(0, os.SEEK_END)
        if handle.tell():
            handle.seek(handle.tell() - 1)
            if handle.read(1) != "\n":  # a file whose last line has no newline yet
                line = "\n" + line
        handle.write(line + "\n")


def _write_token(path: str, token: str) -> None:
    """The token in a new file only its owner may read; an existing file is never replaced."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="toys-server token",
        description="Make a bearer token: the token on stdout (or in --token-file), its "
        "access-file line on stderr (or appended to --append).",
    )
    verbs = parser.add_subparsers(dest="verb", required=True)
    new = verbs.add_parser("new", help="make a new token")
    new.add_argument("--role", required=True, choices=[role.value for role in Role])
    new.add_argument("--name", help="who holds it, for logs and audit (default: the role)")
    new.add_argument("--append", metavar="FILE", help="append the line to this access file")
    new.add_argument(
        "--token-file",
        metavar="FILE",
        help="write the token to this new file, readable by its owner only (not to stdout)",
    )
    args = parser.parse_args(argv)
    name = args.name or args.role
    if any(ch.isspace() for ch in name) or not name:
        parser.error("--name must be one word")
    token = new_token()
    line = f"{name} {args.role} {token_hash(token)}"
    try:
        if args.token_file:
            _write_token(args.token_file, token)
        if args.append:
            _append(args.append, line)
    except FileExistsError:
        print(f"toys-server token: {args.token_file} exists; nothing was written", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"toys-server token: {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 1
    if not args.append:
        print(line, file=sys.stderr)
    if not args.token_file:
        print(token)
    return 0
