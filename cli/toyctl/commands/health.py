"""health: is the server SERVING?"""

from __future__ import annotations

import typer

from toyctl.commands.common import OutputOption, reporting, target
from toyctl.errors import ExitCode
from toyctl.options import Output


def health(ctx: typer.Context, output: OutputOption = Output.TABLE) -> None:
    """Check the server; exit 0 only when it is SERVING (9 otherwise)."""
    with reporting():
        from toyctl import client, render
        from toyctl.documents import document
        from toys._generated.pb2.toys.v1 import toys_pb2 as pb2

        report = client.health(target(ctx))
        serving = report.status == pb2.HealthCheckResponse.SERVING_STATUS_SERVING
        if output in (Output.JSON, Output.YAML):
            render.print_document(document(report), output)
        else:
            render.print_health(report)
        if not serving:
            raise typer.Exit(int(ExitCode.NOT_SERVING))
