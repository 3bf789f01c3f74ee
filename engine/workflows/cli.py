"""``verbinding workflows``: check template files and show a template."""

from __future__ import annotations

from pathlib import Path

import click

from engine.config import ConfigError, load_config
from engine.workflows.loader import load_directory, load_files, template_files, workflows_dir
from engine.workflows.render import render_mermaid, render_text


@click.group("workflows")
def workflows() -> None:
    """Check and show process templates (workflows/*.yaml)."""


@workflows.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def check(paths: tuple[Path, ...]) -> None:
    """Check template files or folders; print each problem as file:line: message."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            templates = template_files(path)
            if not templates:
                raise click.ClickException(f"{path}: no *.yaml templates in this folder")
            files += templates
        else:
            files.append(path)
    files = list(dict.fromkeys(files))  # a file named twice is checked once
    try:
        max_bytes = load_config().workflow_max_bytes
    except ConfigError as error:
        raise click.ClickException(str(error)) from error
    by_name, problems, per_file = load_files(files, max_bytes)
    by_file = {defn.source_path: defn for defn in by_name.values()}
    for file, found in per_file.items():
        for problem in found:
            click.echo(str(problem))
        defn = by_file.get(file)
        if not found and defn is not None:
            click.echo(
                f"{file}: ok — {defn.name}, {len(defn.stages)} stages, "
                f"{len(defn.transitions)} transitions"
            )
    if problems:
        click.get_current_context().exit(1)


@workflows.command("show")
@click.argument("name")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "mermaid"]), default="text", show_default=True
)
@click.option("--locale", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
def show(name: str, fmt: str, locale: str) -> None:
    """Show the template NAME from the workflows folder, as text or as a Mermaid diagram."""
    try:
        configured = load_config().workflows_dir
    except ConfigError as error:
        raise click.ClickException(str(error)) from error
    folder = workflows_dir(configured)
    by_name, problems = load_directory(folder)
    defn = by_name.get(name)
    if defn is None:
        known = ", ".join(sorted(by_name)) or "none"
        click.echo(f"Unknown workflow '{name}' in {folder}. Known workflows: {known}.", err=True)
        for problem in problems:
            click.echo(str(problem), err=True)
        click.get_current_context().exit(1)
    render = render_mermaid if fmt == "mermaid" else render_text
    click.echo(render(defn, locale), nl=False)
