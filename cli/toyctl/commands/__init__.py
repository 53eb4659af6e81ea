"""toyctl's commands, one module per group; toyctl.app registers them on the Typer app."""
