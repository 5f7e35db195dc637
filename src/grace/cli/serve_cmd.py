"""``grace serve``: the web UI and API for an existing workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from grace.cli.common import HomeOption, console, open_workspace

HostOption = Annotated[
    str, typer.Option(help="Address to bind. Loopback by default: expose deliberately, behind TLS.")
]
PortOption = Annotated[int, typer.Option(help="TCP port.")]


def serve(home: HomeOption = None, host: HostOption = "127.0.0.1", port: PortOption = 8000) -> None:
    """Serve the analyst web UI (and /api/v1) for the workspace."""
    run_server(home, host, port)


def run_server(home: Path | None, host: str, port: int) -> None:
    import uvicorn

    from grace.web import create_app

    with open_workspace(home) as workspace:
        app = create_app(workspace)
        console.print(
            f"serving [bold]{workspace.home}[/] on http://{host}:{port}/  (Ctrl+C to stop)"
        )
        uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
