"""``grace serve``: the web UI and API for an existing workspace."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from grace.cli.common import HomeOption, console, open_workspace
from grace.permissions import permission_warning

HostOption = Annotated[
    str, typer.Option(help="Address to bind. Loopback by default: expose deliberately, behind TLS.")
]
PortOption = Annotated[int, typer.Option(help="TCP port.")]
SecureOption = Annotated[
    bool,
    typer.Option(
        "--secure-cookies",
        help="Mark session cookies Secure (behind a TLS proxy that sends no X-Forwarded-Proto).",
    ),
]
ForwardedOption = Annotated[
    str | None,
    typer.Option(
        "--forwarded-allow-ips",
        help="Comma-separated addresses (or networks) of reverse proxies whose "
        "X-Forwarded-For/-Proto are trusted, e.g. 127.0.0.1. Default: none, so a client "
        "cannot pick the address that sign-in limits and the audit trail record.",
    ),
]
LogJsonOption = Annotated[
    bool,
    typer.Option(
        "--log-json",
        envvar="GRACE_LOG_JSON",
        help="Log one JSON object per line to stderr (each request by route template, "
        "status and duration; no paths, addresses, tokens or passwords).",
    ),
]


def serve(
    home: HomeOption = None,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    secure_cookies: SecureOption = False,
    forwarded_allow_ips: ForwardedOption = None,
    log_json: LogJsonOption = False,
) -> None:
    """Serve the analyst web UI (and /api/v1) for the workspace.

    Sign in with an account from `grace users add`; scripts use `grace users token`.
    Behind a TLS proxy named by --forwarded-allow-ips, X-Forwarded-Proto: https makes
    cookies Secure.
    """
    run_server(home, host, port, secure_cookies, forwarded_allow_ips, log_json)


def run_server(
    home: Path | None,
    host: str,
    port: int,
    secure_cookies: bool = False,
    forwarded_allow_ips: str | None = None,
    log_json: bool = False,
) -> None:
    import uvicorn

    from grace.logs import configure_json_logging, json_logs_requested, uvicorn_logging
    from grace.web import create_app

    json_logs = json_logs_requested(log_json)
    if json_logs:
        configure_json_logging()
    with open_workspace(home) as workspace:
        app = create_app(workspace, secure_cookies=secure_cookies)
        if json_logs:
            logging.getLogger("grace.serve").info("serving", extra={"host": host, "port": port})
        else:
            console.print(
                f"serving [bold]{workspace.home}[/] on http://{host}:{port}/  (Ctrl+C to stop)"
            )
        warning = permission_warning(workspace.home)
        if warning:
            console.print(f"[yellow]warning:[/] {warning}", highlight=False)
        # Forwarded headers are trusted only from the proxies the operator names: anyone
        # else (loopback included) could otherwise choose their own address.
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level="warning",
            server_header=False,
            proxy_headers=forwarded_allow_ips is not None,
            forwarded_allow_ips=forwarded_allow_ips or "",
            **uvicorn_logging(json_logs),  # type: ignore[arg-type]
        )
