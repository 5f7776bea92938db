"""The `capplan` command line. Each command lives in its own module and is registered here."""

from __future__ import annotations

import typer

from service.commands import register
from service.serve import serve

app = typer.Typer(name="capplan", help="Constraint-based capacity planner.", no_args_is_help=True, add_completion=False)


@app.callback()
def _capplan() -> None:
    """Plan backlogs onto people and agents; `capplan serve` runs the HTTP API."""


app.command("serve")(serve)
register(app)


def main() -> None:
    """Entry point of the `capplan` console script."""
    app()
