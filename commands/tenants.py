"""`flask --app app tenants create|list|rotate-key`."""
import click
from flask.cli import AppGroup
from marshmallow import ValidationError

from commands.tenant_loop import each_tenant, or_click_error
from schemas.tenants import TenantCreateSchema
from services.tenancy import tenants

group = AppGroup("tenants", help="Create, list and re-key tenants.")


@group.command("create")
@click.argument("slug")
@click.option("--name", help="Display name (default: the slug).")
def create(slug, name):
    """Create a tenant and print its API key and webhook token (shown only now)."""
    try:
        body = TenantCreateSchema().load({"slug": slug, "name": name or slug})
    except ValidationError as exc:
        raise click.ClickException(f"invalid tenant: {exc.messages}") from None
    tenant, shown_once = or_click_error(tenants.create_tenant, body["slug"], body["name"])
    click.echo(f"tenant:        {tenant.slug}")
    click.echo(f"api_key:       {shown_once['api_key']}")
    click.echo(f"webhook_token: {shown_once['webhook_token']}")
    click.echo("Store both now: they are kept only as hashes.", err=True)


@group.command("list")
def list_():
    """List tenants (no secrets)."""
    for tenant in each_tenant(None):
        click.echo(f"{tenant.slug}\t{tenant.name}\ttz={tenant.timezone}\tttl={tenant.chat_session_ttl_hours}h")


@group.command("rotate-key")
@click.argument("slug")
def rotate_key(slug):
    """Issue a new API key; the old one stops working at once."""
    _tenant, api_key = or_click_error(tenants.rotate_secret, slug, "api_key")
    click.echo(f"api_key: {api_key}")
