"""`toys-server token new --role ROLE [--name NAME] [--append FILE]`: a new bearer token.

The token goes to stdout and nowhere else (give it to the client, e.g. as a Kubernetes Secret);
the access-file line, which holds only the token's hash, goes to stderr or is appended to FILE.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from toys.auth.credentials import new_token, token_hash
from toys.auth.roles import Role


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="toys-server token",
        description="Make a bearer token: the token on stdout, its access-file line on stderr.",
    )
    verbs = parser.add_subparsers(dest="verb", required=True)
    new = verbs.add_parser("new", help="make a new token")
    new.add_argument("--role", required=True, choices=[role.value for role in Role])
    new.add_argument("--name", help="who holds it, for logs and audit (default: the role)")
    new.add_argument("--append", metavar="FILE", help="append the line to this access file")
    args = parser.parse_args(argv)
    name = args.name or args.role
    if any(ch.isspace() for ch in name) or not name:
        parser.error("--name must be one word")
    token = new_token()
    line = f"{name} {args.role} {token_hash(token)}"
    if args.append:
        with open(args.append, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
        print(f"appended to {args.append}: {line}", file=sys.stderr)
    else:
        print(f"add this line to the access file:\n{line}", file=sys.stderr)
    print(token)
    return 0
