"""`capplan worker`: take jobs from the Redis queue of `CAPPLAN_QUEUE_URL` and solve them (see service.jobs.worker)."""

from __future__ import annotations

import importlib
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from service.logs import configure_logging
from service.settings import Settings


def worker_command(
    queue_url: Annotated[str | None, typer.Option(help="Redis URL of the job queue (CAPPLAN_QUEUE_URL).")] = None,
    workers: Annotated[int | None, typer.Option(help="Jobs solved at once (CAPPLAN_WORKERS).")] = None,
    log_level: Annotated[str | None, typer.Option(help="DEBUG, INFO, WARNING or ERROR (CAPPLAN_LOG_LEVEL).")] = None,
    solve: Annotated[str | None, typer.Option(hidden=True, help="module:function solving each request.")] = None,
) -> None:
    """Solve jobs from Redis until Ctrl-C or SIGTERM; run as many as you like, on any machines."""
    overrides: dict[str, Any] = {"queue_url": queue_url, "workers": workers, "log_level": log_level}
    try:
        settings = Settings(**{name: value for name, value in overrides.items() if value is not None})
    except ValidationError as error:
        for problem in error.errors(include_url=False):
            where = ".".join(str(part) for part in problem["loc"]) or "settings"
            typer.echo(f"capplan worker: {where}: {problem['msg']} (options, or CAPPLAN_* variables)", err=True)
        raise typer.Exit(2) from None
    if settings.queue_url is None:
        typer.echo("capplan worker: set CAPPLAN_QUEUE_URL (or --queue-url) to the Redis of the job queue, "
                   "e.g. redis://127.0.0.1:6379/0", err=True)
        raise typer.Exit(2)
    configure_logging(settings.log_level, force=True)

    from service.jobs.worker import run_worker  # here, so other commands do not pay for importing arq

    if solve is None:
        run_worker(settings)
    else:
        module, _, name = solve.partition(":")
        run_worker(settings, getattr(importlib.import_module(module), name))
