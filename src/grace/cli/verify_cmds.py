"""``grace vault verify`` and ``grace audit verify``: prove the evidence is intact."""

from __future__ import annotations

import typer
from rich.progress import Progress

from grace.cli import vault_cmd
from grace.cli.common import HomeOption, JsonOption, actor, console, open_workspace, print_json
from grace.vault.verify import verify_vault

vault_app = typer.Typer(help="The evidence vault.", no_args_is_help=True)
audit_app = typer.Typer(help="The append-only audit trail.", no_args_is_help=True)


@vault_app.command("verify")
def vault_verify(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Re-read, decrypt and re-hash every object; exit 1 on any mismatch."""
    with open_workspace(home) as workspace:
        with workspace.sessions() as session, Progress(console=console, transient=True) as bar:
            task = bar.add_task("verifying vault", total=None)
            report = verify_vault(
                session,
                workspace.vault,
                lambda done, total: bar.update(task, completed=done, total=total),
            )
        with workspace.sessions.begin() as session:
            workspace.audit.append(
                session,
                actor=actor(),
                action="vault_verify",
                object_type="vault",
                object_id="vault",
                details={"checked": report.checked, "problems": len(report.problems)},
            )
        workspace.audit.save_anchor()
    if as_json:
        print_json(
            {
                "ok": report.ok,
                "checked": report.checked,
                "problems": report.problems,
                "unrecorded": report.unrecorded,
            }
        )
    else:
        for problem in report.problems:
            console.print(f"[red]mismatch:[/] {problem}", highlight=False)
        verdict = "intact" if report.ok else f"{len(report.problems)} problem(s)"
        console.print(f"vault: {report.checked} objects checked, {verdict}")
        if report.unrecorded:
            console.print(f"note: {len(report.unrecorded)} object(s) on disk without a record")
    raise typer.Exit(0 if report.ok else 1)


@audit_app.command("verify")
def audit_verify(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Check the hash chain: an edited, deleted or reordered event gives exit 1."""
    with open_workspace(home) as workspace, workspace.sessions() as session:
        report = workspace.audit.verify(session)
    if as_json:
        print_json({"ok": report.ok, "events": report.events, "problems": report.problems})
    else:
        for problem in report.problems:
            console.print(f"[red]broken:[/] {problem}", highlight=False)
        console.print(f"audit: {report.events} events, {'intact' if report.ok else 'TAMPERED'}")
    raise typer.Exit(0 if report.ok else 1)


vault_app.command("rotate-key")(vault_cmd.rotate_key)
