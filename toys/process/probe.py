"""`toys-probe`: ask a server's grpc.health.v1 service whether it is SERVING.

For container HEALTHCHECKs and scripts: exit 0 when SERVING, 1 otherwise, with one line on
stderr saying why. Each check has a deadline, so a hung server fails the probe too. Health is
open to every caller, so the probe needs no token; it speaks TLS (and mutual TLS) like toyctl.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import ssl
import sys
from collections.abc import Mapping, Sequence

from grpclib.client import Channel
from grpclib.config import Configuration
from grpclib.exceptions import GRPCError, StreamTerminatedError
from grpclib.health.v1.health_grpc import HealthStub
from grpclib.health.v1.health_pb2 import HealthCheckRequest, HealthCheckResponse

from toys.config.defaults import DEFAULT_PORT
from toys.transport.tls import client_context


async def check(channel: Channel, service: str, deadline_s: float) -> str | None:
    """None when SERVING, else why not."""
    try:
        response = await HealthStub(channel).Check(
            HealthCheckRequest(service=service), timeout=deadline_s
        )
    except GRPCError as exc:
        return f"{exc.status.name}: {exc.message or ''}".rstrip(": ")
    except TimeoutError:
        return f"no answer within {deadline_s:g}s"
    except ssl.SSLError as exc:
        return f"TLS failed: {getattr(exc, 'reason', None) or exc}"
    except StreamTerminatedError as exc:
        return f"connection lost: {exc}"
    except OSError as exc:
        return exc.strerror or str(exc)
    if response.status != HealthCheckResponse.SERVING:
        return HealthCheckResponse.ServingStatus.Name(response.status)
    return None


def _parser(env: Mapping[str, str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="toys-probe", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(env.get("TOYS_PORT", str(DEFAULT_PORT))))
    parser.add_argument("--service", default="", help='service to check ("" is the whole server)')
    parser.add_argument("--timeout", type=float, default=3.0, help="deadline in seconds")
    tls = parser.add_argument_group("TLS (each also from TOYS_PROBE_*, e.g. TOYS_PROBE_CA_FILE)")
    tls.add_argument("--tls", action="store_true", default=bool(env.get("TOYS_PROBE_TLS")))
    for name in ("ca-file", "cert-file", "key-file", "server-name"):
        variable = "TOYS_PROBE_" + name.upper().replace("-", "_")
        tls.add_argument(f"--{name}", default=env.get(variable, ""))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser(os.environ).parse_args(argv)
    use_tls = args.tls or bool(args.ca_file or args.cert_file or args.server_name)

    async def probe() -> str | None:
        if use_tls:
            context = client_context(args.ca_file, args.cert_file, args.key_file)
            config = Configuration(ssl_target_name_override=args.server_name or None)
            channel = Channel(args.host, args.port, ssl=context, config=config)
        else:
            channel = Channel(args.host, args.port)
        try:
            return await check(channel, args.service, args.timeout)
        finally:
            channel.close()

    try:
        problem = asyncio.run(probe())
    except (OSError, ssl.SSLError) as exc:  # the TLS files themselves
        problem = f"cannot use the TLS files: {exc}"
    if problem is not None:
        print(f"toys-probe: {args.host}:{args.port} not serving: {problem}", file=sys.stderr)
        return 1
    return 0
