"""A call to the server: the channel (address, TLS, token, telemetry), its deadline, and
every failure as a ToyctlError with its exit code.

Imported only once a command runs: grpclib and the generated messages stay out of `--help`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ssl
from collections.abc import Awaitable, Callable

from grpclib.client import Channel
from grpclib.config import Configuration
from grpclib.const import Status
from grpclib.exceptions import GRPCError, StreamTerminatedError

from toyctl.errors import ExitCode, ToyctlError
from toyctl.exiting import before_leaving
from toyctl.options import Security, Target
from toyctl.stub import ToyService
from toys.config.defaults import DEFAULT_PORT
from toys.telemetry import Telemetry
from toys.telemetry import from_environment as telemetry_from_environment

# The one place where gRPC statuses become toyctl exit codes.
EXIT_FOR_STATUS: dict[Status, ExitCode] = {
    Status.NOT_FOUND: ExitCode.NOT_FOUND,
    Status.INVALID_ARGUMENT: ExitCode.INVALID,
    Status.OUT_OF_RANGE: ExitCode.INVALID,
    Status.RESOURCE_EXHAUSTED: ExitCode.INVALID,
    Status.FAILED_PRECONDITION: ExitCode.PRECONDITION,
    Status.UNAVAILABLE: ExitCode.UNAVAILABLE,
    Status.DEADLINE_EXCEEDED: ExitCode.DEADLINE,
    Status.UNAUTHENTICATED: ExitCode.UNAUTHENTICATED,
    Status.PERMISSION_DENIED: ExitCode.PERMISSION_DENIED,
}


def parse_address(server: str) -> tuple[str, int]:
    """`host`, `host:port` or `[v6-address]:port` -> (host, port)."""
    text = server.strip()
    host, port_text = text, ""
    if text.startswith("["):
        end = text.find("]")
        if end == -1:
            raise ToyctlError(ExitCode.USAGE, f"--server {server!r}: missing ']'")
        host, rest = text[1:end], text[end + 1 :]
        if rest and not rest.startswith(":"):
            raise ToyctlError(ExitCode.USAGE, f"--server {server!r}: expected [host]:port")
        port_text = rest[1:]
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    if not host:
        raise ToyctlError(ExitCode.USAGE, f"--server {server!r}: no host")
    if not port_text:
        return host, DEFAULT_PORT
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ToyctlError(ExitCode.USAGE, f"--server {server!r}: {port_text!r} is not a port")
    return host, int(port_text)


@functools.cache
def telemetry() -> Telemetry | None:
    """toyctl's telemetry, as OTEL_* asks (None when off); flushed when the process exits."""
    found = telemetry_from_environment("toyctl")
    if found is not None:
        before_leaving(found.shutdown)
    return found


def open_channel(target: Target) -> Channel:
    """A channel to the target, over TLS when its security asks for it."""
    host, port = parse_address(target.server)
    security = target.security
    if not security.tls:
        return Channel(host, port)
    from toys.transport.tls import client_context  # only over TLS

    try:
        context = client_context(security.ca_file, security.cert_file, security.key_file)
    except (OSError, ssl.SSLError) as exc:
        if isinstance(exc, ssl.SSLError) and security.cert_file and not security.key_file:
            raise ToyctlError(
                ExitCode.USAGE,
                f"--cert-file {security.cert_file} holds no private key: give its key with "
                "--key-file (TOYCTL_KEY_FILE)",
            ) from exc
        raise ToyctlError(ExitCode.USAGE, f"cannot use the TLS files: {exc}") from exc
    config = Configuration(ssl_target_name_override=security.server_name or None)
    return Channel(host, port, ssl=context, config=config)


def call_metadata(security: Security) -> dict[str, str] | None:
    return {"authorization": f"Bearer {security.token}"} if security.token else None


async def _call[T](target: Target, work: Callable[[ToyService], Awaitable[T]]) -> T:
    channel = open_channel(target)
    traced = telemetry()
    if traced is not None:
        traced.install_client(channel)
    stub = ToyService(channel, timeout=target.timeout, metadata=call_metadata(target.security))
    try:
        with traced.client_span() if traced is not None else contextlib.nullcontext():
            return await work(stub)
    except GRPCError as exc:
        code = EXIT_FOR_STATUS.get(exc.status, ExitCode.ERROR)
        hint = _unauthenticated_hint(target.security) if code is ExitCode.UNAUTHENTICATED else ""
        raise ToyctlError(
            code, f"{exc.message or exc.status.name} ({exc.status.name}){hint}"
        ) from exc
    except TimeoutError as exc:
        raise ToyctlError(
            ExitCode.DEADLINE, f"no answer from {target.server} within {target.timeout:g}s"
        ) from exc
    except ssl.SSLError as exc:
        raise ToyctlError(ExitCode.UNAVAILABLE, _tls_failure(target, exc)) from exc
    except StreamTerminatedError as exc:
        hint = ""
        if target.security.tls and not target.security.cert_file:
            hint = " (a server that wants mutual TLS closes at once: --cert-file, --key-file)"
        elif not target.security.tls:
            hint = " (a server that speaks TLS closes a plaintext connection: --ca-file or --tls)"
        raise ToyctlError(
            ExitCode.UNAVAILABLE, f"connection to {target.server} was lost: {exc}{hint}"
        ) from exc
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise ToyctlError(
            ExitCode.UNAVAILABLE, f"cannot reach the server at {target.server}: {reason}"
        ) from exc
    finally:
        channel.close()


def _unauthenticated_hint(security: Security) -> str:
    if not security.token:
        return (
            "; toyctl sends the token in TOYCTL_TOKEN, or in the file --token-file "
            "(TOYCTL_TOKEN_FILE) names"
        )
    return "; the token toyctl sent (TOYCTL_TOKEN or --token-file) is not in the access file"


def _tls_failure(target: Target, exc: ssl.SSLError) -> str:
    reason = getattr(exc, "verify_message", None) or getattr(exc, "reason", None) or str(exc)
    if isinstance(exc, ssl.SSLCertVerificationError) and "mismatch" in str(reason):
        expected = target.security.server_name or parse_address(target.server)[0]
        return (
            f"TLS with {target.server} failed: the server's certificate is not for "
            f"{expected!r} ({reason}); pass --server-name with a name the certificate holds"
        )
    return f"TLS with {target.server} failed: {reason}"


def run[T](target: Target, work: Callable[[ToyService], Awaitable[T]]) -> T:
    """Run one piece of client work to completion in a fresh event loop."""
    return asyncio.run(_call(target, work))


# Pauses before the second and third tries of work that is safe to repeat.
RETRY_PAUSES_S = (0.25, 1.0)


def run_retrying[T](
    target: Target,
    work: Callable[[ToyService], Awaitable[T]],
    say: Callable[[str], None],
) -> T:
    """Like `run`, for work that is safe to repeat (a create with its request_id): when the
    server is unreachable, went away mid-call or answers UNAVAILABLE, try again, at most
    len(RETRY_PAUSES_S) more times, saying so through `say`."""

    async def attempts() -> T:
        for attempt, pause in enumerate((*RETRY_PAUSES_S, None), 1):
            try:
                return await _call(target, work)
            except ToyctlError as exc:
                if exc.code is not ExitCode.UNAVAILABLE or pause is None:
                    raise
                say(f"{exc.message}; trying again ({attempt + 1} of {len(RETRY_PAUSES_S) + 1})")
                await asyncio.sleep(pause)
        raise AssertionError("unreachable: the last attempt returns or raises")

    return asyncio.run(attempts())
