"""`flask --app app snapshot take|list|verify|restore` and `legacy-import`."""
import json
import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from cli import each_tenant
from services import restore, snapshots
from services.legacy_import import import_directory

snapshot_cli = AppGroup("snapshot", help="Take, list, verify and restore snapshots.")


def _generation(name: str | None):
    found = snapshots.generations(current_app.config["DATA_DIR"])
    if name is None:
        if not found:
            raise click.ClickException("there is no snapshot generation")
        return found[0]
    match = [g for g in found if g.name == name]
    if not match:
        raise click.ClickException(f"no generation '{name}' (see `snapshot list`)")
    return match[0]


def _yield_cpu() -> None:
    """Snapshots the service takes while serving are background work: they get the CPU
    only when requests do not want it (SCHED_IDLE; the lowest nice level if that is
    not allowed). The final snapshot at shutdown runs in the master at full speed."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        os.nice(19)


@snapshot_cli.command("take")
@click.option("--trigger", type=click.Choice(["manual", "scheduled", "shutdown"]), default="manual")
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON.")
@click.option("--background", is_flag=True, help="Run at idle CPU priority (how the service runs it).")
def take(trigger, as_json, background):
    """Write a new snapshot generation now."""
    if background:
        _yield_cpu()
    try:
        manifest = snapshots.take_snapshot(current_app.config["DATA_DIR"], trigger,
                                           current_app.config["SNAPSHOT_KEEP"])
    except snapshots.SnapshotError as exc:
        failed = click.ClickException(str(exc))
        failed.exit_code = snapshots.exit_status(exc)
        raise failed from None
    if as_json:
        click.echo(json.dumps(manifest))
        return
    records = sum(f["records"] for f in manifest["files"].values())
    click.echo(f"{manifest['generation']}: {records} records")


@snapshot_cli.command("list")
def list_():
    """List generations, newest first."""
    for generation in snapshots.generations(current_app.config["DATA_DIR"]):
        manifest = snapshots.read_manifest(generation)
        records = sum(f["records"] for f in manifest["files"].values())
        click.echo(f"{generation.name}\t{manifest['trigger']}\t{records} records")


@snapshot_cli.command("verify")
@click.argument("generation", required=False)
def verify(generation):
    """Check a generation's checksums (default: the newest)."""
    path = _generation(generation)
    problems = snapshots.verify(path)
    for problem in problems:
        click.echo(f"{path.name}: {problem}", err=True)
    if problems:
        raise SystemExit(1)
    click.echo(f"{path.name}: ok")


@snapshot_cli.command("restore")
@click.argument("generation", required=False)
@click.option("--replace", is_flag=True, help="Delete the current data first (required if there is any).")
def restore_(generation, replace):
    """Restore a generation (default: the newest) into the database."""
    path = _generation(generation)
    problems = snapshots.verify(path)
    if problems:
        raise click.ClickException(f"{path.name} does not verify: {'; '.join(problems)}")
    if not restore.store_is_empty():
        if not replace:
            raise click.ClickException("the database holds data; pass --replace to delete it and restore")
        restore.clear_store()
    manifest = snapshots.read_manifest(path)
    total = sum(manifest["files"][name]["records"] for name, _ in restore.RESTORED_FILES)
    with click.progressbar(length=total, label=f"restoring {path.name}") as bar:
        counts = restore.restore(path, progress=bar.update)
    for name, count in counts.items():
        click.echo(f"{name}: {count['restored']} restored, {count['skipped']} skipped")


@click.command("legacy-import")
@with_appcontext
@click.option("--tenant", "slug", required=True, help="The tenant to import into.")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
def legacy_import(slug, directory):
    """Import an older bot's chat_sessions.json, sales_stats.json and pending_orders.json."""
    for tenant in each_tenant(slug):
        reports = import_directory(directory, tenant.timezone, current_app.config["STATS_RETENTION_DAYS"])
    if not reports:
        raise click.ClickException(f"{directory} holds none of chat_sessions.json, sales_stats.json, "
                                   "pending_orders.json")
    for name, report in reports.items():
        click.echo(f"{name}: {report['imported']} imported, {len(report['skipped'])} skipped")
        for what, why in report["skipped"]:
            click.echo(f"  skipped {what}: {why}", err=True)
        for note in report.get("notes", []):
            click.echo(f"  {note}")
