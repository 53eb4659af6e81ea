"""TLS contexts: the server's, which follows its certificate files as they are rotated, and the
clients' (toyctl, toys-probe).

cert-manager and the like replace certificate files in place. The listening context keeps an
SNI callback (OpenSSL calls it for every handshake, with or without a server name) that hands
each new connection the newest context; connections already open keep theirs, so nothing is
dropped. A rotation that leaves the files unreadable or mismatched is logged and ignored until
the files are whole again.
"""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
from dataclasses import dataclass

log = logging.getLogger("toys.tls")

ALPN = ["h2"]


@dataclass(frozen=True, slots=True)
class ServerTlsFiles:
    cert: str
    key: str
    client_ca: str = ""  # set: clients must present a certificate this CA signed (mTLS)


def server_context(files: ServerTlsFiles) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(files.cert, files.key)
    if files.client_ca:
        context.load_verify_locations(cafile=files.client_ca)
        context.verify_mode = ssl.CERT_REQUIRED
    context.set_alpn_protocols(ALPN)
    return context


def client_context(ca_file: str = "", cert_file: str = "", key_file: str = "") -> ssl.SSLContext:
    """A client context trusting `ca_file` (else the system's CAs), presenting `cert_file`
    and `key_file` when given (mutual TLS)."""
    context = ssl.create_default_context(cafile=ca_file or None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if cert_file:
        context.load_cert_chain(cert_file, key_file or None)
    context.set_alpn_protocols(ALPN)
    return context


def _signature(path: str) -> tuple[int, int, int]:
    stat = os.stat(path)
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


class ReloadingServerTls:
    """The server's TLS: `context` to listen with; `watch()` reloads it when files change."""

    def __init__(self, files: ServerTlsFiles, *, check_interval_s: float = 5.0) -> None:
        self.files = files
        self._interval_s = check_interval_s
        self._current = server_context(files)  # errors here stop the server: nothing to serve
        self._signatures = self._read_signatures()
        self.context = server_context(files)
        self.context.sni_callback = self._hand_out_current
        self.reloads = 0

    def _paths(self) -> list[str]:
        return [p for p in (self.files.cert, self.files.key, self.files.client_ca) if p]

    def _read_signatures(self) -> list[tuple[int, int, int]]:
        return [_signature(path) for path in self._paths()]

    def _hand_out_current(
        self, connection: ssl.SSLObject | ssl.SSLSocket, server_name: str | None, _: ssl.SSLContext
    ) -> None:
        connection.context = self._current

    def reload_if_changed(self) -> bool:
        """Load the files again if any changed since the last load; True when reloaded."""
        try:
            signatures = self._read_signatures()
            if signatures == self._signatures:
                return False
            fresh = server_context(self.files)
        except (OSError, ssl.SSLError, ValueError) as exc:
            log.warning(
                "TLS files changed but cannot be loaded yet (%s); keeping the old ones", exc
            )
            return False
        self._current, self._signatures = fresh, signatures
        self.reloads += 1
        log.info("TLS certificate reloaded from %s", self.files.cert)
        return True

    async def watch(self) -> None:
        """Check the files every interval, forever (cancel to stop)."""
        while True:
            await asyncio.sleep(self._interval_s)
            self.reload_if_changed()
