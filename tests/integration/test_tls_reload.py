"""Rotated certificate files take effect for new connections; open ones keep working."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from grpclib.client import Channel

from tests.pki import make_pki
from tests.support import serving
from toys._generated.toys import v1 as pb
from toys.transport.tls import client_context


async def _create(channel: Channel) -> None:
    await pb.ToyServiceStub(channel).create_toy(pb.CreateToyRequest(name="Car"), timeout=10)


async def test_rotated_files_serve_new_connections_without_dropping_old_ones(
    tmp_path: Path,
) -> None:
    first, second = make_pki(tmp_path / "first", "one"), make_pki(tmp_path / "second", "two")
    live = tmp_path / "live"
    live.mkdir()
    cert, key = live / "tls.crt", live / "tls.key"
    shutil.copy(first.server.cert, cert)
    shutil.copy(first.server.key, key)
    trusts_first = client_context(str(first.ca_file))
    async with serving(
        tmp_path / "toys.db", tls_cert=str(cert), tls_key=str(key), channel_tls=trusts_first
    ) as (server, old):
        await _create(old)
        # cert-manager's way: new files written beside, then renamed over the old ones.
        for source, target in ((second.server.cert, cert), (second.server.key, key)):
            shutil.copy(source, f"{target}.new")
            os.replace(f"{target}.new", target)
        assert server.tls is not None
        assert server.tls.files.reload_if_changed()
        await _create(old)  # the connection opened before the rotation still works
        fresh = Channel("127.0.0.1", server.port, ssl=client_context(str(second.ca_file)))
        stale = Channel("127.0.0.1", server.port, ssl=client_context(str(first.ca_file)))
        try:
            await _create(fresh)
            with pytest.raises(OSError, match="CERTIFICATE_VERIFY_FAILED"):
                await _create(stale)
        finally:
            fresh.close()
            stale.close()


async def test_a_half_written_rotation_keeps_the_old_certificate(tmp_path: Path) -> None:
    """A key that does not match the new certificate yet: logged, old kept, retried later."""
    first, second = make_pki(tmp_path / "first", "one"), make_pki(tmp_path / "second", "two")
    cert, key = tmp_path / "tls.crt", tmp_path / "tls.key"
    shutil.copy(first.server.cert, cert)
    shutil.copy(first.server.key, key)
    async with serving(
        tmp_path / "toys.db",
        tls_cert=str(cert),
        tls_key=str(key),
        channel_tls=client_context(str(first.ca_file)),
    ) as (server, channel):
        shutil.copy(second.server.cert, cert)  # the key has not arrived yet
        assert server.tls is not None
        assert not server.tls.files.reload_if_changed()
        await _create(channel)
        shutil.copy(second.server.key, key)
        assert server.tls.files.reload_if_changed()
