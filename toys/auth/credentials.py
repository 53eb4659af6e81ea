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
        tokens: dict[str, Principal] = {}
        certificates: dict[str, Principal] = {}
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            if len(parts) != 3:
                raise AccessFileError(f"{source}:{number}: expected NAME ROLE CREDENTIAL")
            name, role_text, credential = parts
            try:
                role = Role(role_text)
            except ValueError:
                allowed = ", ".join(Role)
                raise AccessFileError(
                    f"{source}:{number}: role {role_text!r} is not one of {allowed}"
                ) from None
            if credential.startswith("sha256:"):
                digest = credential.removeprefix("sha256:")
                if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                    raise AccessFileError(f"{source}:{number}: sha256: takes 64 hex digits")
                tokens[credential] = Principal(name, role)
            elif credential.startswith(_CERT_KINDS):
                certificates[credential] = Principal(name, role)
            else:
                raise AccessFileError(
                    f"{source}:{number}: the credential must start with sha256:, "
                    "subject:CN=, dns: or uri:"
                )
        return cls(tokens, certificates)

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


def read_access_file(path: str) -> Credentials:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise AccessFileError(f"{path}: cannot be read: {exc}") from None
    return Credentials.parse(text, path)
