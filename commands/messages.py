"""`flask --app app messages index-terms`."""
import click
from flask.cli import AppGroup

from commands.tenant_loop import each_tenant
from services.messaging import search_index

group = AppGroup("messages", help="Maintain messages.")


@group.command("index-terms")
@click.option("--tenant", "slug", help="Only this tenant (default: every tenant).")
@click.option("--again", is_flag=True, help="From the first message, also where it was done before.")
def index_terms(slug, again):
    """Give every message stored before search existed its search terms (batched; safe
    to run again, and beside the service; the hourly upkeep does the same a slice at a time)."""
    for tenant in each_tenant(slug):
        result = search_index.backfill(from_start=again)
        click.echo(f"{tenant.slug}: {result['messages']} messages read, {result['entries']} terms added")
