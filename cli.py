"""Operator commands: `flask --app app tenants ...`, `conversations rebuild`, `stats rebuild`,
`webhooks replay`."""
import click
from flask import current_app
from flask.cli import AppGroup
from marshmallow import ValidationError

from models.tenancy import tenant_scope
from schemas.tenants import TenantCreateSchema
from schemas.fields import Timestamp
from services import conversations, sales_rebuild, tenants, webhook_archive
from services.ingest import repair_summaries, store_received
from services.errors import ServiceError

tenants_cli = AppGroup("tenants", help="Create, list and re-key tenants.")
conversations_cli = AppGroup("conversations", help="Maintain conversation summaries.")
webhooks_cli = AppGroup("webhooks", help="Re-ingest archived webhook bodies (WEBHOOK_ARCHIVE_DAYS).")
stats_cli = AppGroup("stats", help="Maintain sales statistics.")


def _or_click_error(function, *args):
    try:
        return function(*args)
    except ServiceError as exc:
        raise click.ClickException(exc.detail) from None


def each_tenant(slug: str | None):
    """The named tenant, or every tenant, each with its queries scoped to it."""
    for tenant in [_or_click_error(tenants.get_tenant, slug)] if slug else _all_tenants():
        with tenant_scope(tenant.id):
            yield tenant


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
    for tenant in each_tenant(slug):
        result = conversations.rebuild_summaries()
        click.echo(f"{tenant.slug}: {result['conversations']} conversations rebuilt, "
                   f"{result['removed']} stale summaries removed")


@stats_cli.command("rebuild")
@click.option("--tenant", "slug", help="Only this tenant (default: every tenant).")
def rebuild_stats(slug):
    """Recompute sales totals and daily figures from the orders (run while no orders are written)."""
    for tenant in each_tenant(slug):
        result = sales_rebuild.rebuild_stats(tenant.timezone, current_app.config["STATS_RETENTION_DAYS"])
        click.echo(f"{tenant.slug}: {result['orders']} orders counted, {result['days']} days rebuilt, "
                   f"{result['removed']} stale days removed")


@webhooks_cli.command("replay")
@click.option("--tenant", "slug", required=True, help="The tenant whose archived webhooks to replay.")
@click.option("--since", required=True, help="ISO 8601 time: replay bodies received at or after it.")
@click.option("--until", default=None, help="ISO 8601 time: only bodies received before it.")
def replay_webhooks(slug, since, until):
    """Feed archived webhook bodies through the storage path again (idempotent)."""
    window = {}
    try:
        for name, value in (("since", since), ("until", until)):
            if value is not None:
                window[name] = Timestamp().deserialize(value)
    except ValidationError:
        raise click.ClickException("--since and --until take ISO 8601 times, e.g. 2026-11-22T10:00:00Z") from None
    totals = {"bodies": 0, "accepted": 0, "duplicates": 0, "ignored": 0}
    for tenant in each_tenant(slug):
        repairs = set()
        for kept in webhook_archive.kept_since(window["since"], window.get("until")):
            result = store_received({"tenant_id": tenant.id, "gateway": kept["gateway"], "body": kept["body"]},
                                    repairs)
            totals["bodies"] += 1
            for name in ("accepted", "duplicates", "ignored"):
                totals[name] += result[name]
        repair_summaries(repairs)
    click.echo(f"{slug}: {totals['bodies']} bodies replayed: {totals['accepted']} accepted, "
               f"{totals['duplicates']} duplicates, {totals['ignored']} ignored")
