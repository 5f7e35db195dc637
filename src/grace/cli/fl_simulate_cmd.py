"""``grace fl simulate``: agencies federating on a benign dataset, entirely in this process.

Registered in ``grace.cli.fl_cmd`` (fl-deploy's file) as
``app.command("simulate")(fl_simulate_cmd.simulate)``; ``app`` below is a one-command Typer
for tests and for running this module on its own.
"""

from __future__ import annotations

from typing import Annotated, cast

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from grace.cli.common import JsonOption, console, fail
from grace.cli.common import print_json as emit
from grace.federation.strategies import STRATEGIES

app = typer.Typer(help="Federated simulation on a benign dataset.", no_args_is_help=False)


def _table(result: dict[str, object], curves: dict[str, list[float]]) -> Table:
    table = Table(title="Accuracy on the balanced global test set")
    table.add_column("round", justify="right")
    for name in ("federated", "centralised", "local"):
        table.add_column(name, justify="right")
    rounds = len(curves["federated"])
    shown = sorted({1, *range(max(1, rounds // 5), rounds + 1, max(1, rounds // 5)), rounds})
    for r in shown:
        cells = [
            f"{curves[k][r - 1]:.3f}" if len(curves[k]) >= r else "-"
            for k in ("federated", "centralised", "local")
        ]
        table.add_row(str(r), *cells)
    return table


@app.command("simulate")
def simulate(
    agencies: Annotated[int, typer.Option(min=2, help="Number of agencies.")] = 10,
    rounds: Annotated[int, typer.Option(min=1, help="Federated rounds.")] = 20,
    alpha: Annotated[float, typer.Option(help="Dirichlet alpha (smaller = less IID).")] = 0.5,
    strategy: Annotated[str, typer.Option(help="fedavg, fedprox, trimmed or krum.")] = "fedavg",
    epochs: Annotated[int, typer.Option(min=1, help="Local epochs per round.")] = 2,
    lr: Annotated[float, typer.Option(help="Local learning rate.")] = 0.5,
    proximal_mu: Annotated[float, typer.Option(help="FedProx's mu.")] = 0.01,
    dp: Annotated[bool, typer.Option("--dp", help="Record-level DP-SGD in every agency.")] = False,
    epsilon: Annotated[float, typer.Option(help="Record-level epsilon target (--dp).")] = 8.0,
    agency_noise: Annotated[
        float, typer.Option(help="Agency-level DP noise multiplier (0: off).")
    ] = 0.0,
    agency_clip: Annotated[float, typer.Option(help="Agency-level DP clipping norm.")] = 1.0,
    secagg: Annotated[bool, typer.Option("--secagg", help="Flower's SecAgg+ workflow.")] = False,
    malicious: Annotated[
        int, typer.Option(min=0, help="Agencies sending poisoned (-10x) updates.")
    ] = 0,
    baselines: Annotated[bool, typer.Option(help="Also train centralised and local-only.")] = True,
    seed: Annotated[int, typer.Option(help="Seed of the split and training.")] = 0,
    as_json: JsonOption = False,
) -> None:
    """Simulate a federation of agencies on sklearn's digits (non-IID), with Flower's workflow."""
    from grace.federation.simulate import SimConfig
    from grace.federation.simulate import simulate as run_simulation

    if strategy not in STRATEGIES:
        fail(f"unknown strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    if malicious >= agencies:
        fail("--malicious must be smaller than --agencies")
    cfg = SimConfig(
        agencies=agencies,
        rounds=rounds,
        alpha=alpha,
        strategy=strategy,
        epochs=epochs,
        lr=lr,
        proximal_mu=proximal_mu,
        record_dp_epsilon=epsilon if dp else None,
        agency_dp_noise=agency_noise or None,
        agency_dp_clip=agency_clip,
        secagg=secagg,
        malicious=malicious,
        krum_keep=max(1, agencies - 2 * malicious - 2) if strategy == "krum" else 0,
        seed=seed,
    )
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("acc {task.fields[acc]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("federated rounds", total=rounds, acc="-")

        def on_round(server_round: int, accuracy: float) -> None:
            progress.update(task, completed=server_round, acc=f"{accuracy:.3f}")

        try:
            result = run_simulation(cfg, on_round, baselines=baselines)
        except ValueError as exc:
            fail(str(exc))
    summary = result.to_json()
    if as_json:
        emit(summary)
        return
    curves = cast(dict[str, list[float]], summary["curves"])
    console.print(_table(summary, curves))
    line = f"{result.round_s:.3f} s per round in-process"
    if result.record_epsilon is not None:
        line += (
            f"; record-level DP epsilon {result.record_epsilon:.2f} (delta {result.delta:g}, "
            f"noise {result.record_noise_multiplier:.2f})"
        )
    if result.agency_epsilon is not None:
        line += f"; agency-level DP epsilon {result.agency_epsilon:.2f} (delta {result.delta:g})"
    console.print(line)


if __name__ == "__main__":
    app()
