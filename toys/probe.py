"""`toys-probe`: ask a server's grpc.health.v1 service whether it is SERVING.

For container HEALTHCHECKs and scripts: exit 0 when SERVING, 1 otherwise, with one line on
stderr saying why. Each check has a deadline, so a hung server fails the probe too.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from grpclib.client import Channel
from grpclib.exceptions import GRPCError
from grpclib.health.v1.health_grpc import HealthStub
from grpclib.health.v1.health_pb2 import HealthCheckRequest, HealthCheckResponse

from toys.defaults import DEFAULT_PORT


async def check(host: str, port: int, service: str, deadline_s: float) -> str | None:
    """None when SERVING, else why not."""
    channel = Channel(host, port)
    try:
        response = await HealthStub(channel).Check(
            HealthCheckRequest(service=service), timeout=deadline_s
        )
    except GRPCError as exc:
        return f"{exc.status.name}: {exc.message or ''}".rstrip(": ")
    except TimeoutError:
        return f"no answer within {deadline_s:g}s"
    except OSError as exc:
        return exc.strerror or str(exc)
    finally:
        channel.close()
    if response.status != HealthCheckResponse.SERVING:
        return HealthCheckResponse.ServingStatus.Name(response.status)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="toys-probe", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("TOYS_PORT", str(DEFAULT_PORT)))
    )
    parser.add_argument("--service", default="", help='service to check ("" is the whole server)')
    parser.add_argument("--timeout", type=float, default=3.0, help="deadline in seconds")
    args = parser.parse_args(argv)
    problem = asyncio.run(check(args.host, args.port, args.service, args.timeout))
    if problem is not None:
        print(f"toys-probe: {args.host}:{args.port} not serving: {problem}", file=sys.stderr)
        return 1
    return 0
