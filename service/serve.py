"""`capplan serve`: run the HTTP service with uvicorn, settings from `CAPPLAN_*` and the options given."""

from __future__ import annotations

import contextlib
import math
import signal
from types import FrameType
from typing import Annotated, Any

import typer
import uvicorn
from pydantic import ValidationError

from service.logs import configure_logging
from service.settings import Settings


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    """Uvicorn re-raises the stop signal after its graceful shutdown; end with status 0 then."""
    raise SystemExit(0)


def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on (CAPPLAN_HOST, 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (CAPPLAN_PORT, 8000).")] = None,
    workers: Annotated[int | None, typer.Option(help="Solves run at once (CAPPLAN_WORKERS).")] = None,
    log_level: Annotated[str | None, typer.Option(help="DEBUG, INFO, WARNING or ERROR (CAPPLAN_LOG_LEVEL).")] = None,
) -> None:
    """Start the HTTP API (docs at /docs); stop it with Ctrl-C or SIGTERM, which let running solves finish."""
    overrides: dict[str, Any] = {"host": host, "port": port, "workers": workers, "log_level": log_level}
    try:
        settings = Settings(**{name: value for name, value in overrides.items() if value is not None})
    except ValidationError as error:
        for problem in error.errors(include_url=False):
            where = ".".join(str(part) for part in problem["loc"]) or "settings"
            typer.echo(f"capplan serve: {where}: {problem['msg']} (options, or CAPPLAN_* variables)", err=True)
        raise typer.Exit(2) from None
    configure_logging(settings.log_level, force=True)

    from service.app import create_app  # here, so other commands do not pay for importing the web stack
    from service.http_protocol import guarded_protocol

    signal.signal(signal.SIGTERM, _exit_cleanly)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C after the graceful shutdown: a normal stop
        uvicorn.run(
            create_app(settings),
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
            server_header=False,
            http=guarded_protocol(settings),  # headers and body deadlines; problem+json for invalid HTTP
            ws="none",
            timeout_graceful_shutdown=math.ceil(settings.max_time_limit_s) + 5,
        )
