"""`flask --app app stats rebuild`."""
import click
from flask import current_app
from flask.cli import AppGroup

from commands.tenant_loop import each_tenant
from services.commerce import order_counting, sales_rebuild

group = AppGroup("stats", help="Maintain sales statistics.")


@group.command("rebuild")
@click.option("--tenant", "slug", help="Only this tenant (default: every tenant).")
def rebuild_stats(slug):
    """Recompute sales totals and daily figures from the orders (run while no orders are written)."""
    for tenant in each_tenant(slug):
        try:
            result = sales_rebuild.rebuild_stats(tenant.timezone, current_app.config["STATS_RETENTION_DAYS"])
        except order_counting.CountingBusy as exc:
            raise click.ClickException(f"{tenant.slug}: {exc}; nothing was changed, run it again") from None
        click.echo(f"{tenant.slug}: {result['orders']} orders counted, {result['days']} days rebuilt, "
                   f"{result['removed']} stale days removed")
