"""`flask --app app conversations rebuild`."""
import click
from flask.cli import AppGroup

from commands.tenant_loop import each_tenant
from services.messaging import conversations

group = AppGroup("conversations", help="Maintain conversation summaries.")


@group.command("rebuild")
@click.option("--tenant", "slug", help="Only this tenant (default: every tenant).")
def rebuild(slug):
    """Recompute every conversation summary from the messages."""
    for tenant in each_tenant(slug):
        result = conversations.rebuild_summaries()
        click.echo(f"{tenant.slug}: {result['conversations']} conversations rebuilt, "
                   f"{result['removed']} stale summaries removed")
