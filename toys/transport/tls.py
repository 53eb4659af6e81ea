"""TLS contexts: the server's, which follows its certificate files as they are rotated, and the
clients' (toyctl, toys-probe).

cert-manager and the like replace certificate files in place. The listening context keeps an
SNI callback (OpenSSL calls it for every handshake, with or without a server name) that hands
each new connection the newest context; connections already open keep theirs, so nothing is
dropped. A rotation that leaves the certificate or key unreadable or mismatched is logged and
ignored until the files are whole again. A client CA file (mutual TLS) that cannot be read
fails closed instead: new handshakes are refused until it loads, since keeping the old one
would keep trusting a CA that its rotation meant to drop.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass

from toys.config.watched_files import WatchedFiles

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


class ReloadingServerTls:
    """The server's TLS: `context` to listen with, which hands each handshake the context
    loaded from the files as they were at the last check (`files.reload_if_changed()`)."""

    def __init__(self, files: ServerTlsFiles) -> None:
        self._client_ca = files.client_ca
        self.files: WatchedFiles[ssl.SSLContext | None] = WatchedFiles(
            [p for p in (files.cert, files.key, files.client_ca) if p],
            lambda: server_context(files),
            what=f"TLS certificate {files.cert}",
            errors=(OSError, ssl.SSLError, ValueError),
            degrade=self._refuse_if_trust_is_gone,
        )
        self.context = server_context(files)
        self.context.sni_callback = self._hand_out_current

    def _refuse_if_trust_is_gone(
        self, current: ssl.SSLContext | None, error: Exception
    ) -> tuple[ssl.SSLContext | None, str] | None:
        if not self._client_ca:
            return None
        try:
            ssl.create_default_context(cafile=self._client_ca)
        except (OSError, ssl.SSLError, ValueError):
            return None, f"every new TLS connection is refused (client CA {self._client_ca})"
        return None if current is not None else (None, "new TLS connections stay refused")

    def _hand_out_current(
        self, connection: ssl.SSLObject | ssl.SSLSocket, server_name: str | None, _: ssl.SSLContext
    ) -> int | None:
        current = self.files.value
        if current is None:
            return ssl.ALERT_DESCRIPTION_ACCESS_DENIED
        connection.context = current
        return None
