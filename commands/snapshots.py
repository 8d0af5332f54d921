"""`flask --app app snapshot take|list|verify|restore`."""
import json

import click
from flask import current_app
from flask.cli import AppGroup

from services.operations import restore, restore_marker, snapshots
from services.privacy import scrub
from services.operations.snapshot_child import yield_cpu

group = AppGroup("snapshot", help="Take, list, verify and restore snapshots.")


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


@group.command("take")
@click.option("--trigger", type=click.Choice(["manual", "scheduled", "shutdown"]), default="manual")
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON.")
@click.option("--background", is_flag=True, help="Run at idle CPU priority (how the service runs it).")
def take(trigger, as_json, background):
    """Write a new snapshot generation now."""
    if background:
        yield_cpu()
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


@group.command("list")
def list_():
    """List generations, newest first."""
    for generation in snapshots.generations(current_app.config["DATA_DIR"]):
        manifest = snapshots.read_manifest(generation)
        records = sum(f["records"] for f in manifest["files"].values())
        click.echo(f"{generation.name}\t{manifest['trigger']}\t{records} records")


@group.command("verify")
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


@group.command("scrub")
def scrub_generations():
    """Rewrite every kept generation without the contacts erased since it was written."""
    data_dir = current_app.config["DATA_DIR"]
    with snapshots.generations_unchanging(data_dir):
        for generation in snapshots.generations(data_dir):
            dropped = scrub.scrub_generation(generation)
            click.echo(f"{generation.name}: {dropped} records of erased contacts removed")


@group.command("restore")
@click.argument("generation", required=False)
@click.option("--replace", is_flag=True, help="Delete the current data first (required if there is any).")
def restore_(generation, replace):
    """Restore a generation (default: the newest) into the database."""
    path = _generation(generation)
    problems = snapshots.verify(path)
    if problems:
        raise click.ClickException(f"{path.name} does not verify: {'; '.join(problems)}")
    cut_off = restore_marker.unfinished()
    if cut_off is not None:  # what it wrote is part of a generation: cleared without --replace
        click.echo(f"the restore of {cut_off['generation']} ({cut_off['started_by']}) did not finish; "
                   "clearing what it wrote")
    elif not restore.store_is_empty() and not replace:
        raise click.ClickException("the database holds data; pass --replace to delete it and restore")
    manifest = snapshots.read_manifest(path)
    total = sum(manifest["files"].get(name, {}).get("records", 0) for name, _ in restore.RESTORED_FILES)
    with click.progressbar(length=total, label=f"restoring {path.name}") as bar:
        counts = restore.restore_marked(path, "snapshot restore", progress=bar.update)
    for name, count in counts.items():
        click.echo(f"{name}: {count['restored']} restored, {count['skipped']} skipped")
    if counts.secrets_to_set_again:
        click.echo("SECRET_KEY here does not open these tenants' secrets (the snapshot was written under "
                   "another key); they are unset, and their Cloud webhooks answer 401 until they are set again "
                   "with PATCH /api/v1/admin/tenants/<slug> (or restore again with the writing host's key):",
                   err=True)
        for slug, fields in sorted(counts.secrets_to_set_again.items()):
            click.echo(f"  {slug}: {', '.join(fields)}", err=True)
