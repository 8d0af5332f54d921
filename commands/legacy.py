"""`flask --app app legacy-import`: an older bot's JSON files into a tenant."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from commands.tenant_loop import each_tenant
from services.commerce.legacy_import import import_directory


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
