"""A typer group that imports a command's module only when that command runs.

Why: importing every command module at start pulled in scikit-learn, numba, onnxruntime,
flwr and PyAV, and `grace --help` took seconds. The group knows each command by name, a
``module:attribute`` target and a one-line summary; ``grace --help`` lists the summaries
without importing anything, and ``grace NAME ...`` imports only NAME's module.

A target is either a function (a plain command) or a ``typer.Typer`` (a group of
subcommands). ``tests/integration/test_cli_lazy.py`` checks that every summary here is the
first line of the real command's help, so the two cannot drift apart.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, ClassVar

import click
import typer
from typer.core import TyperGroup


@dataclass(frozen=True)
class LazyCommand:
    """Where a command lives and what ``grace --help`` says about it."""

    target: str  # "package.module:attribute"
    summary: str


def load_click_command(name: str, spec: LazyCommand) -> click.Command:
    """Import the target and turn it into the click command typer would have built."""
    module_name, _, attribute = spec.target.partition(":")
    target: Any = getattr(importlib.import_module(module_name), attribute)
    if isinstance(target, typer.Typer):
        command: click.Command = typer.main.get_group(target)
    else:
        holder = typer.Typer()
        holder.command(name)(target)
        command = typer.main.get_command(holder)
    command.name = name
    return command


class LazyGroup(TyperGroup):
    """Commands from ``lazy_commands`` load on use; listing them in help loads nothing."""

    lazy_commands: ClassVar[dict[str, LazyCommand]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._listing = False
        self._loaded: dict[str, click.Command] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        eager = super().list_commands(ctx)
        return eager + [name for name in self.lazy_commands if name not in eager]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = self.lazy_commands.get(cmd_name)
        if spec is None or cmd_name in self.commands:
            return super().get_command(ctx, cmd_name)
        if self._listing:
            # Only the name and summary are read while the group's help is printed.
            return click.Command(cmd_name, help=spec.summary, short_help=spec.summary)
        if cmd_name not in self._loaded:
            self._loaded[cmd_name] = load_click_command(cmd_name, spec)
        return self._loaded[cmd_name]

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


def lazy_group(commands: dict[str, LazyCommand]) -> type[LazyGroup]:
    """A LazyGroup class bound to these commands (typer instantiates the class itself)."""
    return type("GraceLazyGroup", (LazyGroup,), {"lazy_commands": dict(commands)})
