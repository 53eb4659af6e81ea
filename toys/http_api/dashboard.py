"""The dashboard's page and files (toys/http_api/static/): `/` and `/toys/<id>` are the
page (its script reads the path), `/ui/<file>` its script, style and icon. Plain files, read
once at start, sent with an ETag; no build step and nothing from elsewhere.

Every response carries a Content-Security-Policy that allows this origin's own scripts,
styles and API and nothing else: no inline script or style, no eval, no framing, no form
submission. The page changes nothing (it calls only GetToy, GetToyHistory and WatchToys);
its token lives in the tab's sessionStorage and goes out as `Authorization`, never as a
cookie, so no other site can make the browser call with it.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from typing import Any

from toys.http_api.responses import send_body

CONTENT_TYPES = {
    ".html": b"text/html; charset=utf-8",
    ".js": b"text/javascript; charset=utf-8",
    ".css": b"text/css; charset=utf-8",
    ".svg": b"image/svg+xml",
}
POLICY = (
    b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    b"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", POLICY),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class Dashboard:
    def __init__(self) -> None:
        self._files: dict[str, tuple[bytes, bytes, bytes]] = {}
        for item in resources.files("toys.http_api").joinpath("static").iterdir():
            suffix = "." + item.name.rpartition(".")[2]
            if suffix in CONTENT_TYPES:
                body = item.read_bytes()
                etag = b'"' + hashlib.sha256(body).hexdigest()[:16].encode() + b'"'
                self._files[item.name] = (body, CONTENT_TYPES[suffix], etag)

    def handles(self, path: str) -> bool:
        return path == "/" or path.startswith(("/toys/", "/ui/"))

    async def __call__(self, scope: Any, send: Any) -> bool:
        """Send the file `scope` asks for; False when there is none."""
        path: str = scope["path"]
        name = path[len("/ui/") :] if path.startswith("/ui/") else "index.html"
        found = self._files.get(name)
        if found is None:
            return False
        body, content_type, etag = found
        asked = dict(scope.get("headers", ())).get(b"if-none-match")
        headers = [*HEADERS, (b"etag", etag)]
        if asked == etag:
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return True
        await send_body(send, 200, body, content_type, headers, cache=b"no-cache")
        return True
