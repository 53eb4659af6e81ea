"""Resume tokens: a position in the store's change log, opaque and bound to the store.

A token is a version byte and the change's sequence, then an HMAC-SHA256 of them under the
database's deployment key (truncated to 64 bits), base64url. Every server on one database
reads every other's tokens; a token from another database, or edited, is refused unread.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import struct

from toys.core.page_tokens import b64url_decode, b64url_encode
from toys.domain import InvalidArgument

_VERSION = 1
_MAC_BYTES = 8
_PAYLOAD = struct.Struct(">BQ")
MAX_TOKEN_LENGTH = 64


def _refused() -> InvalidArgument:
    return InvalidArgument("resume_token", "is not a token of this store's watches")


class ResumeTokens:
    def __init__(self, key: bytes) -> None:
        self._key = hashlib.sha256(b"toys resume tokens\x00" + key).digest()

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, sequence: int) -> str:
        payload = _PAYLOAD.pack(_VERSION, sequence)
        return b64url_encode(payload + self._mac(payload))

    def decode(self, token: str) -> int:
        """The sequence in `token`; InvalidArgument when it is not one of ours."""
        if len(token) > MAX_TOKEN_LENGTH:
            raise _refused()
        try:
            raw = b64url_decode(token)
        except (binascii.Error, ValueError) as exc:
            raise _refused() from exc
        payload, mac = raw[: _PAYLOAD.size], raw[_PAYLOAD.size :]
        if len(payload) != _PAYLOAD.size or not hmac.compare_digest(mac, self._mac(payload)):
            raise _refused()
        version, sequence = _PAYLOAD.unpack(payload)
        if version != _VERSION:
            raise _refused()
        return int(sequence)
