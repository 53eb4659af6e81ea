"""Certificates made for a test: a CA, a server certificate for localhost, client certificates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import trustme


@dataclass(frozen=True)
class CertFiles:
    cert: Path
    key: Path


@dataclass(frozen=True)
class Pki:
    ca: trustme.CA
    ca_file: Path
    server: CertFiles
    directory: Path

    def client(self, name: str) -> CertFiles:
        """A client certificate whose subject CN is `name` (and DNS SAN `name.clients.test`)."""
        return _write(
            self.ca.issue_cert(f"{name}.clients.test", common_name=name), self.directory, name
        )


def _write(leaf: trustme.LeafCert, directory: Path, stem: str) -> CertFiles:
    cert, key = directory / f"{stem}.pem", directory / f"{stem}-key.pem"
    with cert.open("wb") as out:
        for pem in leaf.cert_chain_pems:
            out.write(pem.bytes())
    leaf.private_key_pem.write_to_path(str(key))
    return CertFiles(cert, key)


def make_pki(directory: Path, name: str = "ca") -> Pki:
    directory.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA()
    ca_file = directory / f"{name}.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    server = _write(ca.issue_cert("localhost", "127.0.0.1"), directory, f"{name}-server")
    return Pki(ca, ca_file, server, directory)
