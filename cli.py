"""Operator commands: `flask --app app tenants create|list|rotate-key`."""
import click
from flask.cli import AppGroup

from services import tenants

tenants_cli = AppGroup("tenants", help="Create, list and re-key tenants.")


@tenants_cli.command("create")
@click.argument("slug")
@click.option("--name", help="Display name (default: the slug).")
def create(slug, name):
    """Create a tenant and print its API key and webhook token (shown only now)."""
    from marshmallow import ValidationError

    from schemas.tenants import TenantCreateSchema
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
    cursor = None
    while True:
        page = tenants.list_tenants(200, cursor, False)
        for tenant in page["items"]:
            click.echo(f"{tenant.slug}\t{tenant.name}\ttz={tenant.timezone}\t"
                       f"ttl={tenant.chat_session_ttl_hours}h")
        cursor = page["next_cursor"]
        if not cursor:
            break


@tenants_cli.command("rotate-key")
@click.argument("slug")
def rotate_key(slug):
    """Issue a new API key; the old one stops working at once."""
    tenant, api_key = _or_click_error(tenants.rotate_secret, slug, "api_key")
    click.echo(f"api_key: {api_key}")


def _or_click_error(function, *args):
    from services.errors import ServiceError
    try:
        return function(*args)
    except ServiceError as exc:
        raise click.ClickException(exc.detail) from None
