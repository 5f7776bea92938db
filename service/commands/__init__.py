"""The command-line sub-commands (plan, what-if, slot, validate, forecast, import, worker), onto `capplan`."""

from __future__ import annotations

import typer

from service.commands.forecast import forecast_command
from service.commands.importing import import_app
from service.commands.plan import plan_command
from service.commands.slot import slot_command
from service.commands.validate import validate_command
from service.commands.what_if import what_if_command
from service.commands.worker import worker_command


def register(app: typer.Typer) -> None:
    """Add the planning commands to `app`."""
    app.command("plan")(plan_command)
    app.command("what-if")(what_if_command)
    app.command("slot")(slot_command)
    app.command("validate")(validate_command)
    app.command("forecast")(forecast_command)
    app.add_typer(import_app)
    app.command("worker")(worker_command)
