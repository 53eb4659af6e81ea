"""The access file: who each credential is and which role it has. Never a token in clear.

One credential per line, `NAME ROLE CREDENTIAL`; `#` starts a comment. CREDENTIAL is
`sha256:HEX`, the SHA-256 of a bearer token (`toys-server token new` prints a token and its
line), or, for clients with a certificate (mutual TLS), one of `subject:CN=NAME`,
`dns:NAME` or `uri:URI`, matched against the certificate's subject common name or its
subject alternative names. A token is 256 random bits, so a plain SHA-256 of it is as hard to
reverse as the token is to guess; the file can be read by anyone who may read the server's
configuration without giving away a credential.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass, field
from typing import Any

from toys.auth.roles import Role

# toy-factory token: a prefix that secret scanners can recognise; not a secret itself.
TOKEN_PREFIX = "tft_"  # noqa: S105
_CERT_KINDS = ("subject:CN=", "dns:", "uri:")


class AccessFileError(Exception):
    """The access file cannot be used; the message names the line."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a caller is, as the access file names them, and their role."""

    name: str
    role: Role


def new_token() -> str:
    return TOKEN_PREFIX + base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


def token_hash(token: str) -> str:
    return "sha256:" + hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Credentials:
    """The parsed access file."""

    tokens: dict[str, Principal] = field(default_factory=dict)  # "sha256:HEX" -> principal
    certificates: dict[str, Principal] = field(default_factory=dict)  # "dns:x" -> principal

    @classmethod
    def parse(cls, text: str, source: str) -> Credentials:
        """Every line, or AccessFileError naming the first bad one."""
        found, problems = cls.parse_lines(text, source)
        if problems:
            raise AccessFileError(problems[0])
        return found

    @classmethod
    def parse_lines(cls, text: str, source: str) -> tuple[Credentials, list[str]]:
        """The good lines, and what is wrong with each of the others."""
        found = cls()
        problems: list[str] = []
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            try:
                credential, principal = _parse_line(line)
            except ValueError as exc:
                problems.append(f"{source}:{number}: {exc}")
                continue
            kind = found.tokens if credential.startswith("sha256:") else found.certificates
            kind[credential] = principal
        return found, problems

    def retaining(self, other: Credentials) -> Credentials:
        """Only the credentials that `other` holds too, with the same name and role: what is
        left when removals are applied but no addition or change is."""
        return Credentials(
            {k: p for k, p in self.tokens.items() if other.tokens.get(k) == p},
            {k: p for k, p in self.certificates.items() if other.certificates.get(k) == p},
        )

    def __len__(self) -> int:
        return len(self.tokens) + len(self.certificates)

    def by_token(self, token: str) -> Principal | None:
        wanted = token_hash(token)
        for known, principal in self.tokens.items():
            if hmac.compare_digest(known, wanted):
                return principal
        return None

    def by_certificate(self, cert: dict[str, Any] | None) -> Principal | None:
        for credential in certificate_names(cert):
            if credential in self.certificates:
                return self.certificates[credential]
        return None


def _parse_line(line: str) -> tuple[str, Principal]:
    parts = line.split()
    if len(parts) != 3:
        raise ValueError("expected NAME ROLE CREDENTIAL")
    name, role_text, credential = parts
    try:
        role = Role(role_text)
    except ValueError:
        raise ValueError(f"role {role_text!r} is not one of {', '.join(Role)}") from None
    if credential.startswith("sha256:"):
        digest = credential.removeprefix("sha256:")
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError("sha256: takes 64 hex digits")
    elif not credential.startswith(_CERT_KINDS):
        raise ValueError("the credential must start with sha256:, subject:CN=, dns: or uri:")
    return credential, Principal(name, role)


def certificate_names(cert: dict[str, Any] | None) -> list[str]:
    """The credentials a peer certificate (ssl's getpeercert()) answers to."""
    if not cert:
        return []
    names = [
        f"subject:CN={value}"
        for rdn in cert.get("subject", ())
        for key, value in rdn
        if key == "commonName"
    ]
    for kind, value in cert.get("subjectAltName", ()):
        if kind in ("DNS", "URI"):
            names.append(f"{kind.lower()}:{value}")
    return names


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise AccessFileError(f"{path}: cannot be read: {exc}") from None


def read_access_file(path: str) -> Credentials:
    return Credentials.parse(_read(path), path)


def removals_only(path: str, current: Credentials) -> Credentials:
    """What stays of `current` when the file at `path` is broken or gone: the credentials
    its good lines still hold, unchanged (none, when it cannot be read at all). Revocation
    fails closed: removing a line always takes effect, whatever else is wrong."""
    try:
        text = _read(path)
    except AccessFileError:
        return Credentials()
    still, _ = Credentials.parse_lines(text, path)
    return current.retaining(still)
