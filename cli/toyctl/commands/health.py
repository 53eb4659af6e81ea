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
        from toys._generated.toys import v1 as pb

        report = client.health(target(ctx))
        serving = report.status is pb.HealthCheckResponseServingStatus.SERVING
        if output in (Output.JSON, Output.YAML):
            render.print_document(report.to_dict(include_default_values=True), output)
        else:
            render.print_health(report)
        if not serving:
            raise typer.Exit(int(ExitCode.NOT_SERVING))
