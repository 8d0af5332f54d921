"""Operator commands: `flask --app app tenants ...`, `conversations rebuild`, `stats rebuild`."""
import click
from flask import current_app
from flask.cli import AppGroup
from marshmallow import ValidationError

from models.tenancy import tenant_scope
from schemas.tenants import TenantCreateSchema
from services import conversations, sales_rebuild, tenants
from services.errors import ServiceError

tenants_cli = AppGroup("tenants", help="Create, list and re-key tenants.")
conversations_cli = AppGroup("conversations", help="Maintain conversation summaries.")
stats_cli = AppGroup("stats", help="Maintain sales statistics.")


def _or_click_error(function, *args):
    try:
        return function(*args)
    except ServiceError as exc:
        raise click.ClickException(exc.detail) from None


def _all_tenants():
    cursor = None
    while True:
        page = tenants.list_tenants(200, cursor, False)
        yield from page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return


@tenants_cli.command("create")
@click.argument("slug")
@click.option("--name", help="Display name (default: the slug).")
def create(slug, name):
    """Create a tenant and print its API key and webhook token (shown only now)."""
    try:
        body = TenantCreateSchema().load({"slug": slug, "name": name or slug})
    except ValidationError as exc:
        raise click.ClickException(f"invalid tenant: {exc.messages}") from None
    tenant, shown_once = _or_click_error(tenants.create_tenant, body["slug"], body["name"])
    click.echo(f"tenant:        {tenant.slug}")
    click.echo(f"api_key:       {shown_once['api_key']}")
    click.echo(f"webhook_token: {shown_once['webhook_token']}")
    click.echo("Store both now: they are kept only as hashes.", err=True)


@tenants_cli.command("list")
def list_():
    """List tenants (no secrets)."""
    for tenant in _all_tenants():
        click.echo(f"{tenant.slug}\t{tenant.name}\ttz={tenant.timezone}\tttl={tenant.chat_session_ttl_hours}h")


@tenants_cli.command("rotate-key")
@click.argument("slug")
def rotate_key(slug):
    """Issue a new API key; the old one stops working at once."""
    _tenant, api_key = _or_click_error(tenants.rotate_secret, slug, "api_key")
    click.echo(f"api_key: {api_key}")


@conversations_cli.command("rebuild")
@click.option("--tenant", "slug", help="Only this tenant (default: every tenant).")
def rebuild(slug):
    """Recompute every conversation summary from the messages."""
    chosen = [_or_click_error(tenants.get_tenant, slug)] if slug else _all_tenants()
    for tenant in chosen:
        with tenant_scope(tenant.id):
            result = conversations.rebuild_summaries()
        click.echo(f"{tenant.slug}: {result['conversations']} conversations rebuilt, "
                   f"{result['removed']} stale summaries removed")


@stats_cli.command("rebuild")
@click.option("--tenant", "slug", help="Only this tenant (default: every tenant).")
def rebuild_stats(slug):
    """Recompute sales totals and daily figures from the orders (run while no orders are written)."""
    chosen = [_or_click_error(tenants.get_tenant, slug)] if slug else _all_tenants()
    for tenant in chosen:
        with tenant_scope(tenant.id):
            result = sales_rebuild.rebuild_stats(tenant.timezone, current_app.config["STATS_RETENTION_DAYS"])
        click.echo(f"{tenant.slug}: {result['orders']} orders counted, {result['days']} days rebuilt, "
                   f"{result['removed']} stale days removed")
