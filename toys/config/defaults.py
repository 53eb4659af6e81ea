"""Defaults that the server, its probe and toyctl must agree on."""

from __future__ import annotations

DEFAULT_PORT = 50051
